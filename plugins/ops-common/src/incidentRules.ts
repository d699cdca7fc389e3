import {
  INCIDENT_PRIORITIES,
  type IncidentPriority,
  type IncidentPriorityRule,
} from './incidents';
import { parseSequenceId } from './ids';

/**
 * Pure rules for incidents: readable ids, and which priority an alarm's
 * incident gets.
 */

/** The parts of an alarm that priority rules look at. @public */
export type PriorityAlarm = {
  name: string;
  metric?: { namespace?: string; name?: string };
};

/** The parts of an entity that priority rules look at. @public */
export type PriorityEntity = {
  /** The entity's `spec.lifecycle`, when it has one. */
  lifecycle?: string;
};

/** The outcome of matching: the priority and the rule's name, or `default`. @public */
export type PriorityMatch = {
  priority: IncidentPriority;
  rule: string;
};

/** Name recorded on incidents that no rule matched. @public */
export const DEFAULT_PRIORITY_RULE = 'default';

const RULE_FIELDS = [
  'name',
  'priority',
  'alarmNamePattern',
  'metricNamespace',
  'metricName',
  'lifecycle',
];

/** Whether a value is one of P1..P4. @public */
export function isIncidentPriority(value: unknown): value is IncidentPriority {
  return INCIDENT_PRIORITIES.includes(value as IncidentPriority);
}

/**
 * Lists what is wrong with a list of priority rules, one message per problem;
 * empty when the rules can be used.
 *
 * @public
 */
export function validatePriorityRules(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return ['priority rules must be a list'];
  }
  const problems: string[] = [];
  const names = new Set<string>();
  value.forEach((raw, index) => {
    const at = `rules[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${at} must be an object`);
      return;
    }
    const rule = raw as Record<string, unknown>;
    for (const key of Object.keys(rule)) {
      if (!RULE_FIELDS.includes(key)) {
        problems.push(
          `${at} has unknown field "${key}"; use ${RULE_FIELDS.join(', ')}`,
        );
      }
    }
    if (typeof rule.name !== 'string' || !rule.name.trim()) {
      problems.push(`${at}.name must be a non-empty string`);
    } else if (rule.name === DEFAULT_PRIORITY_RULE) {
      problems.push(
        `${at}.name must not be "${DEFAULT_PRIORITY_RULE}"; that name marks incidents no rule matched`,
      );
    } else if (names.has(rule.name)) {
      problems.push(`${at}.name "${rule.name}" is used by an earlier rule`);
    } else {
      names.add(rule.name);
    }
    if (!isIncidentPriority(rule.priority)) {
      problems.push(
        `${at}.priority must be one of ${INCIDENT_PRIORITIES.join(', ')}`,
      );
    }
    for (const key of ['metricNamespace', 'metricName', 'lifecycle']) {
      if (
        rule[key] !== undefined &&
        (typeof rule[key] !== 'string' || !rule[key])
      ) {
        problems.push(`${at}.${key} must be a non-empty string`);
      }
    }
    if (rule.alarmNamePattern !== undefined) {
      if (typeof rule.alarmNamePattern !== 'string' || !rule.alarmNamePattern) {
        problems.push(`${at}.alarmNamePattern must be a non-empty string`);
      } else {
        try {
          // eslint-disable-next-line no-new
          new RegExp(rule.alarmNamePattern);
        } catch (e) {
          problems.push(
            `${at}.alarmNamePattern is not a valid regular expression: ${
              (e as Error).message
            }`,
          );
        }
      }
    }
  });
  return problems;
}

/**
 * Compiles priority rules into a function that picks the priority of an
 * alarm's incident: the first rule whose every given field matches wins,
 * otherwise `defaultPriority` with rule name `default`. Metric namespace and
 * name match exactly, lifecycle case-insensitively, the alarm name pattern as
 * an unanchored regular expression. Throws on rules that
 * {@link validatePriorityRules} rejects.
 *
 * @public
 */
export function compilePriorityRules(
  rules: IncidentPriorityRule[],
  defaultPriority: IncidentPriority,
): (alarm: PriorityAlarm, entity: PriorityEntity) => PriorityMatch {
  const problems = validatePriorityRules(rules);
  if (!isIncidentPriority(defaultPriority)) {
    problems.push(
      `default priority must be one of ${INCIDENT_PRIORITIES.join(', ')}`,
    );
  }
  if (problems.length) {
    throw new Error(`Invalid incident priority rules: ${problems.join('; ')}`);
  }
  const compiled = rules.map(rule => ({
    rule,
    pattern:
      rule.alarmNamePattern !== undefined
        ? new RegExp(rule.alarmNamePattern)
        : undefined,
    lifecycle: rule.lifecycle?.toLocaleLowerCase('en-US'),
  }));
  return (alarm, entity) => {
    const lifecycle = entity.lifecycle?.toLocaleLowerCase('en-US');
    for (const { rule, pattern, lifecycle: wanted } of compiled) {
      if (pattern && !pattern.test(alarm.name)) continue;
      if (
        rule.metricNamespace !== undefined &&
        alarm.metric?.namespace !== rule.metricNamespace
      ) {
        continue;
      }
      if (
        rule.metricName !== undefined &&
        alarm.metric?.name !== rule.metricName
      ) {
        continue;
      }
      if (wanted !== undefined && lifecycle !== wanted) continue;
      return { priority: rule.priority, rule: rule.name };
    }
    return { priority: defaultPriority, rule: DEFAULT_PRIORITY_RULE };
  };
}

/**
 * The priority of an alarm's incident under the given rules; see
 * {@link compilePriorityRules}, which is cheaper for many alarms.
 *
 * @public
 */
export function matchPriority(
  rules: IncidentPriorityRule[],
  defaultPriority: IncidentPriority,
  alarm: PriorityAlarm,
  entity: PriorityEntity,
): PriorityMatch {
  return compilePriorityRules(rules, defaultPriority)(alarm, entity);
}

function formatId(prefix: string, sequence: number): string {
  return `${prefix}-${String(sequence).padStart(6, '0')}`;
}

/** `INC-000042` for 42. @public */
export function formatIncidentId(sequence: number): string {
  return formatId('INC', sequence);
}

/**
 * The number in an incident id, or undefined when it is not one or is out of
 * range. @public
 */
export function parseIncidentId(id: string): number | undefined {
  return parseSequenceId('INC', id);
}

/** `PRB-000007` for 7. @public */
export function formatProblemId(sequence: number): string {
  return formatId('PRB', sequence);
}

/**
 * The number in a problem id, or undefined when it is not one or is out of
 * range. @public
 */
export function parseProblemId(id: string): number | undefined {
  return parseSequenceId('PRB', id);
}
