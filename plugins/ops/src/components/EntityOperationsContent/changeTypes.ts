/**
 * Change types the Operations cards start RFCs with. Patch and continuity
 * settings change only through these.
 */
export const OPS_CHANGE_TYPES = {
  setMaintenanceWindow: 'set-maintenance-window',
  excludeFromPatching: 'exclude-stack-from-patching',
  includeInPatching: 'include-stack-in-patching',
  /** Parameter `updateId`. */
  rejectUpdate: 'reject-patch-update',
  /** Parameter `updateId`. */
  applyUpdate: 'apply-patch-update',
  setBackupSchedule: 'set-backup-schedule',
  requestSnapshot: 'request-backup-snapshot',
  /** Parameter `recoveryPointId`. */
  restoreFromRecoveryPoint: 'restore-from-recovery-point',
  /** Restores a recovery point into a new stack next to the original; parameter `snapshotId`. */
  restoreIntoNewStack: 'restore-stack-from-snapshot',
} as const;

/** A link to the new-RFC page for this entity, prefilled with a change type and parameters. */
export type NewRfcLink = (
  changeType: string,
  parameters?: Record<string, string>,
) => string;
