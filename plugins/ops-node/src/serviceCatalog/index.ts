export * from './types';
export { AwsServiceCatalogGateway } from './AwsServiceCatalogGateway';
export {
  SandboxServiceCatalogGateway,
  SANDBOX_PRODUCTS,
  SANDBOX_FAILURE_PARAMETER,
} from './SandboxServiceCatalogGateway';
export type { SandboxProduct } from './SandboxServiceCatalogGateway';
export {
  createServiceCatalogGateway,
  serviceCatalogGatewayServiceRef,
} from './serviceRef';
export { stackEntityFromProvisionedProduct } from './stackEntity';
export type { StackEntity } from './stackEntity';
