/**
 * Node.js services shared by the cloud operations backend plugins and
 * modules: the AWS Service Catalog gateway with its `aws` and `sandbox`
 * implementations.
 *
 * @packageDocumentation
 */
export * from './serviceCatalog';
export { durationToMs } from './duration';
export type { DurationParts } from './duration';
