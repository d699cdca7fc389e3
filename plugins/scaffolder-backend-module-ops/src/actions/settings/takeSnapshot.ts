import { NotFoundError } from '@backstage/errors';
import { EXECUTION_OUTPUTS } from '@cloud-ops/plugin-ops-common';
import { examples } from './takeSnapshot.examples';
import {
  createSettingsAction,
  noParameters,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:backup:take-snapshot` backs up every resource of a `take-snapshot`
 * RFC's stack once, outside its schedule.
 *
 * @public
 */
export function createBackupTakeSnapshotAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'backup'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:backup:take-snapshot',
    operation: 'take-snapshot',
    description:
      "Backs up every resource of the RFC's stack once: AWS Backup jobs, or native EBS and RDS snapshots; acts only in the execution run of an approved RFC",
    examples,
    intent: "back up every resource of the RFC's stack once",
    parse: noParameters,
    output: {
      [EXECUTION_OUTPUTS.backupJobId]: z =>
        z
          .string()
          .optional()
          .describe('Ids of the AWS Backup jobs started, comma-separated'),
      [EXECUTION_OUTPUTS.snapshotId]: z =>
        z
          .string()
          .optional()
          .describe('Ids of the EBS or RDS snapshots started, comma-separated'),
    },
    async apply({ stack, stamp }) {
      const { started } = await options.backup.takeSnapshot({ stack, stamp });
      if (started.length === 0) {
        // An RFC that backed up nothing must not close as a success.
        throw new NotFoundError(
          `No resource of ${stack.entityRef} carries the tags ${JSON.stringify(
            stack.selector,
          )}, so nothing was backed up`,
        );
      }
      const ids = (kinds: string[]) =>
        started
          .filter(s => kinds.includes(s.kind))
          .map(s => s.id)
          .join(',') || undefined;
      return {
        summary: `started ${started.length} backup${
          started.length === 1 ? '' : 's'
        }: ${started
          .map(s => `${s.kind} ${s.id} of ${s.resourceArn}`)
          .join(', ')}`,
        outputs: {
          [EXECUTION_OUTPUTS.backupJobId]: ids(['backup-job']),
          [EXECUTION_OUTPUTS.snapshotId]: ids(['ebs-snapshot', 'rds-snapshot']),
        },
      };
    },
  });
}
