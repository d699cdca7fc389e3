/**
 * Types, rules and data shared by the cloud operations plugins: change types,
 * RFCs, incidents, service requests, reports, patch and backup settings,
 * permissions, annotation keys and the RACI matrix.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './changeType';
export * from './raci';
export * from './tags';
export * from './permissions';
export * from './rfc';
export * from './operations';
export * from './tagPolicy';
export * from './tagDrift';
export * from './incidents';
export * from './serviceRequests';
export * from './reports';
export * from './patching';
export * from './maintenance';
export * from './incidentRules';
export * from './execution';
export * from './audit';
export * from './ids';
export * from './schedule';
