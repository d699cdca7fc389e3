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

/**
 * The stack's SSM maintenance window as AWS holds it.
 *
 * @public
 */
export type MaintenanceWindowInForce = {
  id: string;
  name: string;
  /** The SSM schedule, e.g. `cron(0 3 ? * TUE#2 *)`. */
  schedule: string;
  /** The schedule read back as a monthly window, when it is one. */
  window?: MaintenanceWindow;
  enabled: boolean;
  nextExecutionAt?: string;
  /** Set while the stack is excluded from patching. */
  excludedUntil?: string;
  /** The RFC named by the resource's `cloud-ops.io/rfc` tag. */
  rfcId?: string;
};

/** An update the stack's patch baseline rejects. @public */
export type RejectedUpdateInForce = {
  updateId: string;
  baselineId: string;
  /** The RFC named by the baseline's `cloud-ops.io/rfc` tag. */
  rfcId?: string;
};

/** The stack's AWS Backup plan as AWS holds it. @public */
export type BackupPlanInForce = {
  id: string;
  name: string;
  /** The backup rule's schedule, e.g. `cron(0 2 ? * * *)`. */
  schedule: string;
  /** The plan read back as a schedule, when it is one the suite writes. */
  backupSchedule?: BackupSchedule;
  /** The RFC named by the plan's `cloud-ops.io/rfc` tag. */
  rfcId?: string;
};

/**
 * The patch and backup settings AWS (or the sandbox) holds for a stack, as
 * the settings reader of `@cloud-ops/plugin-ops-node` finds them; its
 * `StackSettingsInForce` has this shape.
 *
 * @public
 */
export type StackSettingsInForce = {
  maintenanceWindow: MaintenanceWindowInForce | null;
  rejectedUpdates: RejectedUpdateInForce[];
  backupPlan: BackupPlanInForce | null;
};

/** The settings compared between an entity's RFCs and AWS. @public */
export type DriftedSetting =
  | 'maintenanceWindow'
  | 'patchingExclusion'
  | 'rejectedUpdate'
  | 'backupSchedule';

/**
 * A setting where what the entity's successful RFCs set and what AWS holds
 * differ: changed outside the portal, or a change that was not carried out.
 *
 * @public
 */
export type SettingDrift = {
  setting: DriftedSetting;
  /** The update, for `rejectedUpdate`. */
  updateId?: string;
  /**
   * What the RFCs set, e.g. `the second Tuesday of each month, 03:00 UTC,
   * for 1 hour (RFC-000012)`; null when no RFC set it.
   */
  expected: string | null;
  /** What AWS holds, in the same words; null when AWS has none. */
  actual: string | null;
  /** The RFC that set the expected value, when one did. */
  rfcId?: string;
  message: string;
};
