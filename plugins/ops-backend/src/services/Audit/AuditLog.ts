import type {
  AuditEntry,
  AuditExportFormat,
  AuditVerification,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';

/** What a store appends; the log adds id, positions, time and hashes. */
export type AuditEntryInput = {
  /** `rfc:RFC-000123`, `change-type:<id>@<version>`: a kind, a colon, an id. */
  subject: string;
  /** User entity ref, or `system`. */
  actor: string;
  /** Lower-case kebab case; see AuditEntry.action. */
  action: AuditEntry['action'];
  /** JSON; null when the subject did not exist before. */
  before: unknown;
  /** JSON; null when the subject is gone after. */
  after: unknown;
  details?: unknown;
};

/** A change-type template that the governance checks accepted or refused. */
export type GovernanceDecision = {
  changeTypeId: string;
  version: string;
  /** The Template entity's ref; decisions are compared per template. */
  templateRef: string;
  decision: 'accepted' | 'refused';
  /** Why; for a refusal, each rule the template breaks. Order does not matter. */
  reasons: string[];
  /** Defaults to `system`: the catalog is read by scheduled work. */
  actor?: string;
};

export type AuditExportQuery = {
  /** Entries appended at or after this instant... */
  from: Date;
  /** ...and before this one. */
  to: Date;
  format: AuditExportFormat;
};

/** One subject's chain, with its own check. */
export type AuditSubjectChain = {
  subject: string;
  items: AuditEntry[];
  verification: AuditVerification;
};

/**
 * The append-only, hash-chained audit log (NIST 800-53 AU-9): every RFC event
 * and every change-type governance decision, each entry chained to the one
 * before it in the whole log and in its subject's chain.
 */
export interface AuditLog {
  /**
   * Appends an entry inside the caller's transaction, so the change it
   * records and the entry commit together or not at all. Takes the global
   * chain's lock until that transaction ends; call it last in the
   * transaction, after the rows it records are written.
   */
  append(tx: Knex.Transaction, entry: AuditEntryInput): Promise<AuditEntry>;
  /**
   * Appends several entries in the order given, as `append` would one after
   * another, with one lock and one write of each table.
   */
  appendAll(
    tx: Knex.Transaction,
    entries: AuditEntryInput[],
  ): Promise<AuditEntry[]>;
  /**
   * Records a governance decision, in its own transaction, only when it
   * differs from the last one recorded for the same template (another
   * change-type id, version, decision or set of reasons), so re-reading an
   * unchanged catalog every minute adds nothing. Safe to call from several
   * replicas at once: one of them records a new decision.
   */
  appendGovernanceDecision(
    decision: GovernanceDecision,
  ): Promise<{ recorded: boolean; entry?: AuditEntry }>;
  /** Checks every link of the log; see {@link verifyAuditChain}. */
  verify(): Promise<AuditVerification>;
  /**
   * The entries appended in a period, oldest first, as JSON Lines or CSV
   * text, read and yielded a page at a time.
   */
  export(query: AuditExportQuery): AsyncIterable<string>;
  /** One subject's chain, oldest first, checked on its own. */
  subjectChain(subject: string): Promise<AuditSubjectChain>;
}
