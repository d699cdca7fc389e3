import type { AuditEntry } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';

export const AUDIT_LOG = 'ops_audit_log';
export const AUDIT_HEADS = 'ops_audit_heads';
export const AUDIT_GOVERNANCE = 'ops_audit_governance';
/** The head of the chain of every entry; subjects always hold a colon. */
export const GLOBAL_CHAIN = 'global';

export type AuditRow = {
  id: number | string;
  subject: string;
  subject_seq: number | string;
  at: string;
  actor: string;
  action: string;
  before: string | null;
  after: string | null;
  details: string | null;
  prev_hash: string | null;
  prev_subject_hash: string | null;
  hash: string;
};

export type HeadRow = {
  chain: string;
  seq: number | string;
  hash: string | null;
};

export const isPostgres = (db: Knex) =>
  /^(pg|postgres)/.test(String(db.client.config.client));

/** Thrown for a stored value that is no JSON: someone wrote it by hand. */
export class UnreadableAuditRowError extends Error {}

const readJson = (text: string | null, column: string) => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new UnreadableAuditRowError(`${column} holds no JSON`);
  }
};

/** The entry a row holds; throws UnreadableAuditRowError for a hand-written row. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return toEntry(row, readJson);
}

/**
 * The entry a row holds for reading and export: a value that is no JSON is
 * shown as the text it is. Verification never reads rows this way.
 */
export function toDisplayedAuditEntry(row: AuditRow): AuditEntry {
  return toEntry(row, text => {
    try {
      return readJson(text, '');
    } catch {
      return text;
    }
  });
}

function toEntry(
  row: AuditRow,
  read: (text: string | null, column: string) => unknown,
): AuditEntry {
  return {
    id: Number(row.id),
    subject: row.subject,
    subjectSeq: Number(row.subject_seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    before: read(row.before, 'before'),
    after: read(row.after, 'after'),
    details: read(row.details, 'details'),
    prevHash: row.prev_hash ?? null,
    prevSubjectHash: row.prev_subject_hash ?? null,
    hash: row.hash,
  };
}
