import type {
  MaintenanceWindowSummary,
  RecoveryPointSummary,
} from '@cloud-ops/plugin-ops-common';

/** A restore job of the sandbox account. @public */
export type SandboxRestoreJob = {
  id: string;
  recoveryPointId: string;
  status: 'RUNNING' | 'COMPLETED';
  createdAt: string;
  /** Set once the job has completed. */
  completedAt?: string;
  rfcId: string;
};

/** A patch run an `apply-update` started in the sandbox account. @public */
export type SandboxPatchRun = {
  commandId: string;
  updateId: string;
  baselineId: string;
  createdAt: string;
  rfcId: string;
};

/**
 * What the sandbox operations reader shows of the sandbox account, so the
 * Operations tab shows what the settings gateways wrote. Entity refs are
 * matched case-insensitively.
 *
 * @public
 */
export interface SandboxAccountState {
  /** The stack's own maintenance window; no next execution while it is disabled. */
  maintenanceWindowFor(entityRef: string): MaintenanceWindowSummary | undefined;
  /** Completed on-demand recovery points of the stack, newest first. */
  onDemandRecoveryPoints(entityRef: string): RecoveryPointSummary[];
  /** Restore jobs started for the stack, newest first. */
  restoreJobsFor(entityRef: string): SandboxRestoreJob[];
}
