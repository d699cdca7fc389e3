import {
  cronToMaintenanceWindow,
  patchingExclusionEndsAt,
  type BackupPlanInForce,
  type BackupSchedule,
  type EntityOpsSettings,
  type MaintenanceWindow,
  type MaintenanceWindowInForce,
  type OperationsSource,
  type SettingDrift,
  type StackSettingsInForce,
} from '@cloud-ops/plugin-ops-common';
import { describeMaintenanceWindow } from '../Settings/MaintenanceNotifier';

const FREQUENCIES: Record<BackupSchedule['frequency'], string> = {
  'every-12-hours': 'every 12 hours',
  daily: 'daily',
  weekly: 'weekly on Sundays',
};

/** e.g. "daily from 02:00 UTC, kept 35 days" */
export function describeBackupSchedule(schedule: BackupSchedule): string {
  return `${FREQUENCIES[schedule.frequency] ?? schedule.frequency} from ${
    schedule.startTime
  } UTC, kept ${schedule.retentionDays} days`;
}

const by = (rfcId?: string) => (rfcId ? ` (${rfcId})` : '');

function sameWindow(a: MaintenanceWindow, b: MaintenanceWindow | undefined) {
  return (
    b !== undefined &&
    String(a.week) === String(b.week) &&
    a.weekday === b.weekday &&
    a.startTime === b.startTime &&
    (a.durationHours || 1) === (b.durationHours || 1)
  );
}

function sameSchedule(a: BackupSchedule, b: BackupSchedule | undefined) {
  return (
    b !== undefined &&
    a.frequency === b.frequency &&
    a.startTime === b.startTime &&
    a.retentionDays === b.retentionDays
  );
}

/** A plain date and the end of that day are the same exclusion end. */
function sameExclusionEnd(a: string, b: string) {
  return a === b || patchingExclusionEndsAt(a) === patchingExclusionEndsAt(b);
}

function describeWindowInForce(window: MaintenanceWindowInForce): string {
  const monthly = window.window ?? cronToMaintenanceWindow(window.schedule);
  return `${
    monthly ? describeMaintenanceWindow(monthly) : `schedule ${window.schedule}`
  }${by(window.rfcId)}`;
}

function describePlanInForce(plan: BackupPlanInForce): string {
  return `${
    plan.backupSchedule
      ? describeBackupSchedule(plan.backupSchedule)
      : `backup plan ${plan.name}, schedule ${plan.schedule}`
  }${by(plan.rfcId)}`;
}

/**
 * Where the settings AWS holds differ from what the entity's successful RFCs
 * set: one entry per setting that differs, that AWS has and no RFC set, or
 * that an RFC set and AWS lacks. Equal settings give no entry.
 *
 * `expected` is undefined when the entity has no settings RFCs. Windows
 * disabled in AWS count as an exclusion from patching, with or without an
 * end date; `now` decides whether an exclusion AWS records has ended.
 */
export function compareSettings(options: {
  expected: EntityOpsSettings | undefined;
  inForce: StackSettingsInForce;
  source: OperationsSource;
  now: Date;
}): SettingDrift[] {
  const { expected, inForce, now } = options;
  const where = options.source === 'sandbox' ? 'the sandbox' : 'AWS';
  const Where = options.source === 'sandbox' ? 'The sandbox' : 'AWS';
  const drift: SettingDrift[] = [];

  const rfcWindow = expected?.maintenanceWindow ?? null;
  const awsWindow = inForce.maintenanceWindow;
  if (rfcWindow && !awsWindow) {
    drift.push({
      setting: 'maintenanceWindow',
      expected: `${describeMaintenanceWindow(rfcWindow)}${by(rfcWindow.rfcId)}`,
      actual: null,
      rfcId: rfcWindow.rfcId,
      message: `${rfcWindow.rfcId} set a maintenance window, but ${where} has none: the change was not carried out, or the window was deleted outside the portal.`,
    });
  } else if (!rfcWindow && awsWindow) {
    drift.push({
      setting: 'maintenanceWindow',
      expected: null,
      actual: describeWindowInForce(awsWindow),
      message: `${Where} has a maintenance window that no successful RFC set: it was set outside the portal.`,
    });
  } else if (
    rfcWindow &&
    awsWindow &&
    !sameWindow(
      rfcWindow,
      awsWindow.window ?? cronToMaintenanceWindow(awsWindow.schedule),
    )
  ) {
    drift.push({
      setting: 'maintenanceWindow',
      expected: `${describeMaintenanceWindow(rfcWindow)}${by(rfcWindow.rfcId)}`,
      actual: describeWindowInForce(awsWindow),
      rfcId: rfcWindow.rfcId,
      message: `The maintenance window in ${where} is not the one ${rfcWindow.rfcId} set: it was changed outside the portal, or the change was not carried out.`,
    });
  }

  const rfcExclusion = expected?.patchingExclusion ?? null;
  const awsExcludedUntil =
    awsWindow?.excludedUntil &&
    patchingExclusionEndsAt(awsWindow.excludedUntil) > now.getTime()
      ? awsWindow.excludedUntil
      : undefined;
  // A disabled window patches nothing, whatever its end date says.
  const awsExcluded = Boolean(
    awsWindow && (awsExcludedUntil || !awsWindow.enabled),
  );
  const awsExclusion = () =>
    awsWindow?.excludedUntil
      ? `excluded until ${awsWindow.excludedUntil}${by(awsWindow.rfcId)}`
      : `maintenance window disabled, with no end date${by(awsWindow?.rfcId)}`;
  if (rfcExclusion && !awsExcluded) {
    drift.push({
      setting: 'patchingExclusion',
      expected: `excluded until ${rfcExclusion.until}${by(rfcExclusion.rfcId)}`,
      actual: awsWindow
        ? 'not excluded: the maintenance window is enabled'
        : null,
      rfcId: rfcExclusion.rfcId,
      message: `${rfcExclusion.rfcId} excluded the stack from patching until ${rfcExclusion.until}, but ${where} still patches it: the change was not carried out, or it was undone outside the portal.`,
    });
  } else if (!rfcExclusion && awsExcluded) {
    drift.push({
      setting: 'patchingExclusion',
      expected: null,
      actual: awsExclusion(),
      message: `${Where} does not patch the stack, but no successful RFC excludes it now: it was excluded outside the portal, or an ended exclusion was not lifted.`,
    });
  } else if (
    rfcExclusion &&
    awsExcluded &&
    !(
      awsExcludedUntil &&
      !awsWindow?.enabled &&
      sameExclusionEnd(rfcExclusion.until, awsExcludedUntil)
    )
  ) {
    drift.push({
      setting: 'patchingExclusion',
      expected: `excluded until ${rfcExclusion.until}${by(rfcExclusion.rfcId)}`,
      actual: awsExclusion(),
      rfcId: rfcExclusion.rfcId,
      message: `The patching exclusion in ${where} is not the one ${rfcExclusion.rfcId} set: it was changed outside the portal, or the change was not carried out.`,
    });
  }

  const awsRejected = new Map(
    inForce.rejectedUpdates.map(r => [r.updateId, r]),
  );
  const rfcRejected = new Map(
    (expected?.rejectedUpdates ?? []).map(r => [r.updateId, r]),
  );
  for (const [updateId, { rfcId }] of rfcRejected) {
    if (awsRejected.has(updateId)) continue;
    drift.push({
      setting: 'rejectedUpdate',
      updateId,
      expected: `${updateId} rejected${by(rfcId)}`,
      actual: null,
      rfcId,
      message: `${rfcId} rejected ${updateId}, but the patch baseline in ${where} does not reject it: it is installed in the next window.`,
    });
  }
  for (const [updateId, { baselineId, rfcId }] of awsRejected) {
    if (rfcRejected.has(updateId)) continue;
    drift.push({
      setting: 'rejectedUpdate',
      updateId,
      expected: null,
      actual: `${updateId} rejected by patch baseline ${baselineId}${by(
        rfcId,
      )}`,
      message: `The patch baseline in ${where} rejects ${updateId}, but no successful RFC rejected it, or a later one applied it: it was rejected outside the portal.`,
    });
  }

  const rfcBackup = expected?.backupSchedule ?? null;
  const awsPlan = inForce.backupPlan;
  if (rfcBackup && !awsPlan) {
    drift.push({
      setting: 'backupSchedule',
      expected: `${describeBackupSchedule(rfcBackup)}${by(rfcBackup.rfcId)}`,
      actual: null,
      rfcId: rfcBackup.rfcId,
      message: `${rfcBackup.rfcId} set a backup schedule, but ${where} has no backup plan for the stack: the change was not carried out, or the plan was deleted outside the portal.`,
    });
  } else if (!rfcBackup && awsPlan) {
    drift.push({
      setting: 'backupSchedule',
      expected: null,
      actual: describePlanInForce(awsPlan),
      message: `${Where} has a backup plan for the stack that no successful RFC set: it was set outside the portal.`,
    });
  } else if (
    rfcBackup &&
    awsPlan &&
    !sameSchedule(rfcBackup, awsPlan.backupSchedule)
  ) {
    drift.push({
      setting: 'backupSchedule',
      expected: `${describeBackupSchedule(rfcBackup)}${by(rfcBackup.rfcId)}`,
      actual: describePlanInForce(awsPlan),
      rfcId: rfcBackup.rfcId,
      message: `The backup plan in ${where} is not the schedule ${rfcBackup.rfcId} set: it was changed outside the portal, or the change was not carried out.`,
    });
  }
  return drift;
}
