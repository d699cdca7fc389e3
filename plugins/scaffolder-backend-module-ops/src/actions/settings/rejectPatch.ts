import {
  EXECUTION_OUTPUTS,
  parseUpdateIdParameter,
} from '@cloud-ops/plugin-ops-common';
import { examples } from './rejectPatch.examples';
import {
  createSettingsAction,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:ssm:reject-patch` adds a `reject-update` RFC's update to the rejected
 * patches of its stack's patch baseline.
 *
 * @public
 */
export function createSsmRejectPatchAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'patching'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:ssm:reject-patch',
    operation: 'reject-update',
    description:
      "Rejects the RFC's update in the patch baseline of the RFC's stack, so patch runs skip it; acts only in the execution run of an approved RFC",
    examples,
    intent: "reject the RFC's update in the patch baseline of the RFC's stack",
    parse: parseUpdateIdParameter,
    output: {
      [EXECUTION_OUTPUTS.patchBaselineId]: z =>
        z.string().describe('Id of the patch baseline, e.g. pb-0123'),
    },
    async apply({ stack, parameters: updateId, stamp }) {
      const { baselineId } = await options.patching.rejectUpdate({
        stack,
        updateId,
        stamp,
      });
      return {
        summary: `rejected update ${updateId} in patch baseline ${baselineId}`,
        outputs: { [EXECUTION_OUTPUTS.patchBaselineId]: baselineId },
      };
    },
  });
}
