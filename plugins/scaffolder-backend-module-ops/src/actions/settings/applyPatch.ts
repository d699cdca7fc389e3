import {
  EXECUTION_OUTPUTS,
  parseUpdateIdParameter,
} from '@cloud-ops/plugin-ops-common';
import { examples } from './applyPatch.examples';
import {
  createSettingsAction,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:ssm:apply-patch` lifts any rejection of an `apply-update` RFC's update
 * and installs it on the stack's managed instances.
 *
 * @public
 */
export function createSsmApplyPatchAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'patching'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:ssm:apply-patch',
    operation: 'apply-update',
    description:
      "Lifts any rejection of the RFC's update in the patch baseline of the RFC's stack and installs it with a patch run; acts only in the execution run of an approved RFC",
    examples,
    intent: "install the RFC's update on the RFC's stack",
    parse: parseUpdateIdParameter,
    output: {
      [EXECUTION_OUTPUTS.patchBaselineId]: z =>
        z.string().describe('Id of the patch baseline, e.g. pb-0123'),
      [EXECUTION_OUTPUTS.commandId]: z =>
        z
          .string()
          .optional()
          .describe('Id of the SSM Run Command patch run, when one started'),
    },
    async apply({ stack, parameters: updateId, stamp }) {
      const { baselineId, commandId } = await options.patching.applyUpdate({
        stack,
        updateId,
        stamp,
      });
      return {
        summary: `allowed update ${updateId} in patch baseline ${baselineId}; ${
          commandId ? `patch run ${commandId} started` : 'no patch run started'
        }`,
        outputs: {
          [EXECUTION_OUTPUTS.patchBaselineId]: baselineId,
          [EXECUTION_OUTPUTS.commandId]: commandId,
        },
      };
    },
  });
}
