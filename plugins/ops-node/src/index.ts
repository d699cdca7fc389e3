/**
 * Node.js services shared by the cloud operations backend plugins and
 * modules: the AWS Service Catalog gateway with its `aws` and `sandbox`
 * implementations, and the SSM and AWS Backup gateways that carry out settings
 * changes with the reader of the settings in force.
 *
 * @packageDocumentation
 */
export * from './serviceCatalog';
export { durationToMs } from './duration';
export type { DurationParts } from './duration';
export * from './settings';
export * from './aws';
export * from './changeTypes';
