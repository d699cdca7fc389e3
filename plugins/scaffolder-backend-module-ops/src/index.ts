/**
 * Scaffolder actions of change types: the intake step `ops:rfc:create`, the
 * bounded `ops:rfc:follow`, and the automation steps that act only inside the
 * execution of an approved RFC: `aws:servicecatalog:provision` and the SSM
 * and AWS Backup settings actions.
 *
 * @packageDocumentation
 */

export { scaffolderModuleOps as default } from './module';
export { createRfcCreateAction } from './actions/createRfc';
export {
  createRfcFollowAction,
  type FollowRfcOptions,
} from './actions/followRfc';
export {
  createServiceCatalogProvisionAction,
  type ProvisionProductActionOptions,
} from './actions/provisionProduct';
export { createSettingsActions } from './actions/settings';
export {
  ExecutionGuard,
  readExecutionSecret,
  type VerifiedExecution,
} from './execution/executionGuard';
export {
  OpsExecutionClient,
  type ExecutionProof,
} from './execution/OpsExecutionClient';
