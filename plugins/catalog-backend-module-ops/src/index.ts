/***/
/**
 * The ops-provider module for @backstage/plugin-catalog-backend
 *
 * @packageDocumentation
 */

export { catalogModuleOps as default } from './module';
