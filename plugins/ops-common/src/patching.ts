/**
 * Patch and continuity settings of a stack or component. They are changed
 * only through RFCs: a change type names the operation it performs with the
 * `cloud-ops.io/operation` annotation, and the settings in force are read
 * from the entity's successful RFCs of those operations, newest last.
 */

/**
 * What a change type does to an entity's operational settings, when it has
 * such an effect.
 *
 * - `set-maintenance-window`: parameters `week` (1-4 or `last`), `weekday`
 *   (`MON`..`SUN`), `startTime` (`HH:MM`, UTC).
 * - `exclude-from-patching`: parameters `until` (a date), `justification`.
 * - `include-in-patching`: ends an exclusion.
 * - `reject-update`: parameter `updateId` (e.g. a KB or advisory id).
 * - `apply-update`: parameter `updateId`; lifts an earlier rejection and asks
 *   for the update to be installed.
 * - `set-backup-schedule`: parameters `frequency`, `startTime`, `retentionDays`.
 * - `restore-from-recovery-point`: parameter `recoveryPointId`.
 * - `take-snapshot`: an on-demand backup outside the schedule.
 *
 * @public
 */
export type OpsOperation =
  | 'set-maintenance-window'
  | 'exclude-from-patching'
  | 'include-in-patching'
  | 'reject-update'
  | 'apply-update'
  | 'set-backup-schedule'
  | 'restore-from-recovery-point'
  | 'take-snapshot';

/** @public */
export const OPS_OPERATIONS: readonly OpsOperation[] = [
  'set-maintenance-window',
  'exclude-from-patching',
  'include-in-patching',
  'reject-update',
  'apply-update',
  'set-backup-schedule',
  'restore-from-recovery-point',
  'take-snapshot',
];

/** @public */
export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

/**
 * A monthly one-hour maintenance window, e.g. the second Tuesday at 03:00
 * UTC (SSM: `cron(0 3 ? * TUE#2 *)`).
 *
 * @public
 */
export type MaintenanceWindow = {
  week: 1 | 2 | 3 | 4 | 'last';
  weekday: Weekday;
  /** `HH:MM`, UTC */
  startTime: string;
  /** Always 1 in this operating model. */
  durationHours: number;
};

/**
 * Update classes of the patch policy, after the seed:
 * - `critical-security`: security updates rated Critical; applied outside
 *   the maintenance window, as soon as they are released.
 * - `important`: updates rated Important, and non-security updates rated
 *   Critical; applied in the maintenance window.
 * - `other`: everything else; applied in the maintenance window.
 *
 * @public
 */
export type UpdateClass = 'critical-security' | 'important' | 'other';

/** A missing update on an instance. @public */
export type PendingUpdate = {
  /** KB, advisory or package id, e.g. `KB5034441` or `ALAS2-2026-101`. */
  id: string;
  title: string;
  /** SSM classification, e.g. `SecurityUpdates`. */
  classification: string;
  /** Vendor severity, e.g. `Critical`. */
  severity: string;
  updateClass: UpdateClass;
  releasedAt?: string;
};

/** @public */
export type BackupFrequency = 'every-12-hours' | 'daily' | 'weekly';

/** A stack's backup schedule, chosen by its owner. @public */
export type BackupSchedule = {
  frequency: BackupFrequency;
  /** `HH:MM`, UTC */
  startTime: string;
  retentionDays: number;
};

/** A setting and the RFC that set it. @public */
export type SettingSource = { rfcId: string; at: string };

/**
 * The patch and continuity settings in force for one entity.
 *
 * @public
 */
export type EntityOpsSettings = {
  maintenanceWindow: (MaintenanceWindow & SettingSource) | null;
  /** The next start of the maintenance window, ISO, when one is set. */
  nextMaintenanceAt: string | null;
  /** In force while `until` is in the future. */
  patchingExclusion: {
    until: string;
    justification: string;
    rfcId: string;
    at: string;
  } | null;
  /** Updates the owner rejected and has not applied since. */
  rejectedUpdates: { updateId: string; rfcId: string; at: string }[];
  backupSchedule: (BackupSchedule & SettingSource) | null;
};
