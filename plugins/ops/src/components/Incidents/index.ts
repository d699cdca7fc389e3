export { IncidentsPage } from './IncidentsPage';
export { IncidentDetailPage } from './IncidentDetailPage';
export { ProblemDetailPage } from './ProblemDetailPage';
