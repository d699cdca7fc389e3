import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createSsmApplyPatchAction } from './applyPatch';
import { createSsmExcludeFromPatchingAction } from './excludeFromPatching';
import { createSsmIncludeInPatchingAction } from './includeInPatching';
import { createSsmRejectPatchAction } from './rejectPatch';
import { createBackupRestoreAction } from './restore';
import { createBackupSetScheduleAction } from './setBackupSchedule';
import { createSsmSetMaintenanceWindowAction } from './setMaintenanceWindow';
import type { SettingsActionsOptions } from './settingsAction';
import { createBackupTakeSnapshotAction } from './takeSnapshot';

export type { SettingsActionsOptions } from './settingsAction';
export {
  createSsmSetMaintenanceWindowAction,
  createSsmExcludeFromPatchingAction,
  createSsmIncludeInPatchingAction,
  createSsmRejectPatchAction,
  createSsmApplyPatchAction,
  createBackupSetScheduleAction,
  createBackupTakeSnapshotAction,
  createBackupRestoreAction,
};

/**
 * One action per settings operation. Each acts only inside the execution run
 * of an approved RFC of its operation, on the RFC's target, with the RFC's
 * stored parameters.
 *
 * @public
 */
export function createSettingsActions(
  options: SettingsActionsOptions,
): TemplateAction[] {
  return [
    createSsmSetMaintenanceWindowAction(options),
    createSsmExcludeFromPatchingAction(options),
    createSsmIncludeInPatchingAction(options),
    createSsmRejectPatchAction(options),
    createSsmApplyPatchAction(options),
    createBackupSetScheduleAction(options),
    createBackupTakeSnapshotAction(options),
    createBackupRestoreAction(options),
  ];
}
