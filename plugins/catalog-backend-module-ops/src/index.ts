/**
 * Catalog module for the cloud operations suite: validates change-type
 * templates, and lets permission policies hide role-based change types.
 *
 * @packageDocumentation
 */

export { catalogModuleOps as default } from './module';
export { ChangeTypeTemplateProcessor } from './processors/ChangeTypeTemplateProcessor';
export {
  RELATION_REQUESTABLE_BY,
  createOpsCatalogConditionalDecision,
  isChangeTypeAllowedForRule,
  isNotRefusedChangeTypeRule,
  opsCatalogConditions,
} from './permissions';
