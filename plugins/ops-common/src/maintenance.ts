import type { Rfc } from './rfc/types';
import { parseRfcId } from './rfc/types';
import type {
  BackupFrequency,
  BackupSchedule,
  EntityOpsSettings,
  MaintenanceWindow,
  OpsOperation,
  UpdateClass,
  Weekday,
} from './patching';

/** @public */
export const WEEKDAYS: readonly Weekday[] = [
  'MON',
  'TUE',
  'WED',
  'THU',
  'FRI',
  'SAT',
  'SUN',
];

/** @public */
export const BACKUP_FREQUENCIES: readonly BackupFrequency[] = [
  'every-12-hours',
  'daily',
  'weekly',
];

/** Longest a stack may be excluded from patching, in days. @public */
export const MAX_PATCHING_EXCLUSION_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_ONLY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const ISO_PATTERN =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** JavaScript day numbers (Sunday is 0) of each weekday. */
const JS_DAY: Record<Weekday, number> = {
  SUN: 0,
  MON: 1,
  TUE: 2,
  WED: 3,
  THU: 4,
  FRI: 5,
  SAT: 6,
};

function parseTime(value: string): { hours: number; minutes: number } {
  const match = TIME_PATTERN.exec(value);
  if (!match) {
    throw new Error(`startTime must be HH:MM, got "${value}"`);
  }
  return { hours: Number(match[1]), minutes: Number(match[2]) };
}

/** The window's start in a given month (UTC), in milliseconds. */
function startInMonth(
  window: MaintenanceWindow,
  year: number,
  month: number,
): number {
  const { hours, minutes } = parseTime(window.startTime);
  const target = JS_DAY[window.weekday];
  let day: number;
  if (window.week === 'last') {
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const lastDow = new Date(Date.UTC(year, month, lastDay)).getUTCDay();
    day = lastDay - ((lastDow - target + 7) % 7);
  } else {
    const firstDow = new Date(Date.UTC(year, month, 1)).getUTCDay();
    day = 1 + ((target - firstDow + 7) % 7) + 7 * (window.week - 1);
  }
  return Date.UTC(year, month, day, hours, minutes);
}

/**
 * The first start of a monthly maintenance window at or after `after`. The
 * window is in UTC, so daylight saving time plays no part.
 *
 * @public
 */
export function nextMaintenanceWindow(
  window: MaintenanceWindow,
  after: Date,
): Date {
  const year = after.getUTCFullYear();
  const month = after.getUTCMonth();
  // The window occurs every month, so this month or the next one has it.
  for (let offset = 0; offset < 2; offset++) {
    const start = startInMonth(window, year, month + offset);
    if (start >= after.getTime()) {
      return new Date(start);
    }
  }
  return new Date(startInMonth(window, year, month + 2));
}

/**
 * The SSM maintenance window schedule for a window, e.g.
 * `cron(0 3 ? * TUE#2 *)`; the last week uses the `L` suffix on the numeric
 * weekday (1 is Sunday), e.g. `cron(30 22 ? * 6L *)` for the last Friday.
 *
 * @public
 */
export function maintenanceWindowToCron(window: MaintenanceWindow): string {
  const { hours, minutes } = parseTime(window.startTime);
  const day =
    window.week === 'last'
      ? `${JS_DAY[window.weekday] + 1}L`
      : `${window.weekday}#${window.week}`;
  return `cron(${minutes} ${hours} ? * ${day} *)`;
}

const CRON_WINDOW =
  /^cron\((\d{1,2}) (\d{1,2}) \? \* (?:(MON|TUE|WED|THU|FRI|SAT|SUN)#([1-4])|([1-7])L) \*\)$/;

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Reads an SSM schedule written by {@link maintenanceWindowToCron} back as a
 * monthly window; undefined for any other schedule.
 *
 * @public
 */
export function cronToMaintenanceWindow(
  schedule: string,
): MaintenanceWindow | undefined {
  const m = CRON_WINDOW.exec(schedule.trim());
  if (!m) return undefined;
  const minutes = Number(m[1]);
  const hours = Number(m[2]);
  if (minutes > 59 || hours > 23) return undefined;
  const startTime = `${pad2(hours)}:${pad2(minutes)}`;
  if (m[3]) {
    return {
      week: Number(m[4]) as 1 | 2 | 3 | 4,
      weekday: m[3] as Weekday,
      startTime,
      durationHours: 1,
    };
  }
  const jsDay = Number(m[5]) - 1;
  const weekday = WEEKDAYS.find(d => JS_DAY[d] === jsDay)!;
  return { week: 'last', weekday, startTime, durationHours: 1 };
}

/**
 * The AWS Backup rule schedule for a backup schedule, e.g.
 * `cron(0 1 ? * * *)` daily at 01:00 UTC, `cron(0 1/12 ? * * *)` at 01:00 and
 * 13:00, `cron(0 1 ? * SUN *)` on Sundays.
 *
 * @public
 */
export function backupScheduleToCron(schedule: BackupSchedule): string {
  const { hours, minutes } = parseTime(schedule.startTime);
  switch (schedule.frequency) {
    case 'every-12-hours':
      return `cron(${minutes} ${hours % 12}/12 ? * * *)`;
    case 'weekly':
      return `cron(${minutes} ${hours} ? * SUN *)`;
    case 'daily':
    default:
      return `cron(${minutes} ${hours} ? * * *)`;
  }
}

const CRON_BACKUP = /^cron\((\d{1,2}) (\d{1,2})(\/12)? \? \* (\*|SUN) \*\)$/;

/**
 * Reads a backup rule written by {@link backupScheduleToCron} back, with the
 * rule's retention; undefined for any other schedule.
 *
 * @public
 */
export function cronToBackupSchedule(
  schedule: string,
  retentionDays: number,
): BackupSchedule | undefined {
  const m = CRON_BACKUP.exec(schedule.trim());
  if (!m) return undefined;
  const minutes = Number(m[1]);
  const hours = Number(m[2]);
  if (minutes > 59 || hours > 23) return undefined;
  let frequency: BackupFrequency;
  if (m[3]) {
    if (m[4] !== '*' || hours > 11) return undefined;
    frequency = 'every-12-hours';
  } else {
    frequency = m[4] === 'SUN' ? 'weekly' : 'daily';
  }
  return {
    frequency,
    startTime: `${pad2(hours)}:${pad2(minutes)}`,
    retentionDays,
  };
}

/**
 * Places an update in the patch policy: security updates rated Critical are
 * Critical Security Updates (applied outside the window); updates rated
 * Important, and non-security updates rated Critical, are Important Updates
 * (applied in the window); anything else is `other`.
 *
 * @param classification - SSM classification, e.g. `SecurityUpdates`
 *   (Windows) or `Security` (Linux).
 * @param severity - vendor or MSRC severity, e.g. `Critical`.
 * @public
 */
export function classifyUpdate(
  classification: string,
  severity: string,
): UpdateClass {
  const security = /security/i.test(classification);
  const level = severity.trim().toLowerCase();
  if (level === 'critical') {
    return security ? 'critical-security' : 'important';
  }
  if (level === 'important') {
    return 'important';
  }
  return 'other';
}

/** Hours between backups of a schedule. @public */
export function backupIntervalHours(schedule: {
  frequency: BackupFrequency;
}): number {
  switch (schedule.frequency) {
    case 'every-12-hours':
      return 12;
    case 'weekly':
      return 7 * 24;
    case 'daily':
    default:
      return 24;
  }
}

/**
 * When a patching exclusion until `until` ends: the end of that UTC day for
 * a plain date, the instant itself otherwise; NaN when it is not a date.
 *
 * @public
 */
export function patchingExclusionEndsAt(until: string): number {
  if (!ISO_PATTERN.test(until)) return NaN;
  const at = Date.parse(until);
  return DATE_ONLY_PATTERN.test(until) ? at + DAY_MS : at;
}

type Params = Record<string, unknown>;

/**
 * A parameter the RFC gave itself. Inherited properties are never
 * parameters: `{}` has a `constructor`, and an object whose prototype was
 * replaced could lend any name.
 */
const param = (params: Params, key: string): unknown =>
  Object.hasOwn(params, key) ? params[key] : undefined;

const str = (params: Params, key: string) => {
  const value = param(params, key);
  return typeof value === 'string' ? value.trim() : undefined;
};

function readWeek(value: unknown): MaintenanceWindow['week'] | undefined {
  if (value === 'last') return 'last';
  const n =
    typeof value === 'string' && /^\d$/.test(value) ? Number(value) : value;
  return n === 1 || n === 2 || n === 3 || n === 4 ? n : undefined;
}

function readInteger(value: unknown): number | undefined {
  const n =
    typeof value === 'string' && /^\d+$/.test(value.trim())
      ? Number(value)
      : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/**
 * Parameters read for an operation: the value when they are valid, else one
 * message per problem, each naming the parameter.
 *
 * @public
 */
export type ParsedParameters<T> = { value?: T; problems: string[] };

/** Reads a `set-maintenance-window` RFC's parameters. @public */
export function parseMaintenanceWindowParameters(
  params: Record<string, unknown>,
): ParsedParameters<MaintenanceWindow> {
  const problems: string[] = [];
  const week = readWeek(param(params, 'week'));
  if (week === undefined) {
    problems.push('parameters.week: must be 1, 2, 3, 4 or "last"');
  }
  const weekday = str(params, 'weekday')?.toUpperCase() as Weekday | undefined;
  if (!weekday || !WEEKDAYS.includes(weekday)) {
    problems.push(`parameters.weekday: must be one of ${WEEKDAYS.join(', ')}`);
  }
  const startTime = str(params, 'startTime');
  if (!startTime || !TIME_PATTERN.test(startTime)) {
    problems.push(
      'parameters.startTime: must be a UTC time HH:MM such as 03:00',
    );
  }
  if (problems.length) return { problems };
  return {
    problems,
    value: {
      week: week!,
      weekday: weekday!,
      startTime: startTime!,
      durationHours: 1,
    },
  };
}

/** Reads an `exclude-from-patching` RFC's parameters. @public */
export function parsePatchingExclusionParameters(
  params: Record<string, unknown>,
): ParsedParameters<{ until: string; justification: string }> {
  const until = str(params, 'until');
  if (!until || Number.isNaN(patchingExclusionEndsAt(until))) {
    return {
      problems: ['parameters.until: must be a date such as 2026-12-31'],
    };
  }
  return {
    problems: [],
    value: { until, justification: str(params, 'justification') ?? '' },
  };
}

/** Reads the update of a `reject-update` or `apply-update` RFC. @public */
export function parseUpdateIdParameter(
  params: Record<string, unknown>,
): ParsedParameters<string> {
  const updateId = str(params, 'updateId');
  return updateId
    ? { problems: [], value: updateId }
    : {
        problems: [
          'parameters.updateId: is required, e.g. KB5039212 or ALAS2-2026-0412',
        ],
      };
}

/** Reads a `set-backup-schedule` RFC's parameters. @public */
export function parseBackupScheduleParameters(
  params: Record<string, unknown>,
): ParsedParameters<BackupSchedule> {
  const problems: string[] = [];
  const frequency = str(params, 'frequency') as BackupFrequency | undefined;
  if (!frequency || !BACKUP_FREQUENCIES.includes(frequency)) {
    problems.push(
      `parameters.frequency: must be one of ${BACKUP_FREQUENCIES.join(', ')}`,
    );
  }
  const startTime = str(params, 'startTime');
  if (!startTime || !TIME_PATTERN.test(startTime)) {
    problems.push(
      'parameters.startTime: must be a UTC time HH:MM such as 01:00',
    );
  }
  const retentionDays = readInteger(param(params, 'retentionDays'));
  if (retentionDays === undefined || retentionDays < 1 || retentionDays > 365) {
    problems.push(
      'parameters.retentionDays: must be a whole number of days from 1 to 365',
    );
  }
  if (problems.length) return { problems };
  return {
    problems,
    value: {
      frequency: frequency!,
      startTime: startTime!,
      retentionDays: retentionDays!,
    },
  };
}

/**
 * Checks the parameters an operation needs and returns one message per
 * problem, each naming the parameter (`parameters.<name>: ...`). `now`
 * bounds how far ahead a patching exclusion may end.
 *
 * @public
 */
export function validateOperationParameters(
  operation: OpsOperation,
  params: Record<string, unknown>,
  now: Date = new Date(),
): string[] {
  switch (operation) {
    case 'set-maintenance-window':
      return parseMaintenanceWindowParameters(params).problems;
    case 'exclude-from-patching': {
      const parsed = parsePatchingExclusionParameters(params);
      if (!parsed.value) return parsed.problems;
      const until = parsed.value.until;
      const endsAt = patchingExclusionEndsAt(until);
      if (endsAt <= now.getTime()) {
        return [`parameters.until: ${until} has passed; choose a later date`];
      }
      const latest = now.getTime() + MAX_PATCHING_EXCLUSION_DAYS * DAY_MS;
      if (Date.parse(until) > latest) {
        return [
          `parameters.until: must be at most ${MAX_PATCHING_EXCLUSION_DAYS} days ahead, i.e. on or before ${new Date(
            latest,
          )
            .toISOString()
            .slice(0, 10)}`,
        ];
      }
      return [];
    }
    case 'reject-update':
    case 'apply-update':
      return parseUpdateIdParameter(params).problems;
    case 'set-backup-schedule':
      return parseBackupScheduleParameters(params).problems;
    case 'restore-from-recovery-point':
      return str(params, 'recoveryPointId')
        ? []
        : ['parameters.recoveryPointId: is required; pick a recovery point'];
    case 'include-in-patching':
    case 'take-snapshot':
      return [];
    default:
      return [`operation: "${String(operation)}" is not a known operation`];
  }
}

/** The RFC fields the settings are derived from. @public */
export type SettingsRfc = Pick<
  Rfc,
  'id' | 'operation' | 'parameters' | 'status' | 'updatedAt'
>;

function compareRfcs(a: SettingsRfc, b: SettingsRfc): number {
  if (a.updatedAt !== b.updatedAt) {
    return a.updatedAt < b.updatedAt ? -1 : 1;
  }
  return (parseRfcId(a.id) ?? 0) - (parseRfcId(b.id) ?? 0);
}

/**
 * The patch and continuity settings in force for an entity, from its RFCs:
 * only RFCs with an operation that reached `Success` count, and the latest
 * one (by the time it finished) wins. An exclusion whose date has passed is
 * no longer in force; applying an update lifts an earlier rejection of it.
 * RFCs whose parameters do not parse are ignored.
 *
 * @public
 */
export function deriveEntitySettings(
  rfcs: SettingsRfc[],
  now: Date,
): EntityOpsSettings {
  const done = rfcs
    .filter(r => r.status === 'Success' && r.operation)
    .sort(compareRfcs);
  let maintenanceWindow: EntityOpsSettings['maintenanceWindow'] = null;
  let patchingExclusion: EntityOpsSettings['patchingExclusion'] = null;
  let backupSchedule: EntityOpsSettings['backupSchedule'] = null;
  const rejected = new Map<string, { rfcId: string; at: string }>();

  for (const rfc of done) {
    const source = { rfcId: rfc.id, at: rfc.updatedAt };
    const params = rfc.parameters ?? {};
    switch (rfc.operation) {
      case 'set-maintenance-window': {
        const { value } = parseMaintenanceWindowParameters(params);
        if (value) maintenanceWindow = { ...value, ...source };
        break;
      }
      case 'exclude-from-patching': {
        const { value } = parsePatchingExclusionParameters(params);
        if (value) patchingExclusion = { ...value, ...source };
        break;
      }
      case 'include-in-patching':
        patchingExclusion = null;
        break;
      case 'reject-update': {
        const { value } = parseUpdateIdParameter(params);
        if (value) rejected.set(value, source);
        break;
      }
      case 'apply-update': {
        const { value } = parseUpdateIdParameter(params);
        if (value) rejected.delete(value);
        break;
      }
      case 'set-backup-schedule': {
        const { value } = parseBackupScheduleParameters(params);
        if (value) backupSchedule = { ...value, ...source };
        break;
      }
      default:
        // Restores and snapshots are one-off actions, not settings.
        break;
    }
  }

  if (
    patchingExclusion &&
    patchingExclusionEndsAt(patchingExclusion.until) <= now.getTime()
  ) {
    patchingExclusion = null;
  }
  return {
    maintenanceWindow,
    nextMaintenanceAt: maintenanceWindow
      ? nextMaintenanceWindow(maintenanceWindow, now).toISOString()
      : null,
    patchingExclusion,
    rejectedUpdates: [...rejected.entries()].map(([updateId, source]) => ({
      updateId,
      ...source,
    })),
    backupSchedule,
  };
}
