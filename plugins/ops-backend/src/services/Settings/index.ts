export {
  EntitySettingsService,
  SETTINGS_OPERATIONS,
} from './EntitySettingsService';
export type { EntitySettingsWithSources } from './EntitySettingsService';
export {
  MaintenanceNotifier,
  describeMaintenanceWindow,
  readNotifyBeforeHours,
  scheduleMaintenanceNotifier,
} from './MaintenanceNotifier';
