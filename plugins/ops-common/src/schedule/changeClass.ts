import type { RfcStatus } from '../rfc/types';

/**
 * The three kinds of change (ITIL 4): standard changes are pre-approved,
 * normal ones are approved one by one, emergency ones answer an open P1 or
 * P2 incident and may override a freeze.
 *
 * @public
 */
export type ChangeClass = 'standard' | 'normal' | 'emergency';

/** @public */
export const CHANGE_CLASSES: readonly ChangeClass[] = [
  'standard',
  'normal',
  'emergency',
];

/** Incident priorities an emergency change may answer. @public */
export const EMERGENCY_INCIDENT_PRIORITIES = ['P1', 'P2'] as const;

/** Days an executed emergency has for its review, unless configured. @public */
export const DEFAULT_EMERGENCY_REVIEW_DAYS = 5;

/**
 * The class of an RFC: emergency when its change type or its requester says
 * so; otherwise standard when the change type is pre-approved, normal when it
 * needs an approval.
 *
 * @public
 */
export function classifyChange(options: {
  approval: string;
  changeTypeEmergency?: boolean;
  emergency: boolean;
}): ChangeClass {
  if (options.emergency || options.changeTypeEmergency) return 'emergency';
  return options.approval === 'none' ? 'standard' : 'normal';
}

/**
 * When the review of an emergency that ended at `endedAt` is due.
 *
 * @public
 */
export function emergencyReviewDueAt(
  endedAt: Date,
  days: number = DEFAULT_EMERGENCY_REVIEW_DAYS,
): string {
  return new Date(endedAt.getTime() + days * 24 * 3600_000).toISOString();
}

/** An emergency's override of the freezes that cover it. @public */
export type FreezeOverride = {
  reason: string;
  /** The freezes overridden, e.g. `FRZ-000003`. */
  freezeIds: string[];
  by: string;
  at: string;
};

/** Why the executor has not started an RFC whose time has come. @public */
export type RfcHold = {
  freezeId: string;
  freezeName: string;
  reason: string;
  /** End of the freeze occurrence it waits for. */
  until: string;
  /** When the executor first held it. */
  since: string;
  /** When the executor last looked at the freezes for it. */
  checkedAt: string;
};

/** What an emergency change taught, written after it ran. @public */
export type PostImplementationReview = {
  whatHappened: string;
  /** The problem (`PRB-000012`) or incident (`INC-000034`) of the root cause, or a URL. */
  rootCause: string;
  followUp: string;
  reviewedBy: string;
  reviewedAt: string;
  /** Written by the due date. */
  onTime: boolean;
};

/** Another change that overlaps an RFC's window on the same target or its stacks. @public */
export type RfcConflict = {
  id: string;
  title: string;
  status: RfcStatus;
  targetEntityRef: string;
  start: string;
  end: string;
};

/**
 * What an approver should know about an RFC's window. Conflicts warn and do
 * not block.
 *
 * @public
 */
export type RfcConflicts = {
  window: { start: string; end: string };
  /** Freeze occurrences in the window that hold it (or that it overrides). */
  freezes: Array<{
    freezeId: string;
    name: string;
    reason: string;
    side: 'central-it' | 'team';
    start: string;
    end: string;
    overridden: boolean;
  }>;
  /** Scheduled or in-progress RFCs on the same target or its stacks. */
  overlapping: RfcConflict[];
  /**
   * For change types that must run in the target's maintenance window: the
   * window, and whether the RFC is inside it. Absent for other change types.
   */
  maintenanceWindow?: {
    /** False when the target stack has no window in force. */
    known: boolean;
    inside: boolean;
    /** The next occurrence, when known. */
    next?: { start: string; end: string };
    schedule?: string;
  };
};
