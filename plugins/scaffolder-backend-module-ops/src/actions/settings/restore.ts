import {
  EXECUTION_OUTPUTS,
  validateOperationParameters,
  type ParsedParameters,
} from '@cloud-ops/plugin-ops-common';
import { examples } from './restore.examples';
import {
  createSettingsAction,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * Reads the recovery point of a `restore-from-recovery-point` RFC with the
 * rule that validated it when the RFC was created.
 */
function parseRecoveryPointParameter(
  parameters: Record<string, unknown>,
): ParsedParameters<string> {
  const problems = validateOperationParameters(
    'restore-from-recovery-point',
    parameters,
  );
  return problems.length
    ? { problems }
    : { problems, value: String(parameters.recoveryPointId).trim() };
}

/**
 * `aws:backup:restore` starts a restore of a `restore-from-recovery-point`
 * RFC's stack from the RFC's recovery point.
 *
 * @public
 */
export function createBackupRestoreAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'backup'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:backup:restore',
    operation: 'restore-from-recovery-point',
    description:
      "Starts an AWS Backup restore of the RFC's stack from the RFC's recovery point; acts only in the execution run of an approved RFC",
    examples,
    intent: "restore the RFC's stack from the RFC's recovery point",
    parse: parseRecoveryPointParameter,
    output: {
      [EXECUTION_OUTPUTS.restoreJobId]: z =>
        z.string().describe('Id of the AWS Backup restore job'),
    },
    async apply({ stack, parameters: recoveryPointId, stamp }) {
      const { restoreJobId } = await options.backup.restore({
        stack,
        recoveryPointId,
        stamp,
      });
      return {
        summary: `started restore job ${restoreJobId} from recovery point ${recoveryPointId}`,
        outputs: { [EXECUTION_OUTPUTS.restoreJobId]: restoreJobId },
      };
    },
  });
}
