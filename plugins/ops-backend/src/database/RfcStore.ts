import type {
  OpsOperation,
  Rfc,
  RfcAction,
  RfcAuditEvent,
  RfcListQuery,
  RfcStatus,
} from '@cloud-ops/plugin-ops-common';

export type { RfcListQuery, RfcSortField } from '@cloud-ops/plugin-ops-common';

/** Fields set when an RFC is created; the store adds id, timestamps and version. */
export type NewRfc = Omit<
  Rfc,
  'id' | 'approvals' | 'createdAt' | 'updatedAt' | 'version'
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
  event: Omit<RfcEventInput, 'fromStatus' | 'toStatus'>;
};

/** Storage of RFCs and their history. */
export interface RfcStore {
  /** Inserts the RFC and its first events in one transaction. */
  create(rfc: NewRfc, events: RfcEventInput[]): Promise<Rfc>;
  get(id: string): Promise<Rfc | undefined>;
  /**
   * One conditional update plus one audit event, in one transaction. Throws
   * ConflictError, writing nothing, when the RFC is no longer at the expected
   * status and version.
   */
  transition(transition: RfcTransition): Promise<Rfc>;
  list(query: RfcListQuery): Promise<{ items: Rfc[]; nextCursor?: string }>;
  listEvents(id: string): Promise<RfcAuditEvent[]>;
  /** RFCs still waiting for approval whose requested start time is at or before `now`. */
  listUnapprovedAtStart(now: Date, limit: number): Promise<Rfc[]>;
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
}
