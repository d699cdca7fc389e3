import type {
  AuditBrokenLink,
  AuditVerification,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import {
  AUDIT_HEADS,
  AUDIT_LOG,
  GLOBAL_CHAIN,
  toAuditEntry,
  UnreadableAuditRowError,
  type AuditRow,
  type HeadRow,
} from './auditRows';
import { hashAuditEntry } from './canonicalJson';

const DEFAULT_PAGE_SIZE = 1000;

/** Why a row's own content does not hold, or undefined when it does. */
function contentProblem(row: AuditRow): string | undefined {
  try {
    if (hashAuditEntry(toAuditEntry(row)) === row.hash) return undefined;
  } catch (e) {
    if (!(e instanceof UnreadableAuditRowError)) throw e;
    return `entry ${row.id} was changed after it was written: ${e.message}`;
  }
  return `entry ${row.id} was changed after it was written: its hash does not match its content`;
}

/** Why a row's link to its subject's previous entry does not hold. */
function subjectLinkProblem(
  row: AuditRow,
  previous: { id: number; hash: string } | undefined,
): string | undefined {
  const seq = Number(row.subject_seq);
  if (seq === 1) {
    return row.prev_subject_hash === null
      ? undefined
      : `entry ${row.id} opens its chain but names a previous hash`;
  }
  if (!previous) {
    return `entry ${seq - 1} of the chain, before entry ${row.id}, is missing`;
  }
  if (previous.id >= Number(row.id)) {
    return `entry ${row.id} follows entry ${previous.id} of its chain, which was written after it`;
  }
  if (previous.hash !== row.prev_subject_hash) {
    return `entry ${row.id}'s previous hash does not match the hash of entry ${previous.id}, before it in its chain`;
  }
  return undefined;
}

/**
 * Checks every link of the audit log, oldest entry first: ids run from 1
 * without gaps; each entry names the hash of the entry before it in the log
 * and in its subject's chain; each hash matches its entry's content; and the
 * chain heads name the last entries. Stops at the first broken link.
 *
 * Reads a page at a time and keeps no per-subject state in memory: each
 * entry's predecessor in its subject's chain comes with it through the
 * `(subject, subject_seq)` index, so a log of millions of entries verifies in
 * constant memory. The endpoint and the CLI both run this.
 */
export async function verifyAuditChain(
  db: Knex,
  options: { pageSize?: number } = {},
): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  let checked = 0;
  let last: { id: number; hash: string } | undefined;
  const broken = (link: AuditBrokenLink): AuditVerification => ({
    ok: false,
    checked,
    ...(last ? { head: last } : {}),
    firstBroken: link,
  });

  for (;;) {
    const rows: Array<
      AuditRow & {
        p_id: number | string | null;
        p_hash: string | null;
        h_seq: number | string | null;
      }
    > = await db(`${AUDIT_LOG} as l`)
      .leftJoin(`${AUDIT_LOG} as p`, join =>
        join
          .on('p.subject', '=', 'l.subject')
          .andOn('p.subject_seq', '=', db.raw('?? - 1', ['l.subject_seq'])),
      )
      .leftJoin(`${AUDIT_HEADS} as h`, 'h.chain', 'l.subject')
      .where('l.id', '>', last?.id ?? 0)
      .orderBy('l.id', 'asc')
      .limit(pageSize)
      .select('l.*', 'p.id as p_id', 'p.hash as p_hash', 'h.seq as h_seq');

    for (const row of rows) {
      const id = Number(row.id);
      const expected = (last?.id ?? 0) + 1;
      if (id !== expected) {
        return broken({
          id,
          chain: GLOBAL_CHAIN,
          reason:
            id === expected + 1
              ? `entry ${expected} is missing`
              : `entries ${expected} to ${id - 1} are missing`,
        });
      }
      if ((row.prev_hash ?? null) !== (last?.hash ?? null)) {
        return broken({
          id,
          chain: GLOBAL_CHAIN,
          reason: last
            ? `entry ${id}'s previous hash does not match the hash of entry ${last.id}`
            : `entry ${id} opens the log but names a previous hash`,
        });
      }
      const previous =
        row.p_id === null || row.p_id === undefined
          ? undefined
          : { id: Number(row.p_id), hash: row.p_hash! };
      const linkProblem = subjectLinkProblem(row, previous);
      if (linkProblem) {
        return broken({ id, chain: row.subject, reason: linkProblem });
      }
      if (row.h_seq === null || Number(row.h_seq) < Number(row.subject_seq)) {
        return broken({
          id,
          chain: row.subject,
          reason: `the chain's head is behind entry ${id}`,
        });
      }
      const problem = contentProblem(row);
      if (problem) {
        return broken({ id, chain: row.subject, reason: problem });
      }
      last = { id, hash: row.hash };
      checked++;
    }
    if (rows.length < pageSize) break;
  }

  const global = (await db<HeadRow>(AUDIT_HEADS)
    .where({ chain: GLOBAL_CHAIN })
    .first()) as HeadRow | undefined;
  const end = last?.id ?? 0;
  if (!global) {
    return broken({
      id: end,
      chain: GLOBAL_CHAIN,
      reason: 'the global head is missing',
    });
  }
  if (
    Number(global.seq) !== end ||
    (global.hash ?? null) !== (last?.hash ?? null)
  ) {
    return broken({
      id: Number(global.seq),
      chain: GLOBAL_CHAIN,
      reason:
        Number(global.seq) === end
          ? `the global head's hash differs from entry ${end}'s`
          : `the global head names entry ${global.seq} but the log ends at entry ${end}`,
    });
  }

  // The scan found a head at or beyond every entry; these are heads with no
  // entry where they point.
  let afterChain = '';
  for (;;) {
    const heads: Array<
      HeadRow & { e_id: number | string | null; e_hash: string | null }
    > = await db(`${AUDIT_HEADS} as h`)
      .leftJoin(`${AUDIT_LOG} as e`, join =>
        join
          .on('e.subject', '=', 'h.chain')
          .andOn('e.subject_seq', '=', 'h.seq'),
      )
      .whereNot('h.chain', GLOBAL_CHAIN)
      .where('h.chain', '>', afterChain)
      .orderBy('h.chain', 'asc')
      .limit(pageSize)
      .select('h.chain', 'h.seq', 'h.hash', 'e.id as e_id', 'e.hash as e_hash');
    for (const head of heads) {
      if (head.e_id === null || head.e_id === undefined) {
        return broken({
          id: end,
          chain: head.chain,
          reason: `the chain's head names its entry ${head.seq}, which is missing`,
        });
      }
      if (head.e_hash !== head.hash) {
        return broken({
          id: Number(head.e_id),
          chain: head.chain,
          reason: `the chain's head hash differs from entry ${head.e_id}'s`,
        });
      }
    }
    if (heads.length < pageSize) break;
    afterChain = heads[heads.length - 1].chain;
  }
  return { ok: true, checked, ...(last ? { head: last } : {}) };
}

/**
 * Checks one subject's chain, as read in order: positions from 1, each entry
 * naming its predecessor's hash, each hash matching its content, and the
 * head naming the last entry. The global links are the full verification's.
 */
export function verifySubjectChain(
  rows: AuditRow[],
  head: HeadRow | undefined,
): AuditVerification {
  let checked = 0;
  let previous: { id: number; hash: string } | undefined;
  for (const row of rows) {
    const expected = checked + 1;
    const problem =
      Number(row.subject_seq) === expected
        ? subjectLinkProblem(row, previous) ?? contentProblem(row)
        : `entry ${expected} of the chain is missing`;
    if (problem) {
      return {
        ok: false,
        checked,
        ...(previous ? { head: previous } : {}),
        firstBroken: {
          id: Number(row.id),
          chain: row.subject,
          reason: problem,
        },
      };
    }
    previous = { id: Number(row.id), hash: row.hash };
    checked++;
  }
  if (
    previous &&
    (Number(head?.seq) !== checked || head?.hash !== previous.hash)
  ) {
    return {
      ok: false,
      checked,
      head: previous,
      firstBroken: {
        id: previous.id,
        chain: rows[0].subject,
        reason: `the chain's head does not name entry ${previous.id}, its last`,
      },
    };
  }
  return { ok: true, checked, ...(previous ? { head: previous } : {}) };
}
