import type {
  ChangeTypeApprovalRule,
  ChangeTypeAutomation,
  ChangeTypeRisk,
} from '../changeType';
import type { RfcBinding } from '../execution';
import { parseSequenceId } from '../ids';
import type { OpsOperation } from '../patching';
import type {
  ChangeClass,
  FreezeOverride,
  PostImplementationReview,
  RfcHold,
} from '../schedule/changeClass';

/**
 * Where an RFC is in its life. `Success`, `Failure`, `Rejected` and
 * `Canceled` are terminal.
 *
 * @public
 */
export type RfcStatus =
  | 'Editing'
  | 'PendingApproval'
  | 'Scheduled'
  | 'InProgress'
  | 'Success'
  | 'Failure'
  | 'Rejected'
  | 'Canceled';

/** @public */
export const RFC_STATUSES: readonly RfcStatus[] = [
  'Editing',
  'PendingApproval',
  'Scheduled',
  'InProgress',
  'Success',
  'Failure',
  'Rejected',
  'Canceled',
];

/** @public */
export const RFC_TERMINAL_STATUSES: readonly RfcStatus[] = [
  'Success',
  'Failure',
  'Rejected',
  'Canceled',
];

/**
 * Who asked for the change: a business-unit user, or Central IT acting on a
 * team's behalf. It decides which side approves.
 *
 * @public
 */
export type RfcOrigin = 'user' | 'central-it';

/** @public */
export const RFC_ORIGINS: readonly RfcOrigin[] = ['user', 'central-it'];

/** @public */
export type RfcApprovalDecision = 'approved' | 'rejected';

/** One decision taken on an RFC. @public */
export type RfcApproval = {
  /** User entity ref of the approver, or `system` for automatic decisions. */
  approver: string;
  decision: RfcApprovalDecision;
  comment?: string;
  /** ISO 8601 timestamp */
  at: string;
};

/**
 * A Request for Change.
 *
 * @public
 */
export type Rfc = {
  /** Readable id, e.g. `RFC-000123`. */
  id: string;
  changeTypeId: string;
  changeTypeVersion: string;
  title: string;
  description: string;
  /** The component or stack the change applies to. */
  targetEntityRef: string;
  parameters: Record<string, unknown>;
  /**
   * The patch or continuity setting this RFC changes, copied from its change
   * type when it was created; absent for other changes.
   */
  operation?: OpsOperation;
  /**
   * Whether the executor carries the change out (`automated`) or a person
   * does (`manual`), from the change type when the RFC was created.
   */
  automation: ChangeTypeAutomation;
  /**
   * The pinned change-type version's template and Service Catalog product;
   * absent on RFCs recorded before versions were pinned.
   */
  binding?: RfcBinding;

  /** Group that owns the target entity, read from the catalog. */
  ownerGroup: string;
  origin: RfcOrigin;
  /** User entity ref of whoever created the RFC. */
  requester: string;
  /** The change type's approval rule when the RFC was created. */
  approvalRule: ChangeTypeApprovalRule;
  /** Group whose members may approve, or absent when nobody needs to. */
  approverGroup?: string;

  implementationPlan: string;
  /** How the change was or will be tested. */
  testPlan: string;
  peerReviewer?: string;
  rollbackPlan: string;
  risk: ChangeTypeRisk;
  outcomeNotes?: string;

  /** ISO 8601 timestamps */
  requestedStartTime?: string;
  requestedEndTime?: string;
  /**
   * The change type's expected duration (ISO 8601), which ends the
   * requested window when no end is given.
   */
  expectedDuration?: string;

  /** Standard (pre-approved), normal, or emergency. */
  changeClass?: ChangeClass;
  /** The open P1 or P2 incident an emergency answers. */
  emergencyIncidentId?: string;
  /** The freezes an emergency overrides, and why. */
  freezeOverride?: FreezeOverride;
  /** Set while the executor waits for a freeze to end before starting it. */
  hold?: RfcHold;
  /** The post-implementation review of an emergency, once written. */
  review?: PostImplementationReview;
  /** When an executed emergency's review is due. */
  reviewDueAt?: string;
  /**
   * A Central IT Critical Security Update: a team's own freeze does not
   * hold it. From the change type.
   */
  criticalSecurityUpdate?: boolean;
  /** Its change type must run inside the target's maintenance window. */
  needsMaintenanceWindow?: boolean;

  status: RfcStatus;
  /** Why the RFC reached its current status, when someone said so. */
  statusReason?: string;
  approvals: RfcApproval[];
  /** The scaffolder task of the current execution attempt. */
  taskId?: string;
  /**
   * Execution attempts so far: 1 once the executor first starts it, one more
   * for every explicit retry of a Failure.
   */
  attempt: number;

  createdAt: string;
  updatedAt: string;
  /** Incremented by every change; mutations must name the current one. */
  version: number;
};

/**
 * One entry of an RFC's append-only history.
 *
 * @public
 */
export type RfcAuditEvent = {
  id: number;
  rfcId: string;
  /** User entity ref, or `system` for scheduled work. */
  actor: string;
  action: RfcAction | 'create';
  fromStatus?: RfcStatus;
  toStatus: RfcStatus;
  comment?: string;
  at: string;
};

/**
 * What can be done to an RFC.
 *
 * - `edit`: change its fields while it is being written.
 * - `submit`: ask for approval (pre-approved change types skip the wait).
 * - `approve` / `reject`: the approving side decides.
 * - `cancel`: withdraw it before it runs.
 * - `start`: begin executing it once its start time has come: the executor
 *   for automated change types, a person for manual ones.
 * - `succeed` / `fail`: record the outcome.
 * - `retry`: schedule a failed RFC again, as a new execution attempt.
 * - `expire`: rejected by the system because it was still unapproved at its
 *   requested start time.
 * - `hold` / `release`: the executor waits for a freeze to end before
 *   starting a scheduled RFC, and stops waiting; the status stays.
 * - `review`: record the post-implementation review of an executed
 *   emergency change; the status stays.
 *
 * @public
 */
export type RfcAction =
  | 'edit'
  | 'submit'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'start'
  | 'succeed'
  | 'fail'
  | 'retry'
  | 'expire'
  | 'hold'
  | 'release'
  | 'review';

/** @public */
export const RFC_ACTIONS: readonly RfcAction[] = [
  'edit',
  'submit',
  'approve',
  'reject',
  'cancel',
  'start',
  'succeed',
  'fail',
  'retry',
  'expire',
  'hold',
  'release',
  'review',
];

/** Formats the numeric part of an RFC id. @public */
export function formatRfcId(sequence: number): string {
  return `RFC-${String(sequence).padStart(6, '0')}`;
}

/**
 * Reads the numeric part of an RFC id, or undefined when it is not one or
 * its number is out of range (no RFC can have it).
 *
 * @public
 */
export function parseRfcId(id: string): number | undefined {
  return parseSequenceId('RFC', id);
}

/** Fields the RFC list can be sorted by. @public */
export type RfcSortField =
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'requestedStartTime';

/**
 * Filters, sort and paging of the RFC list (`GET /api/ops/rfcs`); every field
 * narrows the result.
 *
 * @public
 */
export type RfcListQuery = {
  status?: RfcStatus[];
  owner?: string;
  targetEntityRef?: string;
  requester?: string;
  origin?: RfcOrigin;
  changeTypeId?: string;
  changeClass?: ChangeClass;
  /**
   * Executed emergencies whose review is not written: `due` all of them,
   * `overdue` those past their due date.
   */
  review?: 'due' | 'overdue';
  /** Inclusive bounds on the requested start time, ISO 8601. */
  from?: string;
  to?: string;
  sort?: RfcSortField;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
};
