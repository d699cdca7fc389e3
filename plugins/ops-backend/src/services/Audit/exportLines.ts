import type { AuditEntry } from '@cloud-ops/plugin-ops-common';
import { csvField } from '../Reports/csv';
import { canonicalJson } from './canonicalJson';

/**
 * One entry per line, in canonical JSON: drop `hash`, take SHA-256 of the
 * canonical JSON of the rest, and it matches `hash` again. This is the form
 * to verify a period against.
 */
export const toJsonLine = (entry: AuditEntry) => `${canonicalJson(entry)}\n`;

const CSV_COLUMNS: Array<
  [string, (entry: AuditEntry) => string | number | null]
> = [
  ['id', e => e.id],
  ['at', e => e.at],
  ['actor', e => e.actor],
  ['subject', e => e.subject],
  ['subject_seq', e => e.subjectSeq],
  ['action', e => e.action],
  ['before', e => (e.before === null ? null : canonicalJson(e.before))],
  ['after', e => (e.after === null ? null : canonicalJson(e.after))],
  ['details', e => (e.details === null ? null : canonicalJson(e.details))],
  ['prev_hash', e => e.prevHash],
  ['prev_subject_hash', e => e.prevSubjectHash],
  ['hash', e => e.hash],
];

/** The CSV header line, CRLF-terminated as RFC 4180 asks. */
export const CSV_HEADER = `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;

/**
 * One entry as a CSV line for spreadsheets: states and details as JSON text,
 * and text a spreadsheet would run as a formula defused (which changes it,
 * so verify against JSON Lines, not CSV).
 */
export const toCsvLine = (entry: AuditEntry) =>
  `${CSV_COLUMNS.map(([, value]) => csvField(value(entry))).join(',')}\r\n`;
