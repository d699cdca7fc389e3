import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  formatIncidentId,
  formatProblemId,
  parseIncidentId,
  parseProblemId,
  type Incident,
  type IncidentPriority,
  type IncidentResolution,
  type IncidentStatus,
  type Problem,
  type ProblemStatus,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { migrateOpsDatabase } from './OperationsSnapshotStore';

const INCIDENTS = 'ops_incidents';
const PROBLEMS = 'ops_problems';

/** An incident to open; the store gives it its id and status. */
export type NewIncident = {
  entityRef: string;
  ownerGroup: string;
  alarmArn: string;
  alarmName: string;
  reason: string;
  /** When the alarm entered ALARM, if the read said so. */
  alarmStateSince?: string;
  priority: IncidentPriority;
  priorityRule: string;
  consoleUrl?: string;
  openedAt: string;
};

/** When incidents of one alarm recur enough to open a problem. */
export type RecurrencePolicy = {
  /** Incidents within the window, this one included, that open a problem. */
  threshold: number;
  /** ISO start of the window. */
  since: string;
  /** Title of the problem, if one opens. */
  title: string;
};

export type OpenIncidentResult = {
  incident: Incident;
  /** Set when this incident made the alarm's incidents recur enough. */
  openedProblem?: Problem;
};

export type IncidentResolutionInput = {
  resolvedAt: string;
  resolvedBy: string;
  resolution: IncidentResolution;
  notes?: string;
};

export type IncidentListQuery = {
  entityRef?: string;
  ownerGroup?: string;
  /** Only these owning groups' incidents (lower-cased); absent: all. */
  ownerGroups?: string[];
  status?: IncidentStatus;
  priority?: IncidentPriority;
  limit: number;
  offset: number;
};

export type ProblemListQuery = {
  entityRef?: string;
  ownerGroup?: string;
  /** Only these owning groups' problems (lower-cased); absent: all. */
  ownerGroups?: string[];
  status?: ProblemStatus;
};

export type ProblemChanges = {
  status?: ProblemStatus;
  rootCause?: string;
  remediation?: string;
  updatedAt: string;
  resolvedAt?: string;
};

/** What a monthly report needs about one team's incidents. */
export type IncidentReportData = {
  /** Incidents opened in the period, oldest first. */
  opened: Incident[];
  /** Incidents resolved in the period, oldest resolution first. */
  resolved: Incident[];
  problemsOpened: number;
};

/** Incidents and problems, with the conditional writes that keep them consistent across replicas. */
export interface IncidentStore {
  /** Open incidents of the given (lower-cased) entities. */
  listOpenIncidents(entityRefs: string[]): Promise<Incident[]>;
  /**
   * Opens an incident unless its alarm already has an open one, or already
   * had one since it entered ALARM (`alarmStateSince`); links it to the
   * alarm's unresolved problem or opens one when it recurs enough. Answers
   * undefined when nothing was opened.
   */
  openIncident(
    input: NewIncident,
    recurrence: RecurrencePolicy,
  ): Promise<OpenIncidentResult | undefined>;
  /** Resolves an open incident; undefined when it is not open (or not there). */
  resolveIncident(
    id: string,
    input: IncidentResolutionInput,
  ): Promise<Incident | undefined>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** Newest first. */
  listIncidents(
    query: IncidentListQuery,
  ): Promise<{ items: Incident[]; totalCount: number }>;
  /** Open incidents first, then the newest resolved ones. */
  listEntityIncidents(entityRef: string, limit: number): Promise<Incident[]>;
  getProblem(id: string): Promise<Problem | undefined>;
  /** Newest first. */
  listProblems(query: ProblemListQuery): Promise<Problem[]>;
  /** Applies changes if the problem is still at `expectedVersion` and unresolved; else ConflictError. */
  updateProblem(
    id: string,
    expectedVersion: number,
    changes: ProblemChanges,
  ): Promise<Problem>;
  /** Incidents of a team opened and resolved in [from, to), and problems opened then. */
  listForReport(
    ownerGroup: string,
    from: string,
    to: string,
  ): Promise<IncidentReportData>;
}

type IncidentRow = {
  seq: number;
  entity_ref: string;
  owner_group: string;
  alarm_arn: string;
  alarm_name: string;
  reason: string;
  alarm_state_since: string | null;
  priority: string;
  priority_rule: string;
  status: string;
  opened_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  resolution_notes: string | null;
  console_url: string | null;
  problem_seq: number | null;
};

type ProblemRow = {
  seq: number;
  entity_ref: string;
  owner_group: string;
  alarm_arn: string;
  alarm_name: string;
  title: string;
  status: string;
  root_cause: string | null;
  remediation: string | null;
  opened_at: string;
  updated_at: string;
  resolved_at: string | null;
  version: number;
};

function toIncident(row: IncidentRow): Incident {
  return {
    id: formatIncidentId(Number(row.seq)),
    entityRef: row.entity_ref,
    ownerGroup: row.owner_group,
    alarmArn: row.alarm_arn,
    alarmName: row.alarm_name,
    reason: row.reason,
    priority: row.priority as IncidentPriority,
    priorityRule: row.priority_rule,
    status: row.status as IncidentStatus,
    openedAt: row.opened_at,
    ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
    ...(row.resolved_by !== null ? { resolvedBy: row.resolved_by } : {}),
    ...(row.resolution !== null
      ? { resolution: row.resolution as IncidentResolution }
      : {}),
    ...(row.resolution_notes !== null
      ? { resolutionNotes: row.resolution_notes }
      : {}),
    ...(row.problem_seq !== null
      ? { problemId: formatProblemId(Number(row.problem_seq)) }
      : {}),
    ...(row.console_url !== null ? { consoleUrl: row.console_url } : {}),
  };
}

function toProblem(row: ProblemRow, incidentSeqs: number[]): Problem {
  return {
    id: formatProblemId(Number(row.seq)),
    entityRef: row.entity_ref,
    ownerGroup: row.owner_group,
    alarmArn: row.alarm_arn,
    alarmName: row.alarm_name,
    title: row.title,
    status: row.status as ProblemStatus,
    ...(row.root_cause !== null ? { rootCause: row.root_cause } : {}),
    ...(row.remediation !== null ? { remediation: row.remediation } : {}),
    incidentIds: incidentSeqs.map(formatIncidentId),
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
    version: Number(row.version),
  };
}

/** Knex implementation of {@link IncidentStore}, on SQLite and PostgreSQL. */
export class DatabaseIncidentStore implements IncidentStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseIncidentStore> {
    return new DatabaseIncidentStore(
      await migrateOpsDatabase(options.database),
    );
  }

  constructor(private readonly db: Knex) {}

  async listOpenIncidents(entityRefs: string[]): Promise<Incident[]> {
    if (!entityRefs.length) return [];
    const rows: IncidentRow[] = [];
    // Stay well below the bind parameter limits of both databases.
    for (let i = 0; i < entityRefs.length; i += 500) {
      rows.push(
        ...(await this.db<IncidentRow>(INCIDENTS)
          .whereIn('entity_ref', entityRefs.slice(i, i + 500))
          .where('status', 'Open')),
      );
    }
    return rows.map(toIncident);
  }

  async openIncident(
    input: NewIncident,
    recurrence: RecurrencePolicy,
  ): Promise<OpenIncidentResult | undefined> {
    const alarm = { entity_ref: input.entityRef, alarm_arn: input.alarmArn };
    return this.db.transaction(async tx => {
      if (input.alarmStateSince) {
        // An incident opened since the alarm entered ALARM covers this
        // episode, even if someone resolved it by hand meanwhile.
        const latest = await tx<IncidentRow>(INCIDENTS)
          .where(alarm)
          .orderBy('opened_at', 'desc')
          .first('opened_at');
        if (latest && latest.opened_at >= input.alarmStateSince) {
          return undefined;
        }
      }
      const row: Omit<IncidentRow, 'seq'> = {
        ...alarm,
        owner_group: input.ownerGroup,
        alarm_name: input.alarmName,
        reason: input.reason,
        alarm_state_since: input.alarmStateSince ?? null,
        priority: input.priority,
        priority_rule: input.priorityRule,
        status: 'Open',
        opened_at: input.openedAt,
        resolved_at: null,
        resolved_by: null,
        resolution: null,
        resolution_notes: null,
        console_url: input.consoleUrl ?? null,
        problem_seq: null,
      };
      // Names the partial unique index: a concurrent insert of the same
      // alarm's incident waits for the other and then writes nothing.
      const inserted = await tx<IncidentRow>(INCIDENTS)
        .insert(row)
        .onConflict(
          tx.raw(`(entity_ref, alarm_arn) where status = 'Open'`) as any,
        )
        .ignore()
        .returning('seq');
      if (!inserted.length) return undefined;
      const seq = Number(
        typeof inserted[0] === 'object'
          ? (inserted[0] as { seq: number }).seq
          : inserted[0],
      );
      const incident = { ...row, seq };

      const unresolved = await tx<ProblemRow>(PROBLEMS)
        .where(alarm)
        .whereNot('status', 'Resolved')
        .first('seq');
      if (unresolved) {
        await tx(INCIDENTS)
          .where({ seq })
          .update({ problem_seq: unresolved.seq });
        return {
          incident: toIncident({ ...incident, problem_seq: unresolved.seq }),
        };
      }

      // Incidents already explained by a resolved problem do not count again.
      const recent = await tx<IncidentRow>(INCIDENTS)
        .where(alarm)
        .whereNull('problem_seq')
        .where('opened_at', '>=', recurrence.since)
        .orderBy([
          { column: 'opened_at', order: 'asc' },
          { column: 'seq', order: 'asc' },
        ])
        .select('seq');
      if (recent.length < recurrence.threshold) {
        return { incident: toIncident(incident) };
      }
      const problemRow: Omit<ProblemRow, 'seq'> = {
        ...alarm,
        owner_group: input.ownerGroup,
        alarm_name: input.alarmName,
        title: recurrence.title,
        status: 'Open',
        root_cause: null,
        remediation: null,
        opened_at: input.openedAt,
        updated_at: input.openedAt,
        resolved_at: null,
        version: 1,
      };
      const [created] = await tx<ProblemRow>(PROBLEMS)
        .insert(problemRow)
        .onConflict(
          tx.raw(`(entity_ref, alarm_arn) where status <> 'Resolved'`) as any,
        )
        .ignore()
        .returning('seq');
      if (!created) {
        // Another writer opened the problem first: join it.
        const existing = await tx<ProblemRow>(PROBLEMS)
          .where(alarm)
          .whereNot('status', 'Resolved')
          .first('seq');
        if (existing) {
          await tx(INCIDENTS)
            .where({ seq })
            .update({ problem_seq: existing.seq });
        }
        return {
          incident: toIncident({
            ...incident,
            problem_seq: existing?.seq ?? null,
          }),
        };
      }
      const problemSeq = Number(
        typeof created === 'object'
          ? (created as { seq: number }).seq
          : created,
      );
      const linked = recent.map(r => Number(r.seq));
      await tx(INCIDENTS)
        .whereIn('seq', linked)
        .update({ problem_seq: problemSeq });
      return {
        incident: toIncident({ ...incident, problem_seq: problemSeq }),
        openedProblem: toProblem({ ...problemRow, seq: problemSeq }, linked),
      };
    });
  }

  async resolveIncident(
    id: string,
    input: IncidentResolutionInput,
  ): Promise<Incident | undefined> {
    const seq = parseIncidentId(id);
    if (seq === undefined) return undefined;
    const [row] = await this.db<IncidentRow>(INCIDENTS)
      .where({ seq, status: 'Open' })
      .update({
        status: 'Resolved',
        resolved_at: input.resolvedAt,
        resolved_by: input.resolvedBy,
        resolution: input.resolution,
        resolution_notes: input.notes ?? null,
      })
      .returning('*');
    return row ? toIncident(row as IncidentRow) : undefined;
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const seq = parseIncidentId(id);
    if (seq === undefined) return undefined;
    const row = await this.db<IncidentRow>(INCIDENTS).where({ seq }).first();
    return row ? toIncident(row) : undefined;
  }

  async listIncidents(
    query: IncidentListQuery,
  ): Promise<{ items: Incident[]; totalCount: number }> {
    const filtered = () => {
      const q = this.db<IncidentRow>(INCIDENTS);
      if (query.entityRef) q.where('entity_ref', query.entityRef);
      if (query.ownerGroup) q.where('owner_group', query.ownerGroup);
      if (query.ownerGroups) q.whereIn('owner_group', query.ownerGroups);
      if (query.status) q.where('status', query.status);
      if (query.priority) q.where('priority', query.priority);
      return q;
    };
    const [rows, [{ count }]] = await Promise.all([
      filtered()
        .orderBy([
          { column: 'opened_at', order: 'desc' },
          { column: 'seq', order: 'desc' },
        ])
        .limit(query.limit)
        .offset(query.offset),
      filtered().count({ count: '*' }),
    ]);
    return {
      items: (rows as IncidentRow[]).map(toIncident),
      totalCount: Number(count),
    };
  }

  async listEntityIncidents(
    entityRef: string,
    limit: number,
  ): Promise<Incident[]> {
    const rows = await this.db<IncidentRow>(INCIDENTS)
      .where('entity_ref', entityRef)
      .orderByRaw(
        `case when status = 'Open' then 0 else 1 end, opened_at desc, seq desc`,
      )
      .limit(limit);
    return rows.map(toIncident);
  }

  async getProblem(id: string): Promise<Problem | undefined> {
    const seq = parseProblemId(id);
    if (seq === undefined) return undefined;
    const row = await this.db<ProblemRow>(PROBLEMS).where({ seq }).first();
    if (!row) return undefined;
    const [problem] = await this.withIncidents([row]);
    return problem;
  }

  async listProblems(query: ProblemListQuery): Promise<Problem[]> {
    const q = this.db<ProblemRow>(PROBLEMS);
    if (query.entityRef) q.where('entity_ref', query.entityRef);
    if (query.ownerGroup) q.where('owner_group', query.ownerGroup);
    if (query.ownerGroups) q.whereIn('owner_group', query.ownerGroups);
    if (query.status) q.where('status', query.status);
    const rows = await q.orderBy([
      { column: 'opened_at', order: 'desc' },
      { column: 'seq', order: 'desc' },
    ]);
    return this.withIncidents(rows);
  }

  async updateProblem(
    id: string,
    expectedVersion: number,
    changes: ProblemChanges,
  ): Promise<Problem> {
    const seq = parseProblemId(id);
    if (seq === undefined) {
      throw new ConflictError(`${id} is not a problem id`);
    }
    const columns: Partial<ProblemRow> = {
      updated_at: changes.updatedAt,
      version: expectedVersion + 1,
    };
    if (changes.status !== undefined) columns.status = changes.status;
    if (changes.rootCause !== undefined) columns.root_cause = changes.rootCause;
    if (changes.remediation !== undefined) {
      columns.remediation = changes.remediation;
    }
    if (changes.resolvedAt !== undefined) {
      columns.resolved_at = changes.resolvedAt;
    }
    const [row] = await this.db<ProblemRow>(PROBLEMS)
      .where({ seq, version: expectedVersion })
      .whereNot('status', 'Resolved')
      .update(columns)
      .returning('*');
    if (!row) {
      throw new ConflictError(
        `${id} changed since version ${expectedVersion} was read, or is resolved; reload it and try again`,
      );
    }
    const [problem] = await this.withIncidents([row as ProblemRow]);
    return problem;
  }

  async listForReport(
    ownerGroup: string,
    from: string,
    to: string,
  ): Promise<IncidentReportData> {
    const [opened, resolved, [{ count }]] = await Promise.all([
      this.db<IncidentRow>(INCIDENTS)
        .where('owner_group', ownerGroup)
        .where('opened_at', '>=', from)
        .where('opened_at', '<', to)
        .orderBy([
          { column: 'opened_at', order: 'asc' },
          { column: 'seq', order: 'asc' },
        ]),
      this.db<IncidentRow>(INCIDENTS)
        .where('owner_group', ownerGroup)
        .where('resolved_at', '>=', from)
        .where('resolved_at', '<', to)
        .orderBy([
          { column: 'resolved_at', order: 'asc' },
          { column: 'seq', order: 'asc' },
        ]),
      this.db<ProblemRow>(PROBLEMS)
        .where('owner_group', ownerGroup)
        .where('opened_at', '>=', from)
        .where('opened_at', '<', to)
        .count({ count: '*' }),
    ]);
    return {
      opened: opened.map(toIncident),
      resolved: resolved.map(toIncident),
      problemsOpened: Number(count),
    };
  }

  /** Adds each problem's incident ids, oldest first; one query per 500 problems. */
  private async withIncidents(rows: ProblemRow[]): Promise<Problem[]> {
    if (!rows.length) return [];
    const bySeq = new Map<number, number[]>();
    for (let i = 0; i < rows.length; i += 500) {
      const links = await this.db<IncidentRow>(INCIDENTS)
        .whereIn(
          'problem_seq',
          rows.slice(i, i + 500).map(r => r.seq),
        )
        .orderBy([
          { column: 'opened_at', order: 'asc' },
          { column: 'seq', order: 'asc' },
        ])
        .select('seq', 'problem_seq');
      for (const link of links) {
        const key = Number(link.problem_seq);
        bySeq.set(key, [...(bySeq.get(key) ?? []), Number(link.seq)]);
      }
    }
    return rows.map(row => toProblem(row, bySeq.get(Number(row.seq)) ?? []));
  }
}
