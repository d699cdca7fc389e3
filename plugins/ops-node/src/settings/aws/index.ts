export { AwsPatchingGateway } from './AwsPatchingGateway';
export type { AwsPatchingGatewayOptions } from './AwsPatchingGateway';
export { AwsBackupGateway } from './AwsBackupGateway';
export type { AwsBackupGatewayOptions } from './AwsBackupGateway';
export { AwsSettingsReader } from './AwsSettingsReader';
