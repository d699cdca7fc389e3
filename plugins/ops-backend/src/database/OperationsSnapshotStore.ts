import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  OperationsSnapshotKind,
  OperationsSource,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { runOpsMigrations } from './migrate';

const SNAPSHOTS = 'ops_operations_snapshots';

/**
 * A stored read is replaced only by one that started no earlier: a slow
 * global refresh that finishes after an on-demand read of the same entity
 * does not overwrite the newer data with what it read before.
 */
const newerRead = (q: Knex.QueryBuilder) =>
  q.whereRaw('??.?? <= excluded.??', [
    SNAPSHOTS,
    'attempted_at',
    'attempted_at',
  ]);
const REFRESH_REQUESTS = 'ops_operations_refresh_requests';
// 9 columns per row keeps a chunk under SQLite's 999 bound parameters.
const WRITE_CHUNK = 100;
const READ_CHUNK = 500;

/** @public */
export type StoredOperationsSnapshot = {
  entityRef: string;
  kind: OperationsSnapshotKind;
  source: OperationsSource;
  /** The last good read, kept when a later read fails. */
  payload: unknown | null;
  refreshedAt: string | null;
  attemptedAt: string;
  error: string | null;
  stale: boolean;
};

/** The outcome of reading one kind of data for one entity. @public */
export type OperationsSnapshotWrite = {
  entityRef: string;
  kind: OperationsSnapshotKind;
  source: OperationsSource;
  /** ISO time of the read. */
  at: string;
} & ({ ok: true; payload: unknown } | { ok: false; error: string });

/** @public */
export type RefreshClaim =
  | { claimed: true }
  | { claimed: false; retryAfterMs: number };

/** @public */
export interface OperationsSnapshotStore {
  getSnapshots(entityRef: string): Promise<StoredOperationsSnapshot[]>;
  /** The snapshots of one kind of many entities; entities without one are left out. */
  listSnapshots(options: {
    kind: OperationsSnapshotKind;
    entityRefs: string[];
  }): Promise<StoredOperationsSnapshot[]>;
  /**
   * Stores reads. A good read replaces the payload and clears the error; a
   * failed one keeps the last good payload, marks it stale and records why.
   */
  saveReads(writes: OperationsSnapshotWrite[]): Promise<void>;
  listEntityRefs(): Promise<string[]>;
  deleteEntities(entityRefs: string[]): Promise<void>;
  /**
   * Takes the right to refresh an entity now, unless one was taken less than
   * `minIntervalMs` ago. One conditional write, so replicas agree.
   */
  claimRefresh(
    entityRef: string,
    now: Date,
    minIntervalMs: number,
  ): Promise<RefreshClaim>;
}

/** Runs the ops backend's migrations unless the database service says not to. @public */
export async function migrateOpsDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await runOpsMigrations(client);
  }
  return client;
}

type Row = {
  entity_ref: string;
  kind: string;
  source: string;
  payload: string | null;
  refreshed_at: string | null;
  attempted_at: string;
  error: string | null;
  stale: boolean | number;
};

function toSnapshot(row: Row): StoredOperationsSnapshot {
  return {
    entityRef: row.entity_ref,
    kind: row.kind as OperationsSnapshotKind,
    source: row.source as OperationsSource,
    payload: row.payload === null ? null : JSON.parse(row.payload),
    refreshedAt: row.refreshed_at,
    attemptedAt: row.attempted_at,
    error: row.error,
    // SQLite has no boolean type and returns 0/1.
    stale: Boolean(row.stale),
  };
}

/** @public */
export class DatabaseOperationsSnapshotStore
  implements OperationsSnapshotStore
{
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseOperationsSnapshotStore> {
    return new DatabaseOperationsSnapshotStore(
      await migrateOpsDatabase(options.database),
    );
  }

  constructor(private readonly db: Knex) {}

  async getSnapshots(entityRef: string): Promise<StoredOperationsSnapshot[]> {
    const rows = await this.db<Row>(SNAPSHOTS).where({ entity_ref: entityRef });
    return rows.map(toSnapshot);
  }

  async listSnapshots(options: {
    kind: OperationsSnapshotKind;
    entityRefs: string[];
  }): Promise<StoredOperationsSnapshot[]> {
    const refs = [...new Set(options.entityRefs)];
    const snapshots: StoredOperationsSnapshot[] = [];
    for (let i = 0; i < refs.length; i += READ_CHUNK) {
      const rows = await this.db<Row>(SNAPSHOTS)
        .where({ kind: options.kind })
        .whereIn('entity_ref', refs.slice(i, i + READ_CHUNK));
      snapshots.push(...rows.map(toSnapshot));
    }
    return snapshots;
  }

  async saveReads(writes: OperationsSnapshotWrite[]): Promise<void> {
    const good = writes.filter(w => w.ok);
    const failed = writes.filter(w => !w.ok);
    await this.db.transaction(async tx => {
      for (let i = 0; i < good.length; i += WRITE_CHUNK) {
        await tx(SNAPSHOTS)
          .insert(
            good.slice(i, i + WRITE_CHUNK).map(w => ({
              entity_ref: w.entityRef,
              kind: w.kind,
              source: w.source,
              payload: JSON.stringify((w as { payload: unknown }).payload),
              refreshed_at: w.at,
              attempted_at: w.at,
              error: null,
              stale: false,
            })),
          )
          .onConflict(['entity_ref', 'kind'])
          .merge()
          .where(newerRead);
      }
      for (let i = 0; i < failed.length; i += WRITE_CHUNK) {
        await tx(SNAPSHOTS)
          .insert(
            failed.slice(i, i + WRITE_CHUNK).map(w => ({
              entity_ref: w.entityRef,
              kind: w.kind,
              source: w.source,
              payload: null,
              refreshed_at: null,
              attempted_at: w.at,
              error: (w as { error: string }).error,
              stale: true,
            })),
          )
          .onConflict(['entity_ref', 'kind'])
          // Only these: the payload and refreshed_at of the last good read stay.
          .merge(['attempted_at', 'error', 'stale'])
          .where(newerRead);
      }
    });
  }

  async listEntityRefs(): Promise<string[]> {
    const rows = await this.db(SNAPSHOTS).distinct('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  async deleteEntities(entityRefs: string[]): Promise<void> {
    await this.db.transaction(async tx => {
      for (let i = 0; i < entityRefs.length; i += READ_CHUNK) {
        const chunk = entityRefs.slice(i, i + READ_CHUNK);
        await tx(SNAPSHOTS).whereIn('entity_ref', chunk).delete();
        await tx(REFRESH_REQUESTS).whereIn('entity_ref', chunk).delete();
      }
    });
  }

  async claimRefresh(
    entityRef: string,
    now: Date,
    minIntervalMs: number,
  ): Promise<RefreshClaim> {
    const nowIso = now.toISOString();
    const cutoff = new Date(now.getTime() - minIntervalMs).toISOString();
    const updated = await this.db(REFRESH_REQUESTS)
      .where('entity_ref', entityRef)
      .where('requested_at', '<=', cutoff)
      .update({ requested_at: nowIso });
    if (updated === 1) {
      return { claimed: true };
    }
    const inserted = await this.db(REFRESH_REQUESTS)
      .insert({ entity_ref: entityRef, requested_at: nowIso })
      .onConflict('entity_ref')
      .ignore()
      .returning('entity_ref');
    if (inserted.length === 1) {
      return { claimed: true };
    }
    const row = await this.db(REFRESH_REQUESTS)
      .where('entity_ref', entityRef)
      .first('requested_at');
    const last = row ? Date.parse(row.requested_at) : now.getTime();
    return {
      claimed: false,
      retryAfterMs: Math.max(1, last + minIntervalMs - now.getTime()),
    };
  }
}
