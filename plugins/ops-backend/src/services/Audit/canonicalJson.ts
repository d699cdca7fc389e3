import { createHash } from 'node:crypto';
import type { AuditEntry } from '@cloud-ops/plugin-ops-common';

function write(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(write).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map(key => `${JSON.stringify(key)}:${write(object[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * JSON with object keys sorted (by UTF-16 code unit, as RFC 8785 sorts them)
 * and no whitespace, so the same value always gives the same text, and the
 * same hash, whoever wrote it and whichever database kept it. The value goes
 * through `JSON.stringify` first, so `undefined` fields disappear and dates
 * become their ISO text exactly as they would in any JSON the API sends.
 */
export function canonicalJson(value: unknown): string {
  return write(JSON.parse(JSON.stringify(value ?? null)));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The hash of an entry: SHA-256 over the canonical JSON of all its fields
 * but `hash`. Since the fields include `prevHash` and `prevSubjectHash`,
 * changing, removing or reordering any earlier entry changes every hash
 * after it, in both chains it belongs to.
 */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      id: entry.id,
      subject: entry.subject,
      subjectSeq: entry.subjectSeq,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      before: entry.before ?? null,
      after: entry.after ?? null,
      details: entry.details ?? null,
      prevHash: entry.prevHash,
      prevSubjectHash: entry.prevSubjectHash,
    }),
  );
}

/** A state or details as stored and hashed: canonical JSON, or null for none. */
export const canonicalOrNull = (value: unknown): string | null =>
  value === undefined || value === null ? null : canonicalJson(value);

/**
 * {@link hashAuditEntry} of an entry whose states and details are already
 * canonical JSON text: the same bytes assembled around that text (keys in
 * sorted order), so appending serialises each state once.
 */
export function hashCanonicalEntry(
  entry: Omit<AuditEntry, 'hash' | 'before' | 'after' | 'details'>,
  text: { before: string | null; after: string | null; details: string | null },
): string {
  const q = JSON.stringify;
  return sha256Hex(
    `{"action":${q(entry.action)},"actor":${q(entry.actor)},"after":${
      text.after ?? 'null'
    },"at":${q(entry.at)},"before":${text.before ?? 'null'},"details":${
      text.details ?? 'null'
    },"id":${q(entry.id)},"prevHash":${q(entry.prevHash)},"prevSubjectHash":${q(
      entry.prevSubjectHash,
    )},"subject":${q(entry.subject)},"subjectSeq":${q(entry.subjectSeq)}}`,
  );
}
