import {
  backupScheduleToCron,
  EXECUTION_OUTPUTS,
  parseBackupScheduleParameters,
} from '@cloud-ops/plugin-ops-common';
import { examples } from './setBackupSchedule.examples';
import {
  createSettingsAction,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:backup:set-schedule` creates or updates the AWS Backup plan and
 * selection of a `set-backup-schedule` RFC's stack.
 *
 * @public
 */
export function createBackupSetScheduleAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'backup'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:backup:set-schedule',
    operation: 'set-backup-schedule',
    description:
      "Sets the AWS Backup plan of the RFC's stack from the RFC's schedule and retention, with a selection by the stack's tags; acts only in the execution run of an approved RFC",
    examples,
    intent: "set the AWS Backup plan of the RFC's stack",
    parse: parseBackupScheduleParameters,
    output: {
      [EXECUTION_OUTPUTS.backupPlanId]: z =>
        z.string().describe('Id of the backup plan'),
      [EXECUTION_OUTPUTS.backupSelectionId]: z =>
        z.string().describe("Id of the plan's selection of the stack"),
    },
    async apply({ stack, parameters: schedule, stamp }) {
      const { planId, selectionId, created } =
        await options.backup.setBackupSchedule({ stack, schedule, stamp });
      return {
        summary: `${
          created ? 'created' : 'updated'
        } backup plan ${planId} with selection ${selectionId}: ${
          schedule.frequency
        } from ${schedule.startTime} UTC (${backupScheduleToCron(
          schedule,
        )}), kept ${schedule.retentionDays} days`,
        outputs: {
          [EXECUTION_OUTPUTS.backupPlanId]: planId,
          [EXECUTION_OUTPUTS.backupSelectionId]: selectionId,
        },
      };
    },
  });
}
