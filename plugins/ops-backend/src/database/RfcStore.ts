import type {
  OpsOperation,
  Rfc,
  RfcExecutionOutput,
  RfcAction,
  RfcAuditEvent,
  RfcListQuery,
  RfcStatus,
} from '@cloud-ops/plugin-ops-common';

export type { RfcListQuery, RfcSortField } from '@cloud-ops/plugin-ops-common';

/** Fields set when an RFC is created; the store adds id, timestamps, version and attempt. */
export type NewRfc = Omit<
  Rfc,
  | 'id'
  | 'approvals'
  | 'createdAt'
  | 'updatedAt'
  | 'version'
  | 'attempt'
  | 'hold'
  | 'review'
  | 'reviewDueAt'
>;

/** Fields a transition may change besides the status. */
export type RfcChanges = Partial<
  Pick<
    Rfc,
    | 'title'
    | 'description'
    | 'parameters'
    | 'implementationPlan'
    | 'testPlan'
    | 'peerReviewer'
    | 'rollbackPlan'
    | 'risk'
    | 'requestedStartTime'
    | 'requestedEndTime'
    | 'approverGroup'
    | 'outcomeNotes'
    | 'statusReason'
    | 'taskId'
    | 'freezeOverride'
    | 'hold'
    | 'review'
    | 'reviewDueAt'
  >
>;

export type RfcEventInput = {
  actor: string;
  action: RfcAction | 'create';
  fromStatus?: RfcStatus;
  toStatus: RfcStatus;
  comment?: string;
};

export type RfcTransition = {
  id: string;
  /** The status and version the caller read; anything else is a lost race. */
  expectedStatus: RfcStatus;
  expectedVersion: number;
  toStatus: RfcStatus;
  changes?: RfcChanges;
  /** The executor's bookkeeping, written with the transition. */
  execution?: {
    /** Starts a new attempt, or repeats the expected one. */
    attempt?: number;
    /** Hash of the new attempt's execution secret; null clears it. */
    secretHash?: string | null;
    /** Only the replica holding the RFC's lease may make this transition. */
    leaseOwner?: string;
    /** Drops the lease, e.g. when the RFC is closed. */
    releaseLease?: boolean;
  };
  event: Omit<RfcEventInput, 'fromStatus' | 'toStatus'>;
};

/** What the execution endpoints check a proof against. */
export type RfcExecutionState = {
  status: Rfc['status'];
  attempt: number;
  taskId?: string;
  secretHash?: string;
  leaseOwner?: string;
  leaseExpiresAt?: string;
};

/**
 * Storage of RFCs and their history. Every change to an RFC appends its
 * entry to the audit log in the same transaction: both are written, or
 * neither.
 */
export interface RfcStore {
  /** Inserts the RFC, its first events and their audit entries in one transaction. */
  create(rfc: NewRfc, events: RfcEventInput[]): Promise<Rfc>;
  get(id: string): Promise<Rfc | undefined>;
  /**
   * One conditional update plus one audit event, in one transaction. Throws
   * ConflictError, writing nothing, when the RFC is no longer at the expected
   * status and version.
   */
  transition(transition: RfcTransition): Promise<Rfc>;
  list(
    query: RfcListQuery & {
      /**
       * Only RFCs this caller may read: owned by one of the groups, or
       * requested by the user. Lower-cased refs. Absent: all RFCs.
       */
      visibleTo?: { ownerGroups: string[]; requester: string };
      /** What `review: overdue` is measured against; default the clock. */
      now?: Date;
    },
  ): Promise<{ items: Rfc[]; nextCursor?: string }>;
  listEvents(id: string): Promise<RfcAuditEvent[]>;
  /** RFCs still waiting for approval whose requested start time is at or before `now`. */
  listUnapprovedAtStart(now: Date, limit: number): Promise<Rfc[]>;
  /**
   * Executed emergencies whose review is not written, soonest due first;
   * with `overdueAt`, only those due before it.
   */
  listEmergencyReviews(query: {
    overdueAt?: Date;
    limit: number;
  }): Promise<Rfc[]>;
  /**
   * RFCs that performed a patch or continuity operation and reached
   * `Success`, oldest first, without their approvals. The settings in force
   * are derived from them.
   */
  listSuccessfulOperations(query: {
    /** Full, lower-case entity refs; all entities when absent. */
    targetEntityRefs?: string[];
    operations?: OpsOperation[];
  }): Promise<Rfc[]>;
  /** Entities with at least one successful RFC of the operation. */
  listTargetsWithOperation(operation: OpsOperation): Promise<string[]>;

  /**
   * Leases RFCs of automated change types the executor has work on: approved
   * ones whose start time has come, and ones in progress. An RFC is leased to
   * one replica at a time; another takes it over only once the lease has
   * expired. Returns the RFCs this owner now holds.
   */
  claimForExecution(options: {
    now: Date;
    owner: string;
    leaseUntil: Date;
    limit: number;
  }): Promise<Rfc[]>;
  /** Extends a lease this owner holds; false when it holds it no longer. */
  renewLease(id: string, owner: string, leaseUntil: Date): Promise<boolean>;
  releaseLease(id: string, owner: string): Promise<void>;
  /**
   * Records the scaffolder task of the RFC's current attempt, once. False when
   * the RFC moved on, the attempt changed or a task is already recorded.
   */
  recordExecutionTask(options: {
    id: string;
    attempt: number;
    owner: string;
    taskId: string;
    /** Replaces the attempt's secret, when the task is a relaunch. */
    secretHash?: string;
  }): Promise<boolean>;
  /** Replaces the secret of an attempt whose task was never recorded. */
  rotateExecutionSecret(options: {
    id: string;
    attempt: number;
    owner: string;
    secretHash: string;
  }): Promise<boolean>;
  getExecutionState(id: string): Promise<RfcExecutionState | undefined>;
  /**
   * Stores outputs of an execution step; a repeated name keeps the first
   * value. Each call is one `execution-step` audit entry.
   */
  addExecutionOutputs(options: {
    id: string;
    attempt: number;
    stepId: string;
    outputs: Record<string, string>;
  }): Promise<void>;
  listExecutionOutputs(id: string): Promise<RfcExecutionOutput[]>;
}
