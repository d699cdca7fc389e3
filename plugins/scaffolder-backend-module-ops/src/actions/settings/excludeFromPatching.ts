import {
  EXECUTION_OUTPUTS,
  parsePatchingExclusionParameters,
} from '@cloud-ops/plugin-ops-common';
import { examples } from './excludeFromPatching.examples';
import {
  createSettingsAction,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:ssm:exclude-from-patching` disables the maintenance window of an
 * `exclude-from-patching` RFC's stack until the RFC's date.
 *
 * @public
 */
export function createSsmExcludeFromPatchingAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'patching'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:ssm:exclude-from-patching',
    operation: 'exclude-from-patching',
    description:
      "Excludes the RFC's stack from patching until the RFC's date by disabling its SSM maintenance window; acts only in the execution run of an approved RFC",
    examples,
    intent: "exclude the RFC's stack from patching until the RFC's date",
    parse: parsePatchingExclusionParameters,
    output: {
      [EXECUTION_OUTPUTS.maintenanceWindowId]: z =>
        z.string().describe('Id of the disabled maintenance window'),
    },
    async apply({ stack, parameters: { until, justification }, stamp }) {
      const { windowId } = await options.patching.setPatchingExclusion({
        stack,
        until,
        justification,
        stamp,
      });
      return {
        summary: `excluded from patching until ${until}: maintenance window ${windowId} disabled${
          justification ? ` (${justification})` : ''
        }`,
        outputs: { [EXECUTION_OUTPUTS.maintenanceWindowId]: windowId },
      };
    },
  });
}
