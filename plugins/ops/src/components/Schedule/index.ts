export { ChangeSchedulePage } from './ChangeSchedulePage';
export { ScheduledChanges } from './ScheduledChanges';
