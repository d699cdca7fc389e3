import type { Config } from '@backstage/config';
import {
  INCIDENT_PRIORITIES,
  isIncidentPriority,
  validatePriorityRules,
  type IncidentPriority,
  type IncidentPriorityRule,
} from '@cloud-ops/plugin-ops-common';

/** How incidents get their priority and when they open problems. */
export type IncidentSettings = {
  defaultPriority: IncidentPriority;
  priorityRules: IncidentPriorityRule[];
  /** Incidents of one alarm within the window that open a problem. */
  recurrenceThreshold: number;
  windowHours: number;
  /** Lower-cased group ref told about every incident and problem. */
  centralItGroup: string;
};

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = {
  defaultPriority: 'P3',
  priorityRules: [],
  recurrenceThreshold: 3,
  windowHours: 168,
  centralItGroup: 'group:default/central-it',
};

/**
 * Reads `ops.incidents.*`, `ops.problems.*` and `ops.centralIt.group`.
 * Anything invalid stops startup with a message naming the key.
 */
export function readIncidentSettings(config: Config): IncidentSettings {
  const defaults = DEFAULT_INCIDENT_SETTINGS;
  const defaultPriority =
    config.getOptionalString('ops.incidents.defaultPriority') ??
    defaults.defaultPriority;
  if (!isIncidentPriority(defaultPriority)) {
    throw new Error(
      `Invalid ops.incidents.defaultPriority "${defaultPriority}": use one of ${INCIDENT_PRIORITIES.join(
        ', ',
      )}`,
    );
  }

  const rules = (
    config.getOptionalConfigArray('ops.incidents.priorityRules') ?? []
  ).map(c => c.get());
  const problems = validatePriorityRules(rules);
  if (problems.length) {
    throw new Error(
      `Invalid ops.incidents.priorityRules: ${problems.join('; ')}`,
    );
  }

  const recurrenceThreshold =
    config.getOptionalNumber('ops.problems.recurrenceThreshold') ??
    defaults.recurrenceThreshold;
  if (!Number.isInteger(recurrenceThreshold) || recurrenceThreshold < 1) {
    throw new Error(
      `Invalid ops.problems.recurrenceThreshold ${recurrenceThreshold}: use a whole number of incidents, 1 or more`,
    );
  }
  const windowHours =
    config.getOptionalNumber('ops.problems.windowHours') ??
    defaults.windowHours;
  if (!Number.isFinite(windowHours) || windowHours <= 0) {
    throw new Error(
      `Invalid ops.problems.windowHours ${windowHours}: use a number of hours above 0`,
    );
  }

  return {
    defaultPriority,
    priorityRules: rules as IncidentPriorityRule[],
    recurrenceThreshold,
    windowHours,
    centralItGroup: (
      config.getOptionalString('ops.centralIt.group') ?? defaults.centralItGroup
    ).toLocaleLowerCase('en-US'),
  };
}
