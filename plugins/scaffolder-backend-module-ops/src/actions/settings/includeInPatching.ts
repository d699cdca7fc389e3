import { EXECUTION_OUTPUTS } from '@cloud-ops/plugin-ops-common';
import { examples } from './includeInPatching.examples';
import {
  createSettingsAction,
  noParameters,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:ssm:include-in-patching` ends the patching exclusion of an
 * `include-in-patching` RFC's stack: its maintenance window runs again.
 *
 * @public
 */
export function createSsmIncludeInPatchingAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'patching'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:ssm:include-in-patching',
    operation: 'include-in-patching',
    description:
      "Includes the RFC's stack in patching again by enabling its SSM maintenance window; acts only in the execution run of an approved RFC",
    examples,
    intent: "include the RFC's stack in patching again",
    parse: noParameters,
    output: {
      [EXECUTION_OUTPUTS.maintenanceWindowId]: z =>
        z.string().describe('Id of the enabled maintenance window'),
    },
    async apply({ stack, stamp }) {
      const { windowId } = await options.patching.setPatchingExclusion({
        stack,
        until: null,
        stamp,
      });
      return {
        summary: `included in patching again: maintenance window ${windowId} enabled`,
        outputs: { [EXECUTION_OUTPUTS.maintenanceWindowId]: windowId },
      };
    },
  });
}
