/**
 * Scaffolder actions that carry out change types: `ops:rfc:create`,
 * `ops:rfc:await-approval`, `aws:servicecatalog:provision` and
 * `ops:rfc:complete`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleOps as default } from './module';
export { createRfcCreateAction } from './actions/createRfc';
export {
  createRfcAwaitApprovalAction,
  type AwaitApprovalOptions,
} from './actions/awaitApproval';
export {
  createServiceCatalogProvisionAction,
  provisionTokenFor,
  type ProvisionProductActionOptions,
} from './actions/provisionProduct';
export { createRfcCompleteAction } from './actions/completeRfc';
