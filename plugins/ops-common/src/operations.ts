import { OPS_ANNOTATION_PREFIX } from './annotations';
import type { TagPolicyViolation } from './tagPolicy';
import type { Incident } from './incidents';
import type {
  EntityOpsSettings,
  PendingUpdate,
  SettingDrift,
  StackSettingsInForce,
} from './patching';

/**
 * Operations data shown on an entity's Operations tab: alarms, patch
 * compliance, backups and the patch and backup settings in force, read from
 * AWS by a scheduled refresh and served from stored snapshots, plus tag
 * compliance, RACI and recent RFCs.
 */

/**
 * The kinds of snapshot stored per entity. `settings` is read by the
 * settings reader, the others by the operations reader.
 *
 * @public
 */
export type OperationsSnapshotKind =
  | 'alarms'
  | 'patch'
  | 'backups'
  | 'settings';

/** @public */
export const OPERATIONS_SNAPSHOT_KINDS: readonly OperationsSnapshotKind[] = [
  'alarms',
  'patch',
  'backups',
  'settings',
];

/** Where the data came from; `sandbox` data is simulated and must be labelled as such. @public */
export type OperationsSource = 'aws' | 'sandbox';

/** Entity annotation holding RACI overrides as JSON, keyed by activity id. @public */
export const ANNOTATION_RACI_OVERRIDES = `${OPS_ANNOTATION_PREFIX}/raci-overrides`;

/**
 * A source of a snapshot that could not be read while the others were, e.g.
 * AWS Backup failing while the EBS and RDS snapshots were read.
 *
 * @public
 */
export type OperationsSourceWarning = {
  /**
   * The AWS source: `aws-backup`, `ebs-snapshots`, `rds-snapshots`,
   * `maintenance-windows` or `pending-updates`.
   */
  source: string;
  /** Which call failed, where, and what AWS said. */
  error: string;
  /** Resources left out because only this source could say how they stand. */
  resourcesLeftOut?: number;
};

/**
 * What a read could not use, carried beside the data of a snapshot. Both
 * fields are absent when everything was read.
 *
 * @public
 */
export type OperationsReadNotes = {
  warnings?: OperationsSourceWarning[];
  /**
   * Resources selected for the entity whose ARN the reader did not
   * understand (malformed, or without the resource type its service uses),
   * so they are in no section; a few of them as examples.
   */
  notUnderstood?: { count: number; examples: string[] };
};

/** @public */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One CloudWatch alarm. @public */
export type AlarmSummary = {
  name: string;
  arn: string;
  state: AlarmState;
  reason: string;
  /** ISO time of the last state change. */
  stateUpdatedAt?: string;
  metric?: { namespace?: string; name?: string };
  consoleUrl: string;
};

/** @public */
export type AlarmsSnapshot = { alarms: AlarmSummary[] } & OperationsReadNotes;

/** An SSM maintenance window covering an instance. @public */
export type MaintenanceWindowSummary = {
  id: string;
  name: string;
  schedule?: string;
  nextExecutionAt?: string;
};

/** Patch state of one managed instance. @public */
export type InstancePatchState = {
  instanceId: string;
  installed: number;
  missing: number;
  failed: number;
  criticalMissing: number;
  securityMissing: number;
  /** ISO time the last patch scan or install finished. */
  lastScanAt?: string;
  baselineId?: string;
  maintenanceWindow?: MaintenanceWindowSummary;
  /** The missing updates, classified by the patch policy, when the reader lists them. */
  pendingUpdates?: PendingUpdate[];
  /** No missing or failed patches. */
  compliant: boolean;
};

/** @public */
export type PatchSnapshot = {
  instances: InstancePatchState[];
  /** Instances found by tag that SSM has no patch state for. */
  unmanagedInstanceIds: string[];
} & OperationsReadNotes;

/** How a resource is backed up. @public */
export type BackupMethod =
  | 'aws-backup'
  | 'ebs-snapshot'
  | 'rds-snapshot'
  | 'none';

/** One recovery point (AWS Backup recovery point, EBS or RDS snapshot). @public */
export type RecoveryPointSummary = {
  id: string;
  completedAt: string;
  status: 'COMPLETED' | 'PARTIAL' | 'FAILED' | 'EXPIRED';
  /** `scheduled` or `on-demand`. */
  origin: 'scheduled' | 'on-demand';
  sizeBytes?: number;
};

/** Backup state of one resource. @public */
export type ResourceBackupState = {
  resourceArn: string;
  resourceType: string;
  method: BackupMethod;
  lastRecoveryPoint?: {
    id: string;
    completedAt: string;
    ageHours: number;
  };
  /**
   * Completed recovery points, newest first: at most 30 in the snapshot,
   * the latest 8 in the Operations tab's answer.
   */
  recoveryPoints?: RecoveryPointSummary[];
  plan?: { id: string; name: string; schedule?: string };
  /** Hours between backups the plan or default expects. */
  expectedIntervalHours: number;
  /** No good recovery point within the expected interval (plus grace). */
  overdue: boolean;
};

/** @public */
export type BackupsSnapshot = {
  resources: ResourceBackupState[];
} & OperationsReadNotes;

/**
 * The patch and backup settings AWS holds for an entity's stack, and where
 * they differ from what its successful RFCs set, compared when they were read.
 *
 * @public
 */
export type SettingsSnapshot = StackSettingsInForce & {
  drift: SettingDrift[];
};

/** @public */
export type OperationsSnapshotPayloads = {
  alarms: AlarmsSnapshot;
  patch: PatchSnapshot;
  backups: BackupsSnapshot;
  settings: SettingsSnapshot;
};

/**
 * One stored snapshot as served: `data` is the last good read (or null when
 * there has never been one); `stale` and `error` say the latest read failed.
 *
 * @public
 */
export type OperationsSection<T> = {
  data: T | null;
  /** ISO time of the last good read. */
  refreshedAt: string | null;
  stale: boolean;
  error?: string;
  source: OperationsSource | null;
};

/** @public */
export type RecentRfcSummary = {
  id: string;
  title: string;
  status: string;
  updatedAt: string;
};

/** @public */
export type EntityOperations = {
  entityRef: string;
  alarms: OperationsSection<AlarmsSnapshot>;
  patch: OperationsSection<PatchSnapshot>;
  backups: OperationsSection<BackupsSnapshot>;
  tagCompliance: {
    compliant: boolean;
    violations: TagPolicyViolation[];
  };
  recentRfcs: {
    /** False when no RFC source is wired in or the caller may not read RFCs; `items` is then empty. */
    available: boolean;
    items: RecentRfcSummary[];
  };
  /** Patch and backup settings derived from the entity's successful RFCs. */
  settings: EntityOpsSettings;
  /**
   * Patch and backup settings AWS (or the sandbox) holds, with their drift
   * from the RFCs, as of the last refresh.
   */
  settingsInForce: OperationsSection<SettingsSnapshot>;
  incidents: {
    /** False when incident management is not wired in. */
    available: boolean;
    /** Open incidents first, then the most recent resolved ones; at most 5. */
    items: Incident[];
  };
};
