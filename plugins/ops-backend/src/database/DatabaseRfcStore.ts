import { type DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  formatRfcId,
  MAX_RECORD_SEQUENCE,
  parseRfcId,
  rfcAuditSubject,
  type OpsOperation,
  type Rfc,
  type RfcApproval,
  type RfcAuditEvent,
  type RfcBinding,
  type RfcExecutionOutput,
  type RfcStatus,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseAuditLog, type AuditLog } from '../services/Audit';
import { isPostgres } from '../services/Audit/auditRows';
import {
  rfcAuditState,
  rfcCreatedEntries,
  rfcEventEntry,
} from './rfcAuditEntries';
import type {
  NewRfc,
  RfcChanges,
  RfcEventInput,
  RfcListQuery,
  RfcSortField,
  RfcExecutionState,
  RfcStore,
  RfcTransition,
} from './RfcStore';
import { runOpsMigrations } from './migrate';

const RFCS = 'ops_rfcs';
const EVENTS = 'ops_rfc_events';
const OUTPUTS = 'ops_rfc_outputs';
const DECISION_ACTIONS = ['approve', 'reject', 'expire'];
/** The actor of what the executor and the execution steps record. */
const SYSTEM_ACTOR = 'system';
const DEFAULT_LIMIT = 50;
export const MAX_LIST_LIMIT = 500;

type RfcRow = {
  seq: number;
  change_type_id: string;
  change_type_version: string;
  title: string;
  description: string;
  target_entity_ref: string;
  parameters: string;
  operation: string | null;
  owner_group: string;
  origin: string;
  requester: string;
  approval_rule: string;
  approver_group: string | null;
  implementation_plan: string;
  test_plan: string;
  peer_reviewer: string | null;
  rollback_plan: string;
  risk: string;
  outcome_notes: string | null;
  requested_start_time: string | null;
  requested_end_time: string | null;
  status: string;
  status_reason: string | null;
  task_id: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  automation: string;
  binding: string | null;
  attempt: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  execution_secret_hash: string | null;
  change_class: string;
  expected_duration: string | null;
  emergency_incident_id: string | null;
  freeze_override: string | null;
  hold: string | null;
  review: string | null;
  review_due_at: string | null;
  critical_security_update: boolean | number;
  needs_maintenance_window: boolean | number;
};

type OutputRow = {
  id: number;
  rfc_seq: number;
  attempt: number;
  step_id: string;
  name: string;
  value: string;
  at: string;
};

type EventRow = {
  id: number;
  rfc_seq: number;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string;
  comment: string | null;
  at: string;
};

const SORT_COLUMNS: Record<RfcSortField, string> = {
  id: 'seq',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  requestedStartTime: 'requested_start_time',
};

const CHANGE_COLUMNS: Record<keyof RfcChanges, keyof RfcRow> = {
  title: 'title',
  description: 'description',
  parameters: 'parameters',
  implementationPlan: 'implementation_plan',
  testPlan: 'test_plan',
  peerReviewer: 'peer_reviewer',
  rollbackPlan: 'rollback_plan',
  risk: 'risk',
  requestedStartTime: 'requested_start_time',
  requestedEndTime: 'requested_end_time',
  approverGroup: 'approver_group',
  outcomeNotes: 'outcome_notes',
  statusReason: 'status_reason',
  taskId: 'task_id',
  freezeOverride: 'freeze_override',
  hold: 'hold',
  review: 'review',
  reviewDueAt: 'review_due_at',
};

/** Changes kept as JSON text. */
const JSON_CHANGES = new Set<keyof RfcChanges>([
  'parameters',
  'freezeOverride',
  'hold',
  'review',
]);

const json = <T>(text: string | null): T | undefined =>
  text === null ? undefined : (JSON.parse(text) as T);

const optional = <T>(value: T | null): T | undefined =>
  value === null ? undefined : value;

function toRfc(row: RfcRow, approvals: RfcApproval[]): Rfc {
  return {
    id: formatRfcId(row.seq),
    changeTypeId: row.change_type_id,
    changeTypeVersion: row.change_type_version,
    title: row.title,
    description: row.description,
    targetEntityRef: row.target_entity_ref,
    parameters: JSON.parse(row.parameters),
    ...(row.operation ? { operation: row.operation as Rfc['operation'] } : {}),
    automation: row.automation === 'manual' ? 'manual' : 'automated',
    ...(row.binding ? { binding: JSON.parse(row.binding) as RfcBinding } : {}),
    ownerGroup: row.owner_group,
    origin: row.origin as Rfc['origin'],
    requester: row.requester,
    approvalRule: row.approval_rule as Rfc['approvalRule'],
    ...(row.approver_group ? { approverGroup: row.approver_group } : {}),
    implementationPlan: row.implementation_plan,
    testPlan: row.test_plan,
    ...(row.peer_reviewer ? { peerReviewer: row.peer_reviewer } : {}),
    rollbackPlan: row.rollback_plan,
    risk: row.risk as Rfc['risk'],
    ...(row.outcome_notes !== null ? { outcomeNotes: row.outcome_notes } : {}),
    ...(row.requested_start_time
      ? { requestedStartTime: row.requested_start_time }
      : {}),
    ...(row.requested_end_time
      ? { requestedEndTime: row.requested_end_time }
      : {}),
    status: row.status as RfcStatus,
    ...(row.status_reason !== null ? { statusReason: row.status_reason } : {}),
    approvals,
    ...(row.task_id ? { taskId: row.task_id } : {}),
    attempt: Number(row.attempt ?? 0),
    changeClass: (row.change_class ?? 'normal') as Rfc['changeClass'],
    ...(row.expected_duration
      ? { expectedDuration: row.expected_duration }
      : {}),
    ...(row.emergency_incident_id
      ? { emergencyIncidentId: row.emergency_incident_id }
      : {}),
    ...(row.freeze_override
      ? { freezeOverride: json<Rfc['freezeOverride']>(row.freeze_override) }
      : {}),
    ...(row.hold ? { hold: json<Rfc['hold']>(row.hold) } : {}),
    ...(row.review ? { review: json<Rfc['review']>(row.review) } : {}),
    ...(row.review_due_at ? { reviewDueAt: row.review_due_at } : {}),
    ...(row.critical_security_update ? { criticalSecurityUpdate: true } : {}),
    ...(row.needs_maintenance_window ? { needsMaintenanceWindow: true } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

function toEvent(row: EventRow): RfcAuditEvent {
  return {
    id: Number(row.id),
    rfcId: formatRfcId(Number(row.rfc_seq)),
    actor: row.actor,
    action: row.action as RfcAuditEvent['action'],
    ...(row.from_status ? { fromStatus: row.from_status as RfcStatus } : {}),
    toStatus: row.to_status as RfcStatus,
    ...(optional(row.comment) !== undefined ? { comment: row.comment! } : {}),
    at: row.at,
  };
}

function toApproval(row: EventRow): RfcApproval {
  return {
    approver: row.actor,
    decision: row.action === 'approve' ? 'approved' : 'rejected',
    ...(row.comment !== null ? { comment: row.comment } : {}),
    at: row.at,
  };
}

/** The RFC in a row as its audit entries record it. */
const auditState = (row: RfcRow) => rfcAuditState(toRfc(row, []));

function changesToColumns(changes: RfcChanges = {}): Partial<RfcRow> {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    const column = CHANGE_COLUMNS[key as keyof RfcChanges];
    if (!column) {
      continue;
    }
    if (key === 'parameters') {
      columns[column] = JSON.stringify(value ?? {});
    } else if (JSON_CHANGES.has(key as keyof RfcChanges)) {
      columns[column] =
        value === undefined || value === null ? null : JSON.stringify(value);
    } else {
      columns[column] = value ?? null;
    }
  }
  return columns as Partial<RfcRow>;
}

type Cursor = {
  s: RfcSortField;
  o: 'asc' | 'desc';
  v: string | number;
  q: number;
};

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

// What a cursor's sort value can be: a stored time (ISO 8601, as written by
// the service) or the empty string of a missing start time. Anything else,
// such as a NUL or quote, was not issued by this API.
const CURSOR_VALUE = /^[0-9A-Za-z:.+-]{0,40}$/;
const NOT_A_CURSOR = 'cursor: not a cursor returned by this API';

/**
 * Reads a cursor from the list's query string. Cursors come back from
 * clients, so every part is checked before it reaches a query: a forged
 * position that is not a whole number in the key column's range, or a sort
 * value that no stored row can have, is a 400 on every database.
 */
function decodeCursor(raw: string, sort: RfcSortField, order: string): Cursor {
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InputError(NOT_A_CURSOR);
  }
  if (!cursor || typeof cursor !== 'object' || Array.isArray(cursor)) {
    throw new InputError(NOT_A_CURSOR);
  }
  if (cursor.s !== sort || cursor.o !== order) {
    throw new InputError(
      'cursor: was issued for another sort or order; repeat the first query with the same sort and order',
    );
  }
  const { q, v } = cursor;
  if (
    typeof q !== 'number' ||
    !Number.isInteger(q) ||
    q < 1 ||
    q > MAX_RECORD_SEQUENCE
  ) {
    throw new InputError(NOT_A_CURSOR);
  }
  const validValue =
    sort === 'id'
      ? v === q
      : typeof v === 'string' &&
        CURSOR_VALUE.test(v) &&
        (v === '' ? sort === 'requestedStartTime' : !isNaN(Date.parse(v)));
  if (!validValue) {
    throw new InputError(NOT_A_CURSOR);
  }
  return { s: sort, o: order as Cursor['o'], v, q };
}

/** Knex implementation of {@link RfcStore}, on SQLite and PostgreSQL. */
export class DatabaseRfcStore implements RfcStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
    /**
     * Where every change is recorded, in the change's own transaction; over
     * the same database. Defaults to the audit log in that database.
     */
    audit?: AuditLog;
  }): Promise<DatabaseRfcStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await runOpsMigrations(client);
    }
    const driver = String(client.client.config.client);
    if (driver.includes('sqlite')) {
      // Local runs: without WAL every transition waits for its own fsyncs.
      // WAL with synchronous=NORMAL survives a crash of the process; a power
      // cut may lose the last commits. Production runs on PostgreSQL.
      await client.raw('PRAGMA journal_mode = WAL');
      await client.raw('PRAGMA synchronous = NORMAL');
    }
    return new DatabaseRfcStore(
      client,
      options.audit ?? new DatabaseAuditLog({ db: client }),
    );
  }

  private constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
  ) {}

  async create(rfc: NewRfc, events: RfcEventInput[]): Promise<Rfc> {
    const now = new Date().toISOString();
    const row: Omit<RfcRow, 'seq'> = {
      change_type_id: rfc.changeTypeId,
      change_type_version: rfc.changeTypeVersion,
      title: rfc.title,
      description: rfc.description,
      target_entity_ref: rfc.targetEntityRef,
      parameters: JSON.stringify(rfc.parameters),
      operation: rfc.operation ?? null,
      owner_group: rfc.ownerGroup,
      origin: rfc.origin,
      requester: rfc.requester,
      approval_rule: rfc.approvalRule,
      approver_group: rfc.approverGroup ?? null,
      implementation_plan: rfc.implementationPlan,
      test_plan: rfc.testPlan,
      peer_reviewer: rfc.peerReviewer ?? null,
      rollback_plan: rfc.rollbackPlan,
      risk: rfc.risk,
      outcome_notes: rfc.outcomeNotes ?? null,
      requested_start_time: rfc.requestedStartTime ?? null,
      requested_end_time: rfc.requestedEndTime ?? null,
      status: rfc.status,
      status_reason: rfc.statusReason ?? null,
      task_id: rfc.taskId ?? null,
      created_at: now,
      updated_at: now,
      version: 1,
      automation: rfc.automation,
      binding: rfc.binding ? JSON.stringify(rfc.binding) : null,
      attempt: 0,
      lease_owner: null,
      lease_expires_at: null,
      execution_secret_hash: null,
      change_class: rfc.changeClass ?? 'normal',
      expected_duration: rfc.expectedDuration ?? null,
      emergency_incident_id: rfc.emergencyIncidentId ?? null,
      freeze_override: rfc.freezeOverride
        ? JSON.stringify(rfc.freezeOverride)
        : null,
      hold: null,
      review: null,
      review_due_at: null,
      critical_security_update: Boolean(rfc.criticalSecurityUpdate),
      needs_maintenance_window: Boolean(rfc.needsMaintenanceWindow),
    };
    const seq = await this.db.transaction(async tx => {
      const [inserted] = await tx<RfcRow>(RFCS).insert(row).returning('seq');
      const newSeq = Number(
        typeof inserted === 'object'
          ? (inserted as { seq: number }).seq
          : inserted,
      );
      if (events.length > 0) {
        await tx<EventRow>(EVENTS).insert(
          events.map(event => ({
            rfc_seq: newSeq,
            actor: event.actor,
            action: event.action,
            from_status: event.fromStatus ?? null,
            to_status: event.toStatus,
            comment: event.comment ?? null,
            at: now,
          })),
        );
      }
      const state = auditState({ ...row, seq: newSeq });
      await this.audit.appendAll(tx, rfcCreatedEntries(state, events));
      return newSeq;
    });
    // Built from what was written, so creating costs no read back.
    return toRfc({ ...row, seq }, []);
  }

  async get(id: string): Promise<Rfc | undefined> {
    const seq = parseRfcId(id);
    if (seq === undefined) {
      return undefined;
    }
    const row = await this.db<RfcRow>(RFCS).where({ seq }).first();
    if (!row) {
      return undefined;
    }
    const approvals = await this.approvalsFor([seq]);
    return toRfc(row, approvals.get(seq) ?? []);
  }

  async transition(t: RfcTransition): Promise<Rfc> {
    const seq = parseRfcId(t.id);
    if (seq === undefined) {
      throw new ConflictError(`${t.id} is not an RFC id`);
    }
    const now = new Date().toISOString();
    const execution: Partial<RfcRow> = {};
    if (t.execution?.attempt !== undefined) {
      execution.attempt = t.execution.attempt;
    }
    if (t.execution?.secretHash !== undefined) {
      execution.execution_secret_hash = t.execution.secretHash;
    }
    if (t.execution?.releaseLease) {
      execution.lease_owner = null;
      execution.lease_expires_at = null;
    }
    return this.db.transaction(async tx => {
      const before = await this.rowForChange(tx, seq);
      const update = tx<RfcRow>(RFCS).where({
        seq,
        status: t.expectedStatus,
        version: t.expectedVersion,
      });
      if (t.execution?.leaseOwner) {
        update.where('lease_owner', t.execution.leaseOwner);
      }
      const [row] = await update
        .update({
          ...changesToColumns(t.changes),
          ...execution,
          status: t.toStatus,
          updated_at: now,
          version: t.expectedVersion + 1,
        })
        .returning('*');
      if (!row) {
        throw new ConflictError(
          `${t.id} changed since version ${t.expectedVersion} was read; reload it and try again`,
        );
      }
      await tx<EventRow>(EVENTS).insert({
        rfc_seq: seq,
        actor: t.event.actor,
        action: t.event.action,
        from_status: t.expectedStatus,
        to_status: t.toStatus,
        comment: t.event.comment ?? null,
        at: now,
      });
      const approvals = await this.approvalsFor([seq], tx);
      await this.audit.append(
        tx,
        rfcEventEntry(
          { ...t.event, fromStatus: t.expectedStatus, toStatus: t.toStatus },
          before ? auditState(before) : null,
          auditState(row),
        ),
      );
      return toRfc(row, approvals.get(seq) ?? []);
    });
  }

  async list(
    query: RfcListQuery & {
      visibleTo?: { ownerGroups: string[]; requester: string };
      /** What `review: overdue` is measured against; default the clock. */
      now?: Date;
    },
  ): Promise<{ items: Rfc[]; nextCursor?: string }> {
    const sort = query.sort ?? 'id';
    const order = query.order ?? 'desc';
    const limit = Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIST_LIMIT);
    const column = SORT_COLUMNS[sort];
    // Missing start times sort as the empty string so keyset paging stays total.
    const sortExpr =
      sort === 'requestedStartTime'
        ? this.db.raw(`coalesce(requested_start_time, '')`)
        : this.db.ref(column);

    const q = this.db<RfcRow>(RFCS);
    if (query.status?.length) q.whereIn('status', query.status);
    if (query.owner) q.where('owner_group', query.owner);
    if (query.targetEntityRef)
      q.where('target_entity_ref', query.targetEntityRef);
    if (query.requester) q.where('requester', query.requester);
    if (query.origin) q.where('origin', query.origin);
    if (query.changeTypeId) q.where('change_type_id', query.changeTypeId);
    if (query.changeClass) q.where('change_class', query.changeClass);
    if (query.review) {
      q.where('change_class', 'emergency')
        .whereNotNull('review_due_at')
        .whereNull('review');
      if (query.review === 'overdue') {
        q.where('review_due_at', '<', (query.now ?? new Date()).toISOString());
      }
    }
    if (query.visibleTo) {
      const { ownerGroups, requester } = query.visibleTo;
      // Entity refs are case-insensitive; RFCs keep the case they were given.
      q.where(visible => {
        if (ownerGroups.length) {
          visible.whereIn(
            this.db.raw('lower(owner_group)') as any,
            ownerGroups,
          );
        }
        visible.orWhere(this.db.raw('lower(requester)') as any, requester);
      });
    }
    if (query.from) q.where('requested_start_time', '>=', query.from);
    if (query.to) q.where('requested_start_time', '<=', query.to);

    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, sort, order);
      const op = order === 'asc' ? '>' : '<';
      if (sort === 'id') {
        q.where('seq', op, cursor.q);
      } else {
        q.where(inner =>
          inner
            .where(sortExpr as any, op, cursor.v)
            .orWhere(both =>
              both
                .where(sortExpr as any, '=', cursor.v)
                .andWhere('seq', op, cursor.q),
            ),
        );
      }
    }
    if (sort !== 'id') {
      q.orderBy(sortExpr as any, order);
    }
    q.orderBy('seq', order).limit(limit + 1);

    const rows = (await q) as RfcRow[];
    const page = rows.slice(0, limit);
    const approvals = await this.approvalsFor(page.map(r => r.seq));
    const items = page.map(row => toRfc(row, approvals.get(row.seq) ?? []));
    if (rows.length <= limit) {
      return { items };
    }
    const last = page[page.length - 1];
    let value: string | number = last.seq;
    if (sort === 'requestedStartTime') {
      value = last.requested_start_time ?? '';
    } else if (sort !== 'id') {
      value = last[column as keyof RfcRow] as string;
    }
    return {
      items,
      nextCursor: encodeCursor({ s: sort, o: order, v: value, q: last.seq }),
    };
  }

  async listEvents(id: string): Promise<RfcAuditEvent[]> {
    const seq = parseRfcId(id);
    if (seq === undefined) {
      return [];
    }
    const rows = await this.db<EventRow>(EVENTS)
      .where({ rfc_seq: seq })
      .orderBy('id', 'asc');
    return rows.map(toEvent);
  }

  async listUnapprovedAtStart(now: Date, limit: number): Promise<Rfc[]> {
    const rows = await this.db<RfcRow>(RFCS)
      .where('status', 'PendingApproval')
      // An emergency may ask to start now: it waits for its one approval.
      .whereNot('change_class', 'emergency')
      .whereNotNull('requested_start_time')
      .where('requested_start_time', '<=', now.toISOString())
      .orderBy('requested_start_time', 'asc')
      .limit(limit);
    return rows.map(row => toRfc(row, []));
  }

  async listEmergencyReviews(query: {
    /** Only those due before this time and still unwritten. */
    overdueAt?: Date;
    limit: number;
  }): Promise<Rfc[]> {
    const rows = await this.db<RfcRow>(RFCS)
      .where('change_class', 'emergency')
      .whereNotNull('review_due_at')
      .whereNull('review')
      .modify(q => {
        if (query.overdueAt) {
          q.where('review_due_at', '<', query.overdueAt.toISOString());
        }
      })
      .orderBy('review_due_at', 'asc')
      .limit(query.limit);
    return (rows as RfcRow[]).map(row => toRfc(row, []));
  }

  async listSuccessfulOperations(query: {
    targetEntityRefs?: string[];
    operations?: OpsOperation[];
  }): Promise<Rfc[]> {
    if (query.targetEntityRefs && query.targetEntityRefs.length === 0) {
      return [];
    }
    const q = this.db<RfcRow>(RFCS)
      .where('status', 'Success')
      .whereNotNull('operation');
    if (query.targetEntityRefs) {
      // Entity refs are case-insensitive; RFCs keep the case they were given.
      q.whereIn(
        this.db.raw('lower(target_entity_ref)') as any,
        query.targetEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
      );
    }
    if (query.operations) {
      q.whereIn('operation', query.operations);
    }
    const rows = (await q
      .orderBy('updated_at', 'asc')
      .orderBy('seq', 'asc')) as RfcRow[];
    return rows.map(row => toRfc(row, []));
  }

  async listTargetsWithOperation(operation: OpsOperation): Promise<string[]> {
    const rows = await this.db<RfcRow>(RFCS)
      .distinct('target_entity_ref')
      .where({ status: 'Success', operation })
      .orderBy('target_entity_ref', 'asc');
    return rows.map(r => r.target_entity_ref);
  }

  async claimForExecution(options: {
    now: Date;
    owner: string;
    leaseUntil: Date;
    limit: number;
  }): Promise<Rfc[]> {
    const now = options.now.toISOString();
    const free = (q: Knex.QueryBuilder) =>
      q
        .whereNull('lease_expires_at')
        .orWhere('lease_expires_at', '<=', now)
        .orWhere('lease_owner', options.owner);
    const due = (q: Knex.QueryBuilder) =>
      q
        .where(scheduled =>
          scheduled
            .where('status', 'Scheduled')
            .andWhere(start =>
              start
                .whereNull('requested_start_time')
                .orWhere('requested_start_time', '<=', now),
            ),
        )
        .orWhere('status', 'InProgress');
    const candidates = (await this.db<RfcRow>(RFCS)
      .select('seq')
      .where('automation', 'automated')
      .andWhere(due)
      .andWhere(free)
      // Unleased first, then the leases that were renewed longest ago: a
      // replica following more RFCs than the limit still reaches every one,
      // in turn, instead of renewing the same first few forever.
      .orderByRaw(
        'CASE WHEN lease_expires_at IS NULL THEN 0 ELSE 1 END, lease_expires_at, seq',
      )
      .limit(options.limit)) as Array<{ seq: number }>;
    const claimed: Rfc[] = [];
    for (const { seq } of candidates) {
      // The same conditions again: another replica may have taken it since.
      const [row] = await this.db<RfcRow>(RFCS)
        .where({ seq })
        .andWhere('automation', 'automated')
        .andWhere(due)
        .andWhere(free)
        .update({
          lease_owner: options.owner,
          lease_expires_at: options.leaseUntil.toISOString(),
        })
        .returning('*');
      if (row) {
        const approvals = await this.approvalsFor([seq]);
        claimed.push(toRfc(row, approvals.get(seq) ?? []));
      }
    }
    return claimed;
  }

  async renewLease(
    id: string,
    owner: string,
    leaseUntil: Date,
  ): Promise<boolean> {
    const seq = parseRfcId(id);
    if (seq === undefined) return false;
    const count = await this.db<RfcRow>(RFCS)
      .where({ seq, lease_owner: owner })
      .update({ lease_expires_at: leaseUntil.toISOString() });
    return Number(count) === 1;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    const seq = parseRfcId(id);
    if (seq === undefined) return;
    await this.db<RfcRow>(RFCS)
      .where({ seq, lease_owner: owner })
      .update({ lease_owner: null, lease_expires_at: null });
  }

  async recordExecutionTask(options: {
    id: string;
    attempt: number;
    owner: string;
    taskId: string;
    secretHash?: string;
  }): Promise<boolean> {
    const seq = parseRfcId(options.id);
    if (seq === undefined) return false;
    return this.db.transaction(async tx => {
      const before = await this.rowForChange(tx, seq);
      const [row] = await tx<RfcRow>(RFCS)
        .where({
          seq,
          status: 'InProgress',
          attempt: options.attempt,
          lease_owner: options.owner,
        })
        .whereNull('task_id')
        .update({
          task_id: options.taskId,
          ...(options.secretHash
            ? { execution_secret_hash: options.secretHash }
            : {}),
          updated_at: new Date().toISOString(),
          version: tx.raw('version + 1') as unknown as number,
        })
        .returning('*');
      if (!row) return false;
      await this.audit.append(tx, {
        subject: rfcAuditSubject(formatRfcId(seq)),
        actor: SYSTEM_ACTOR,
        action: 'execution-task',
        before: before ? auditState(before) : null,
        after: auditState(row),
        details: {
          attempt: options.attempt,
          taskId: options.taskId,
          executor: options.owner,
          secretReplaced: Boolean(options.secretHash),
        },
      });
      return true;
    });
  }

  async rotateExecutionSecret(options: {
    id: string;
    attempt: number;
    owner: string;
    secretHash: string;
  }): Promise<boolean> {
    const seq = parseRfcId(options.id);
    if (seq === undefined) return false;
    const count = await this.db<RfcRow>(RFCS)
      .where({
        seq,
        status: 'InProgress',
        attempt: options.attempt,
        lease_owner: options.owner,
      })
      .whereNull('task_id')
      .update({ execution_secret_hash: options.secretHash });
    return Number(count) === 1;
  }

  async getExecutionState(id: string): Promise<RfcExecutionState | undefined> {
    const seq = parseRfcId(id);
    if (seq === undefined) return undefined;
    const row = await this.db<RfcRow>(RFCS)
      .select(
        'status',
        'attempt',
        'task_id',
        'execution_secret_hash',
        'lease_owner',
        'lease_expires_at',
      )
      .where({ seq })
      .first();
    if (!row) return undefined;
    return {
      status: row.status as RfcStatus,
      attempt: Number(row.attempt),
      ...(row.task_id ? { taskId: row.task_id } : {}),
      ...(row.execution_secret_hash
        ? { secretHash: row.execution_secret_hash }
        : {}),
      ...(row.lease_owner ? { leaseOwner: row.lease_owner } : {}),
      ...(row.lease_expires_at ? { leaseExpiresAt: row.lease_expires_at } : {}),
    };
  }

  async addExecutionOutputs(options: {
    id: string;
    attempt: number;
    stepId: string;
    outputs: Record<string, string>;
  }): Promise<void> {
    const seq = parseRfcId(options.id);
    if (seq === undefined) return;
    const entries = Object.entries(options.outputs);
    const at = new Date().toISOString();
    await this.db.transaction(async tx => {
      const rfc = (await tx<RfcRow>(RFCS)
        .select('task_id')
        .where({ seq })
        .first()) as Pick<RfcRow, 'task_id'> | undefined;
      if (!rfc) return;
      const stored = async () => {
        const rows = (await tx<OutputRow>(OUTPUTS)
          .select('name', 'value')
          .where({
            rfc_seq: seq,
            attempt: options.attempt,
            step_id: options.stepId,
          })
          .orderBy('id', 'asc')) as Pick<OutputRow, 'name' | 'value'>[];
        return Object.fromEntries(rows.map(r => [r.name, r.value]));
      };
      const before = await stored();
      if (entries.length > 0) {
        await tx<OutputRow>(OUTPUTS)
          .insert(
            entries.map(([name, value]) => ({
              rfc_seq: seq,
              attempt: options.attempt,
              step_id: options.stepId,
              name,
              value,
              at,
            })),
          )
          .onConflict(['rfc_seq', 'attempt', 'step_id', 'name'])
          .ignore();
      }
      // What the step reported, and what stands: a repeated name keeps its
      // first value, which the entry shows.
      await this.audit.append(tx, {
        subject: rfcAuditSubject(formatRfcId(seq)),
        actor: SYSTEM_ACTOR,
        action: 'execution-step',
        before: { outputs: before },
        after: { outputs: await stored() },
        details: {
          attempt: options.attempt,
          stepId: options.stepId,
          taskId: rfc.task_id,
          outputs: options.outputs,
        },
      });
    });
  }

  async listExecutionOutputs(id: string): Promise<RfcExecutionOutput[]> {
    const seq = parseRfcId(id);
    if (seq === undefined) return [];
    const rows = await this.db<OutputRow>(OUTPUTS)
      .where({ rfc_seq: seq })
      .orderBy('id', 'asc');
    return rows.map(row => ({
      attempt: Number(row.attempt),
      stepId: row.step_id,
      name: row.name,
      value: row.value,
      at: row.at,
    }));
  }

  /**
   * An RFC's row before a change to it. Locked on PostgreSQL until the
   * transaction ends, so the change applies to exactly what was read;
   * SQLite's single writer gives the same.
   */
  private async rowForChange(
    tx: Knex.Transaction,
    seq: number,
  ): Promise<RfcRow | undefined> {
    const query = tx<RfcRow>(RFCS).where({ seq });
    if (isPostgres(tx)) query.forUpdate();
    return (await query.first()) as RfcRow | undefined;
  }

  private async approvalsFor(
    seqs: number[],
    db: Knex = this.db,
  ): Promise<Map<number, RfcApproval[]>> {
    const result = new Map<number, RfcApproval[]>();
    if (seqs.length === 0) {
      return result;
    }
    const rows = await db<EventRow>(EVENTS)
      .whereIn('rfc_seq', seqs)
      .whereIn('action', DECISION_ACTIONS)
      .orderBy('id', 'asc');
    for (const row of rows) {
      const key = Number(row.rfc_seq);
      const list = result.get(key) ?? [];
      list.push(toApproval(row));
      result.set(key, list);
    }
    return result;
  }
}
