import {
  EXECUTION_OUTPUTS,
  parseMaintenanceWindowParameters,
} from '@cloud-ops/plugin-ops-common';
import { examples } from './setMaintenanceWindow.examples';
import {
  createSettingsAction,
  type SettingsActionsOptions,
} from './settingsAction';

/**
 * `aws:ssm:set-maintenance-window` creates or updates the SSM maintenance
 * window of a `set-maintenance-window` RFC's stack.
 *
 * @public
 */
export function createSsmSetMaintenanceWindowAction(
  options: Pick<SettingsActionsOptions, 'guard' | 'patching'>,
) {
  return createSettingsAction(options.guard, {
    id: 'aws:ssm:set-maintenance-window',
    operation: 'set-maintenance-window',
    description:
      "Sets the monthly SSM maintenance window of the RFC's stack from the RFC's parameters; acts only in the execution run of an approved RFC",
    examples,
    intent: "set the SSM maintenance window of the RFC's stack",
    parse: parseMaintenanceWindowParameters,
    output: {
      [EXECUTION_OUTPUTS.maintenanceWindowId]: z =>
        z.string().describe('Id of the maintenance window, e.g. mw-0123'),
    },
    async apply({ stack, parameters: window, stamp }) {
      const result = await options.patching.setMaintenanceWindow({
        stack,
        window,
        stamp,
      });
      const week =
        window.week === 'last' ? 'the last week' : `week ${window.week}`;
      return {
        summary: `${
          result.created ? 'created' : 'updated'
        } maintenance window ${result.windowId} with schedule ${
          result.schedule
        } (${week}, ${window.weekday} ${window.startTime} UTC for ${
          window.durationHours
        }h)`,
        outputs: { [EXECUTION_OUTPUTS.maintenanceWindowId]: result.windowId },
      };
    },
  });
}
