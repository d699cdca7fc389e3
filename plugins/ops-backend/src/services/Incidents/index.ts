export { IncidentService } from './IncidentService';
export type { ProblemUpdate } from './IncidentService';
export { DEFAULT_INCIDENT_SETTINGS, readIncidentSettings } from './config';
export type { IncidentSettings } from './config';
