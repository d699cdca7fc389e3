import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  formatFreezeId,
  freezeScopeRefs,
  parseFreezeId,
  type FreezeScope,
  type FreezeSide,
  type FreezeWindow,
  type FreezeWindowInput,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseAuditLog, type AuditLog } from '../services/Audit';
import { migrateOpsDatabase } from './OperationsSnapshotStore';

const FREEZES = 'ops_freezes';
const ENTITIES = 'ops_freeze_entities';

/** A freeze as the service decided it: input read, bounds computed. */
export type NewFreeze = FreezeWindowInput & {
  side: FreezeSide;
  teamGroup?: string;
  declaredBy: string;
  startsAt: string;
  endsAt?: string;
  at: string;
};

/** What a freeze may cover, for the store's candidate query. */
export type FreezeCandidateQuery = {
  /** UTC ISO bounds of the window asked about. */
  from: string;
  to: string;
  /** Full lower-case refs: the target and, for a stack, its component. */
  entityRefs: string[];
  ownerRefs: string[];
  systemRefs: string[];
};

export type FreezeListQuery = {
  /** Freezes with an occurrence possibly in `[from, to)`. */
  from?: string;
  to?: string;
  includeLifted?: boolean;
  /**
   * Team freezes of these teams only (Central IT's are always listed);
   * undefined means all of them.
   */
  teams?: string[];
};

/** Persistence of freeze windows. */
export interface FreezeStore {
  create(freeze: NewFreeze): Promise<FreezeWindow>;
  get(id: string): Promise<FreezeWindow | undefined>;
  /** Replaces what the freeze says, if it is still at `expectedVersion` and not lifted. */
  update(
    id: string,
    expectedVersion: number,
    freeze: Omit<NewFreeze, 'side' | 'teamGroup' | 'declaredBy'>,
    by: string,
  ): Promise<FreezeWindow>;
  /** Lifts it, if it is still at `expectedVersion` and not lifted. */
  lift(
    id: string,
    expectedVersion: number,
    by: string,
    at: string,
  ): Promise<FreezeWindow>;
  /** Ordered by first start. */
  list(query: FreezeListQuery): Promise<FreezeWindow[]>;
  /**
   * Unlifted freezes whose bounds overlap the window and whose scope could
   * cover the target; occurrences are for the caller to expand.
   */
  candidates(query: FreezeCandidateQuery): Promise<FreezeWindow[]>;
}

type FreezeRow = {
  seq: number;
  name: string;
  reason: string;
  start_local: string;
  end_local: string;
  timezone: string;
  rrule: string | null;
  scope_type: string;
  scope_ref: string | null;
  side: string;
  team_group: string | null;
  declared_by: string;
  starts_at: string;
  ends_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  lifted_at: string | null;
  lifted_by: string | null;
};

function toScope(row: FreezeRow, entities: string[]): FreezeScope {
  switch (row.scope_type) {
    case 'owner':
    case 'system':
      return { type: row.scope_type, ref: row.scope_ref ?? '' };
    case 'entities':
      return { type: 'entities', refs: [...entities].sort() };
    default:
      return { type: 'global' };
  }
}

function toFreeze(row: FreezeRow, entities: string[]): FreezeWindow {
  return {
    id: formatFreezeId(Number(row.seq)),
    name: row.name,
    reason: row.reason,
    start: row.start_local,
    end: row.end_local,
    timezone: row.timezone,
    ...(row.rrule ? { rrule: row.rrule } : {}),
    scope: toScope(row, entities),
    side: row.side as FreezeSide,
    ...(row.team_group ? { teamGroup: row.team_group } : {}),
    declaredBy: row.declared_by,
    startsAt: row.starts_at,
    ...(row.ends_at ? { endsAt: row.ends_at } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
    ...(row.lifted_at ? { liftedAt: row.lifted_at } : {}),
    ...(row.lifted_by ? { liftedBy: row.lifted_by } : {}),
  };
}

function scopeColumns(scope: FreezeScope) {
  return {
    scope_type: scope.type,
    scope_ref:
      scope.type === 'owner' || scope.type === 'system' ? scope.ref : null,
  };
}

/** Knex implementation of {@link FreezeStore}, on SQLite and PostgreSQL. */
export class DatabaseFreezeStore implements FreezeStore {
  /**
   * Runs the migrations (unless the database service skips them). Every
   * change is appended to `audit` (default: the audit log in the same
   * database) in the change's own transaction.
   */
  static async create(options: {
    database: DatabaseService;
    audit?: AuditLog;
  }): Promise<DatabaseFreezeStore> {
    const db = await migrateOpsDatabase(options.database);
    return new DatabaseFreezeStore(
      db,
      options.audit ?? new DatabaseAuditLog({ db }),
    );
  }

  constructor(private readonly db: Knex, private readonly audit: AuditLog) {}

  async create(freeze: NewFreeze): Promise<FreezeWindow> {
    return this.db.transaction(async tx => {
      const [inserted] = await tx<FreezeRow>(FREEZES)
        .insert({
          name: freeze.name,
          reason: freeze.reason,
          start_local: freeze.start,
          end_local: freeze.end,
          timezone: freeze.timezone,
          rrule: freeze.rrule ?? null,
          ...scopeColumns(freeze.scope),
          side: freeze.side,
          team_group: freeze.teamGroup ?? null,
          declared_by: freeze.declaredBy,
          starts_at: freeze.startsAt,
          ends_at: freeze.endsAt ?? null,
          created_at: freeze.at,
          updated_at: freeze.at,
          version: 1,
        })
        .returning('seq');
      const seq = Number(
        typeof inserted === 'object'
          ? (inserted as { seq: number }).seq
          : inserted,
      );
      await this.writeEntities(tx, seq, freeze.scope);
      const created = (await this.read(tx, seq))!;
      await this.audit.append(tx, {
        subject: `freeze:${created.id}`,
        actor: freeze.declaredBy,
        action: 'freeze-declare',
        before: null,
        after: created,
      });
      return created;
    });
  }

  async get(id: string): Promise<FreezeWindow | undefined> {
    const seq = parseFreezeId(id);
    if (seq === undefined) return undefined;
    return this.read(this.db, seq);
  }

  async update(
    id: string,
    expectedVersion: number,
    freeze: Omit<NewFreeze, 'side' | 'teamGroup' | 'declaredBy'>,
    by: string,
  ): Promise<FreezeWindow> {
    const seq = parseFreezeId(id);
    return this.db.transaction(async tx => {
      const before = seq === undefined ? undefined : await this.read(tx, seq);
      const changed = await tx<FreezeRow>(FREEZES)
        .where({ seq, version: expectedVersion })
        .whereNull('lifted_at')
        .update({
          name: freeze.name,
          reason: freeze.reason,
          start_local: freeze.start,
          end_local: freeze.end,
          timezone: freeze.timezone,
          rrule: freeze.rrule ?? null,
          ...scopeColumns(freeze.scope),
          starts_at: freeze.startsAt,
          ends_at: freeze.endsAt ?? null,
          updated_at: freeze.at,
          version: expectedVersion + 1,
        });
      if (changed !== 1) throw await this.conflict(tx, id, seq);
      await tx(ENTITIES).where({ freeze_seq: seq }).delete();
      await this.writeEntities(tx, seq!, freeze.scope);
      const after = (await this.read(tx, seq!))!;
      await this.audit.append(tx, {
        subject: `freeze:${id}`,
        actor: by,
        action: 'freeze-update',
        before: before ?? null,
        after,
      });
      return after;
    });
  }

  async lift(
    id: string,
    expectedVersion: number,
    by: string,
    at: string,
  ): Promise<FreezeWindow> {
    const seq = parseFreezeId(id);
    return this.db.transaction(async tx => {
      const before = seq === undefined ? undefined : await this.read(tx, seq);
      const changed = await tx<FreezeRow>(FREEZES)
        .where({ seq, version: expectedVersion })
        .whereNull('lifted_at')
        .update({
          lifted_at: at,
          lifted_by: by,
          updated_at: at,
          version: expectedVersion + 1,
        });
      if (changed !== 1) throw await this.conflict(tx, id, seq);
      const after = (await this.read(tx, seq!))!;
      await this.audit.append(tx, {
        subject: `freeze:${id}`,
        actor: by,
        action: 'freeze-lift',
        before: before ?? null,
        after,
      });
      return after;
    });
  }

  async list(query: FreezeListQuery): Promise<FreezeWindow[]> {
    const rows = await this.db<FreezeRow>(FREEZES)
      .modify(q => {
        if (!query.includeLifted) q.whereNull('lifted_at');
        if (query.to) q.where('starts_at', '<', query.to);
        if (query.from) {
          q.where(w =>
            w.whereNull('ends_at').orWhere('ends_at', '>', query.from!),
          );
        }
        if (query.teams) {
          const teams = query.teams;
          q.where(w => {
            w.where('side', 'central-it');
            if (teams.length) w.orWhereIn('team_group', teams);
          });
        }
      })
      .orderBy([{ column: 'starts_at' }, { column: 'seq' }])
      .limit(1000);
    return this.withEntities(this.db, rows);
  }

  async candidates(query: FreezeCandidateQuery): Promise<FreezeWindow[]> {
    const rows = await this.db<FreezeRow>(FREEZES)
      .whereNull('lifted_at')
      .where('starts_at', '<', query.to)
      .where(w => w.whereNull('ends_at').orWhere('ends_at', '>', query.from))
      .where(w => {
        w.where('scope_type', 'global');
        if (query.ownerRefs.length) {
          w.orWhere(o =>
            o
              .where('scope_type', 'owner')
              .whereIn('scope_ref', query.ownerRefs),
          );
        }
        const systems = [...query.systemRefs, ...query.entityRefs];
        if (systems.length) {
          w.orWhere(o =>
            o.where('scope_type', 'system').whereIn('scope_ref', systems),
          );
        }
        if (query.entityRefs.length) {
          w.orWhereIn(
            'seq',
            this.db(ENTITIES)
              .select('freeze_seq')
              .whereIn('entity_ref', query.entityRefs),
          );
        }
      })
      .orderBy('starts_at');
    return this.withEntities(this.db, rows);
  }

  private async writeEntities(
    tx: Knex.Transaction,
    seq: number,
    scope: FreezeScope,
  ) {
    const refs = scope.type === 'entities' ? freezeScopeRefs(scope) : [];
    if (refs.length) {
      await tx(ENTITIES).insert(
        refs.map(entity_ref => ({ freeze_seq: seq, entity_ref })),
      );
    }
  }

  private async read(db: Knex, seq: number) {
    const row = await db<FreezeRow>(FREEZES).where({ seq }).first();
    if (!row) return undefined;
    const [freeze] = await this.withEntities(db, [row]);
    return freeze;
  }

  private async withEntities(db: Knex, rows: FreezeRow[]) {
    const listed = rows
      .filter(r => r.scope_type === 'entities')
      .map(r => r.seq);
    const entities = new Map<number, string[]>();
    if (listed.length) {
      const found = await db<{ freeze_seq: number; entity_ref: string }>(
        ENTITIES,
      ).whereIn('freeze_seq', listed);
      for (const e of found) {
        const seq = Number(e.freeze_seq);
        entities.set(seq, [...(entities.get(seq) ?? []), e.entity_ref]);
      }
    }
    return rows.map(r => toFreeze(r, entities.get(Number(r.seq)) ?? []));
  }

  private async conflict(db: Knex, id: string, seq: number | undefined) {
    const current =
      seq === undefined
        ? undefined
        : await db<FreezeRow>(FREEZES).where({ seq }).first();
    if (!current) return new ConflictError(`freeze ${id} does not exist`);
    if (current.lifted_at) {
      return new ConflictError(
        `freeze ${id} was lifted at ${current.lifted_at}`,
      );
    }
    return new ConflictError(
      `freeze ${id} is at version ${current.version}; reload it and try again`,
    );
  }
}
