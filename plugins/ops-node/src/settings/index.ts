export * from './types';
export * from './sandbox';
export * from './aws';
export { createOpsAwsGateways, opsAwsGatewaysServiceRef } from './serviceRef';
export type { OpsAwsGateways } from './serviceRef';
