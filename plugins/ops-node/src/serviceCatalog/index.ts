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
export {
  stackEntityFromProvisionedProduct,
  stackEntityRefFor,
  ANNOTATION_OWNER_FALLBACK,
  ANNOTATION_TAG_DRIFT,
  DEFAULT_SYSTEM_TAG,
} from './stackEntity';
export type { StackEntity, StackEntityOptions } from './stackEntity';
