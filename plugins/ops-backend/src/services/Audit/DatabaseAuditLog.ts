import { InputError } from '@backstage/errors';
import {
  changeTypeAuditSubject,
  type AuditEntry,
  type AuditVerification,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import type {
  AuditEntryInput,
  AuditExportQuery,
  AuditLog,
  AuditSubjectChain,
  GovernanceDecision,
} from './AuditLog';
import {
  AUDIT_GOVERNANCE,
  AUDIT_HEADS,
  AUDIT_LOG,
  GLOBAL_CHAIN,
  isPostgres,
  toAuditEntry,
  toDisplayedAuditEntry,
  type AuditRow,
  type HeadRow,
} from './auditRows';
import {
  canonicalJson,
  canonicalOrNull,
  hashCanonicalEntry,
  sha256Hex,
} from './canonicalJson';
import { CSV_HEADER, toCsvLine, toJsonLine } from './exportLines';
import { verifyAuditChain, verifySubjectChain } from './verifyAuditChain';

const DEFAULT_PAGE_SIZE = 1000;
const SUBJECT = /^[a-z][a-z-]*:\S.{0,250}$/;
const ACTION = /^[a-z][a-z-]{0,63}$/;

type GovernanceRow = {
  template_ref: string;
  digest: string;
  audit_id: number | string;
};

/**
 * {@link AuditLog} in the plugin's database (SQLite or PostgreSQL), in the
 * tables of migration `20261201000300_audit_log`.
 *
 * Appends are serialised on the global chain's head row: PostgreSQL locks it
 * with `SELECT … FOR UPDATE` until the appending transaction ends, and SQLite
 * runs one writer at a time anyway. So two replicas appending at once take
 * turns: each reads the head the other committed, and the chain never forks.
 * The unique `(subject, subject_seq)` index and the primary key on `id` turn
 * any writer that skipped the lock into a failed transaction, not a fork.
 */
export class DatabaseAuditLog implements AuditLog {
  private readonly db: Knex;
  private readonly now: () => Date;
  private readonly pageSize: number;

  /** `db` must be the database the stores that call `append` write to. */
  constructor(options: { db: Knex; now?: () => Date; pageSize?: number }) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async append(
    tx: Knex.Transaction,
    input: AuditEntryInput,
  ): Promise<AuditEntry> {
    const [entry] = await this.appendAll(tx, [input]);
    return entry;
  }

  async appendAll(
    tx: Knex.Transaction,
    inputs: AuditEntryInput[],
  ): Promise<AuditEntry[]> {
    if (!tx.isTransaction) {
      // Outside a transaction the lock would end with the statement.
      throw new Error('AuditLog.append needs the transaction it records');
    }
    for (const { subject, action } of inputs) {
      if (!SUBJECT.test(subject)) {
        throw new InputError(
          `"${subject}" is not an audit subject such as rfc:RFC-000123`,
        );
      }
      if (!ACTION.test(action)) {
        throw new InputError(
          `"${action}" is not an audit action such as execution-step`,
        );
      }
    }
    if (inputs.length === 0) return [];
    const global = await this.lockGlobalHead(tx);
    const heads = new Map<string, { seq: number; hash: string | null }>();
    for (const head of (await tx<HeadRow>(AUDIT_HEADS).whereIn('chain', [
      ...new Set(inputs.map(i => i.subject)),
    ])) as HeadRow[]) {
      heads.set(head.chain, { seq: Number(head.seq), hash: head.hash });
    }
    let last = { seq: Number(global.seq), hash: global.hash ?? null };
    const at = this.now().toISOString();
    const rows: AuditRow[] = [];
    const entries = inputs.map(input => {
      const head = heads.get(input.subject) ?? { seq: 0, hash: null };
      // Serialised once: stored as this text, hashed as it, and returned as
      // what reads back from it.
      const text = {
        before: canonicalOrNull(input.before),
        after: canonicalOrNull(input.after),
        details: canonicalOrNull(input.details),
      };
      const fields = {
        id: last.seq + 1,
        subject: input.subject,
        subjectSeq: head.seq + 1,
        at,
        actor: input.actor,
        action: input.action,
        prevHash: last.hash,
        prevSubjectHash: head.hash,
      };
      const hash = hashCanonicalEntry(fields, text);
      rows.push({
        id: fields.id,
        subject: fields.subject,
        subject_seq: fields.subjectSeq,
        at,
        actor: fields.actor,
        action: fields.action,
        before: text.before,
        after: text.after,
        details: text.details,
        prev_hash: fields.prevHash,
        prev_subject_hash: fields.prevSubjectHash,
        hash,
      });
      heads.set(input.subject, { seq: fields.subjectSeq, hash });
      last = { seq: fields.id, hash };
      return toAuditEntry(rows[rows.length - 1]);
    });
    await tx(AUDIT_LOG).insert(rows);
    await tx<HeadRow>(AUDIT_HEADS)
      .where({ chain: GLOBAL_CHAIN })
      .update({ seq: last.seq, hash: last.hash });
    await tx<HeadRow>(AUDIT_HEADS)
      .insert(
        [...heads]
          .filter(([chain]) => inputs.some(i => i.subject === chain))
          .map(([chain, head]) => ({ chain, seq: head.seq, hash: head.hash })),
      )
      .onConflict('chain')
      .merge(['seq', 'hash']);
    return entries;
  }

  async appendGovernanceDecision(
    input: GovernanceDecision,
  ): Promise<{ recorded: boolean; entry?: AuditEntry }> {
    const decision = {
      changeTypeId: input.changeTypeId,
      version: input.version,
      templateRef: input.templateRef,
      decision: input.decision,
      reasons: [...new Set(input.reasons)].sort(),
    };
    const digest = sha256Hex(canonicalJson(decision));
    return this.db.transaction(async tx => {
      // Taken before the comparison, so two replicas reading the same
      // catalog change record it once.
      await this.lockGlobalHead(tx);
      const last = (await tx<GovernanceRow>(AUDIT_GOVERNANCE)
        .where({ template_ref: decision.templateRef })
        .first()) as GovernanceRow | undefined;
      if (last?.digest === digest) {
        return { recorded: false };
      }
      const previous = last
        ? ((await tx<AuditRow>(AUDIT_LOG)
            .where({ id: last.audit_id })
            .first()) as AuditRow | undefined)
        : undefined;
      const entry = await this.append(tx, {
        subject: changeTypeAuditSubject(
          decision.changeTypeId,
          decision.version,
        ),
        actor: input.actor ?? 'system',
        action: 'governance-decision',
        before: previous ? toDisplayedAuditEntry(previous).after : null,
        after: decision,
      });
      await tx<GovernanceRow>(AUDIT_GOVERNANCE)
        .insert({
          template_ref: decision.templateRef,
          digest,
          audit_id: entry.id,
        })
        .onConflict('template_ref')
        .merge(['digest', 'audit_id']);
      return { recorded: true, entry };
    });
  }

  verify(): Promise<AuditVerification> {
    return verifyAuditChain(this.db, { pageSize: this.pageSize });
  }

  async *export(query: AuditExportQuery): AsyncIterable<string> {
    const from = query.from.toISOString();
    const to = query.to.toISOString();
    const line = query.format === 'csv' ? toCsvLine : toJsonLine;
    if (query.format === 'csv') yield CSV_HEADER;
    // The period's id range first, from the (at, id) index; then pages by id
    // inside it, so no page sorts the whole period.
    const bounds = (await this.db(AUDIT_LOG)
      .where('at', '>=', from)
      .andWhere('at', '<', to)
      .min({ lo: 'id' })
      .max({ hi: 'id' })
      .first()) as { lo: number | string | null; hi: number | string | null };
    if (bounds?.lo === null || bounds?.lo === undefined) return;
    const hi = Number(bounds.hi);
    let after = Number(bounds.lo) - 1;
    for (;;) {
      const rows = (await this.db<AuditRow>(AUDIT_LOG)
        .where('id', '>', after)
        .andWhere('id', '<=', hi)
        .andWhere('at', '>=', from)
        .andWhere('at', '<', to)
        .orderBy('id', 'asc')
        .limit(this.pageSize)) as AuditRow[];
      if (rows.length === 0) return;
      yield rows.map(row => line(toDisplayedAuditEntry(row))).join('');
      after = Number(rows[rows.length - 1].id);
      if (rows.length < this.pageSize) return;
    }
  }

  async subjectChain(subject: string): Promise<AuditSubjectChain> {
    const rows = (await this.db<AuditRow>(AUDIT_LOG)
      .where({ subject })
      .orderBy('subject_seq', 'asc')) as AuditRow[];
    const head = (await this.db<HeadRow>(AUDIT_HEADS)
      .where({ chain: subject })
      .first()) as HeadRow | undefined;
    return {
      subject,
      items: rows.map(toDisplayedAuditEntry),
      verification: verifySubjectChain(rows, head),
    };
  }

  private async lockGlobalHead(tx: Knex.Transaction): Promise<HeadRow> {
    const query = tx<HeadRow>(AUDIT_HEADS).where({ chain: GLOBAL_CHAIN });
    // SQLite has no row locks; its single writer serialises appends.
    if (isPostgres(tx)) query.forUpdate();
    const head = (await query.first()) as HeadRow | undefined;
    if (!head) {
      throw new Error(
        'The audit log has no global head; run the ops backend migrations',
      );
    }
    return head;
  }
}
