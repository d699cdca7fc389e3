import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = resolvePackagePath(
  '@cloud-ops/plugin-ops-backend',
  'migrations',
);
const DEFAULT_TABLE = 'knex_migrations';
const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
const FIRST_WAIT_MS = 100;
const LONGEST_WAIT_MS = 2_000;

export type MigrationLockOptions = {
  /**
   * How long to wait for another process that holds the migration lock or
   * is creating knex's migration tables; 60 s by default.
   */
  lockTimeoutMs?: number;
  /** Whose migrations these are, for the error message. */
  owner?: string;
  /** A fresh migrator of the client; `knex.migrate` by default. */
  migrator?: () => Knex.Migrator;
};

/**
 * Runs the ops backend's migrations (the package's `migrations` directory
 * unless `directory` says otherwise). Replicas starting together on an
 * empty database meet each other here: the one that takes knex's lock
 * migrates, the others wait for it and find nothing left to do. A
 * migration that fails is not retried.
 */
export async function runOpsMigrations(
  knex: Knex,
  options: MigrationLockOptions & { directory?: string } = {},
): Promise<void> {
  const { directory = MIGRATIONS_DIR, ...lockOptions } = options;
  await migrateLatestWaitingForLock(
    knex,
    { directory },
    { owner: "The ops backend's", ...lockOptions },
  );
}

/**
 * `knex.migrate.latest(config)`, waiting with backoff, up to a deadline,
 * while another process holds the migration lock or is creating the
 * migration tables. Any other error is thrown at once.
 */
export async function migrateLatestWaitingForLock(
  knex: Knex,
  config: Knex.MigratorConfig,
  options: MigrationLockOptions = {},
): Promise<void> {
  const table = config.tableName ?? DEFAULT_TABLE;
  const lockTable = `${table}_lock`;
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const migrator = options.migrator ?? (() => knex.migrate);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await migrator().latest(config);
      return;
    } catch (error) {
      if (!isContention(error, table)) throw error;
      if (isLockError(error)) {
        await collapseLockRows(knex, lockTable, config.schemaName);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${options.owner ?? 'The'} database migrations waited ${Math.round(
            timeoutMs / 1000,
          )} s for another process: the migration lock is still taken ` +
            `(table ${lockTable}, is_locked = 1) or its tables are still being created. ` +
            `If no other backend is starting, a process died while migrating and left the lock behind: ` +
            `release it with "UPDATE ${lockTable} SET is_locked = 0" in the plugin's database ` +
            `(its schema with pluginDivisionMode: schema), then restart. ` +
            `Last error: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** attempt);
      // Jitter, so that waiting replicas do not all ask again at once.
      const jittered = wait / 2 + Math.random() * (wait / 2);
      await new Promise(resolve =>
        setTimeout(resolve, Math.min(jittered, left)),
      );
    }
  }
}

function isLockError(error: unknown): boolean {
  // knex's own class for a lock it could not take.
  return (error as Error)?.name === 'MigrationLocked';
}

/**
 * Another process holds the lock, or is creating the migration table or
 * its lock table at the same moment: PostgreSQL reports a duplicate table
 * (42P07), a duplicate object (42710: "type … already exists", the table's
 * row type) or a unique violation in its catalog (23505, on pg_type), SQLite
 * "already exists".
 */
function isContention(error: unknown, table: string): boolean {
  if (isLockError(error)) return true;
  const e = error as {
    code?: unknown;
    message?: unknown;
    detail?: unknown;
  };
  const text = `${e?.message} ${e?.detail}`;
  if (!text.includes(table)) return false;
  if (e.code === '42P07' || e.code === '42710' || e.code === '23505') {
    return true;
  }
  return String(e.code).startsWith('SQLITE') && /already exists/.test(text);
}

/**
 * Two processes that create the lock table together may each insert its
 * one row. knex then never takes the lock (it needs to flip exactly one
 * row), so every start would wait for nothing. With no row locked, the
 * extra rows are removed; a row that is locked is left alone.
 */
async function collapseLockRows(
  knex: Knex,
  lockTable: string,
  schema?: string,
): Promise<void> {
  const table = () =>
    schema ? knex(lockTable).withSchema(schema) : knex(lockTable);
  const rows: Array<{ index: number; is_locked: number | boolean }> =
    await table().select('index', 'is_locked');
  if (rows.length < 2 || rows.some(row => Number(row.is_locked) !== 0)) {
    return;
  }
  const keep = Math.min(...rows.map(row => row.index));
  await table().where('index', '>', keep).delete();
}
