import type { RfcAction } from './rfc';

/**
 * What the ops backend's own records append: RFC events, steps of an RFC's
 * execution, and change-type governance decisions. Other kinds of subject
 * name their own actions (see {@link AuditEntry.action}).
 *
 * @public
 */
export type AuditAction =
  | 'create'
  | RfcAction
  | 'execution-task'
  | 'execution-step'
  | 'governance-decision';

/**
 * One entry of the hash-chained audit log. `hash` is the SHA-256 of the
 * canonical JSON (keys sorted, no whitespace) of every other field, so it
 * covers the previous entry of the log (`prevHash`) and of the subject's
 * chain (`prevSubjectHash`).
 *
 * @public
 */
export type AuditEntry = {
  /** Position in the global chain, from 1 without gaps. */
  id: number;
  /** Whose chain: `rfc:RFC-000123`, `change-type:<id>@<version>`. */
  subject: string;
  /** Position in the subject's chain, from 1 without gaps. */
  subjectSeq: number;
  /** ISO 8601 UTC time the entry was appended. */
  at: string;
  /** User entity ref, or `system` for scheduled and automated work. */
  actor: string;
  /**
   * What happened, in lower-case kebab case: an {@link AuditAction} for RFCs
   * and change types; each other kind of subject names its own, e.g.
   * `freeze-declare`.
   */
  action: AuditAction | (string & {});
  /** The subject's state before, or null when it did not exist. */
  before: unknown;
  after: unknown;
  /** What the action carried: statuses, comment, step, reasons. */
  details: unknown;
  /** Hash of entry `id - 1`; null for the first entry. */
  prevHash: string | null;
  /** Hash of the subject's previous entry; null for its first. */
  prevSubjectHash: string | null;
  hash: string;
};

/**
 * The first link of the audit log that does not hold.
 *
 * @public
 */
export type AuditBrokenLink = {
  /** The entry at which verification failed. */
  id: number;
  /** `global`, or the subject whose chain broke. */
  chain: string;
  reason: string;
};

/**
 * The outcome of checking the audit log's hash chains.
 *
 * @public
 */
export type AuditVerification = {
  ok: boolean;
  /** Entries checked, in order, before stopping or reaching the end. */
  checked: number;
  /**
   * The last entry that verified: write its hash down outside the database
   * to detect a later rewrite of everything up to it.
   */
  head?: { id: number; hash: string };
  firstBroken?: AuditBrokenLink;
};

/** @public */
export type AuditExportFormat = 'jsonl' | 'csv';

/** @public */
export const AUDIT_EXPORT_FORMATS: readonly AuditExportFormat[] = [
  'jsonl',
  'csv',
];

/** The longest period one export may span. @public */
export const AUDIT_EXPORT_MAX_DAYS = 366;

/** The audit chain of an RFC. @public */
export const rfcAuditSubject = (rfcId: string) => `rfc:${rfcId}`;

/** The audit chain of one version of a change type. @public */
export const changeTypeAuditSubject = (id: string, version: string) =>
  `change-type:${id}@${version}`;
