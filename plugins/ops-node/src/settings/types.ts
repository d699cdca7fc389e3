import type {
  BackupSchedule,
  MaintenanceWindow,
} from '@cloud-ops/plugin-ops-common';

/**
 * Which implementation answers: `aws` calls AWS through SDK v3; `sandbox` is
 * the in-process simulated account of local runs.
 *
 * @public
 */
export type GatewayImplementation = 'aws' | 'sandbox';

/**
 * A stack (or a component's resources) as the settings gateways see it: where
 * it lives, which entity it is, and the tag pairs that find its resources.
 *
 * @public
 */
export type StackTarget = {
  account: string;
  region: string;
  /** Full entity ref, e.g. `resource:default/orders-db`. Tagged on what the gateways create. */
  entityRef: string;
  /** Tag pairs every AWS resource of the stack carries; at least one. */
  selector: Record<string, string>;
};

/**
 * Who asks for a write and how to make it idempotent: the RFC, its attempt,
 * and the token derived from both (`executionToken`). Gateways put the token
 * in ClientToken / IdempotencyToken / CreatorRequestId, or in a name only one
 * attempt can create, and tag what they create with the RFC.
 *
 * @public
 */
export type ChangeStamp = {
  rfcId: string;
  attempt: number;
  token: string;
};

/** @public */
export type MaintenanceWindowResult = {
  windowId: string;
  /** The SSM schedule written, e.g. `cron(0 3 ? * TUE#2 *)`. */
  schedule: string;
  /** False when the window existed and was updated. */
  created: boolean;
};

/**
 * SSM patching of a stack: its maintenance window (targets by tag and an
 * AWS-RunPatchBaseline task), its patching exclusion, and the updates its
 * patch baseline rejects.
 *
 * @public
 */
export interface PatchingGateway {
  readonly implementation: GatewayImplementation;
  /** Creates or updates the stack's maintenance window. */
  setMaintenanceWindow(request: {
    stack: StackTarget;
    window: MaintenanceWindow;
    stamp: ChangeStamp;
  }): Promise<MaintenanceWindowResult>;
  /**
   * Excludes the stack from patching until `until` (its window is disabled
   * and says until when), or, with `until: null`, includes it again.
   */
  setPatchingExclusion(request: {
    stack: StackTarget;
    until: string | null;
    justification?: string;
    stamp: ChangeStamp;
  }): Promise<{ windowId: string }>;
  /** Adds the update to the rejected patches of the stack's baseline. */
  rejectUpdate(request: {
    stack: StackTarget;
    updateId: string;
    stamp: ChangeStamp;
  }): Promise<{ baselineId: string }>;
  /**
   * Lifts a rejection of the update and installs it on the stack's managed
   * instances with a patch run.
   */
  applyUpdate(request: {
    stack: StackTarget;
    updateId: string;
    stamp: ChangeStamp;
  }): Promise<{ baselineId: string; commandId?: string }>;
}

/** What a snapshot request started, per resource. @public */
export type SnapshotStarted = {
  resourceArn: string;
  /** `backup-job` for resources in AWS Backup, else the native snapshot. */
  kind: 'backup-job' | 'ebs-snapshot' | 'rds-snapshot';
  id: string;
};

/**
 * AWS Backup of a stack: its backup plan and selection by tag, on-demand
 * snapshots and restores.
 *
 * @public
 */
export interface BackupGateway {
  readonly implementation: GatewayImplementation;
  /** Creates or updates the stack's backup plan and its selection by tag. */
  setBackupSchedule(request: {
    stack: StackTarget;
    schedule: BackupSchedule;
    stamp: ChangeStamp;
  }): Promise<{ planId: string; selectionId: string; created: boolean }>;
  /** Backs up every resource of the stack once, outside the schedule. */
  takeSnapshot(request: {
    stack: StackTarget;
    stamp: ChangeStamp;
  }): Promise<{ started: SnapshotStarted[] }>;
  /** Starts a restore from a recovery point of the stack. */
  restore(request: {
    stack: StackTarget;
    recoveryPointId: string;
    stamp: ChangeStamp;
  }): Promise<{ restoreJobId: string }>;
}

/**
 * The patch and backup settings AWS holds for a stack, as the settings
 * reader finds them: the resources the gateways created, tagged with the
 * stack's entity ref and the RFC that last wrote them.
 *
 * @public
 */
export type StackSettingsInForce = {
  maintenanceWindow: {
    id: string;
    name: string;
    schedule: string;
    /** The schedule read back as a monthly window, when it is one. */
    window?: MaintenanceWindow;
    enabled: boolean;
    nextExecutionAt?: string;
    /** Set while the stack is excluded from patching. */
    excludedUntil?: string;
    rfcId?: string;
  } | null;
  rejectedUpdates: { updateId: string; baselineId: string; rfcId?: string }[];
  backupPlan: {
    id: string;
    name: string;
    schedule: string;
    /** The plan read back as a schedule, when it is one the suite writes. */
    backupSchedule?: BackupSchedule;
    rfcId?: string;
  } | null;
};

/**
 * Reads the settings in force for many stacks at once, batched per account
 * and region.
 *
 * @public
 */
export interface SettingsReader {
  readonly implementation: GatewayImplementation;
  /** Results keyed by the targets' entity refs, lower-cased. */
  readSettings(
    stacks: StackTarget[],
  ): Promise<
    Map<
      string,
      | { ok: true; settings: StackSettingsInForce }
      | { ok: false; error: string }
    >
  >;
}
