/**
 * Catalog module for the cloud operations suite: validates change-type
 * templates.
 *
 * @packageDocumentation
 */

export { catalogModuleOps as default } from './module';
export { ChangeTypeTemplateProcessor } from './processors/ChangeTypeTemplateProcessor';
