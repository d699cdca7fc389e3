/**
 * Incidents opened from CloudWatch alarms, and problems opened when the same
 * alarm keeps causing incidents.
 */

/** P1 is the most urgent. @public */
export type IncidentPriority = 'P1' | 'P2' | 'P3' | 'P4';

/** @public */
export const INCIDENT_PRIORITIES: readonly IncidentPriority[] = [
  'P1',
  'P2',
  'P3',
  'P4',
];

/** @public */
export type IncidentStatus = 'Open' | 'Resolved';

/** How an incident was resolved. @public */
export type IncidentResolution = 'alarm-cleared' | 'manual';

/**
 * One incident: an alarm on a mapped resource entered ALARM.
 *
 * @public
 */
export type Incident = {
  /** Readable id, e.g. `INC-000042`. */
  id: string;
  /** Lower-cased ref of the entity the alarm belongs to. */
  entityRef: string;
  /** Owner group of the entity when the incident opened. */
  ownerGroup: string;
  alarmArn: string;
  alarmName: string;
  /** The alarm's reason when it entered ALARM. */
  reason: string;
  priority: IncidentPriority;
  /** Name of the priority rule that matched, or `default`. */
  priorityRule: string;
  status: IncidentStatus;
  /** ISO 8601 timestamps */
  openedAt: string;
  resolvedAt?: string;
  /** User entity ref, or `system` when the alarm cleared. */
  resolvedBy?: string;
  resolution?: IncidentResolution;
  resolutionNotes?: string;
  /** The problem this incident was linked to. */
  problemId?: string;
  consoleUrl?: string;
};

/** @public */
export type ProblemStatus = 'Open' | 'RootCauseIdentified' | 'Resolved';

/** @public */
export const PROBLEM_STATUSES: readonly ProblemStatus[] = [
  'Open',
  'RootCauseIdentified',
  'Resolved',
];

/**
 * A problem: the shared root cause of recurring incidents of one alarm.
 *
 * @public
 */
export type Problem = {
  /** Readable id, e.g. `PRB-000007`. */
  id: string;
  entityRef: string;
  ownerGroup: string;
  alarmArn: string;
  alarmName: string;
  title: string;
  status: ProblemStatus;
  rootCause?: string;
  remediation?: string;
  /** Incidents linked to it, oldest first. */
  incidentIds: string[];
  openedAt: string;
  updatedAt: string;
  resolvedAt?: string;
  /** Incremented by every change; updates must name the current one. */
  version: number;
};

/**
 * A rule that sets an incident's priority. Rules are tried in order; the
 * first whose every given field matches wins. Unset fields match anything.
 *
 * @public
 */
export type IncidentPriorityRule = {
  name: string;
  priority: IncidentPriority;
  /** Regular expression tested against the alarm name. */
  alarmNamePattern?: string;
  /** CloudWatch metric namespace, e.g. `AWS/RDS`. */
  metricNamespace?: string;
  /** CloudWatch metric name, e.g. `CPUUtilization`. */
  metricName?: string;
  /** The entity's `spec.lifecycle`, e.g. `production`. */
  lifecycle?: string;
};
