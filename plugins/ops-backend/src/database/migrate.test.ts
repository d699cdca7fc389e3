import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { runOpsMigrations } from './migrate';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const MIGRATIONS = fs
  .readdirSync(
    resolvePackagePath('@cloud-ops/plugin-ops-backend', 'migrations'),
  )
  .filter(name => name.endsWith('.js'))
  .sort();

/** Creates knex's migration tables, as a process that started migrating has. */
async function createMigrationTables(knex: Knex) {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-migrate-'));
  await knex.migrate.list({ directory: empty });
  fs.rmSync(empty, { recursive: true });
}

const lockRows = async (knex: Knex) =>
  (await knex('knex_migrations_lock').select('is_locked')).map(row =>
    Number(row.is_locked),
  );

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    () => 'rejected',
  );

describe.each(databases.eachSupportedId())('runOpsMigrations on %s', id => {
  const isSqlite = id.startsWith('SQLITE');

  /**
   * N clients of one empty database, as N replicas have. SQLite's test
   * database lives in memory, so its callers share one client; their
   * queries interleave on its one connection.
   */
  async function clientsOfOneDatabase(count: number): Promise<Knex[]> {
    const first = await databases.init(id);
    if (isSqlite) return Array(count).fill(first);
    const { client, connection } = first.client.config;
    return [
      first,
      ...Array.from({ length: count - 1 }, () =>
        knexFactory({ client, connection, pool: { min: 0, max: 3 } }),
      ),
    ];
  }

  it('lets replicas starting at once on an empty database all succeed, migrating once', async () => {
    const clients = await clientsOfOneDatabase(6);
    try {
      const results = await Promise.allSettled(
        clients.map(client => runOpsMigrations(client)),
      );
      expect(results.filter(r => r.status === 'rejected')).toEqual([]);

      const knex = clients[0];
      const applied = await knex('knex_migrations')
        .select('name')
        .orderBy('id');
      expect(applied.map(row => row.name)).toEqual(MIGRATIONS);
      expect(await lockRows(knex)).toEqual([0]);
      expect(await knex.schema.hasTable('ops_rfcs')).toBe(true);
      expect(await knex.schema.hasTable('ops_operations_snapshots')).toBe(true);
    } finally {
      await Promise.all(
        clients.slice(1).map(c => (c === clients[0] ? null : c.destroy())),
      );
    }
  });

  it('waits while another process holds the lock, and migrates once it is released', async () => {
    const knex = await databases.init(id);
    await createMigrationTables(knex);
    await knex('knex_migrations_lock').update({ is_locked: 1 });

    const migrating = runOpsMigrations(knex, { lockTimeoutMs: 30_000 });
    const settled = outcome(migrating);
    await new Promise(resolve => setTimeout(resolve, 1_500));
    expect(await Promise.race([settled, 'waiting'])).toBe('waiting');
    expect(await knex.schema.hasTable('ops_rfcs')).toBe(false);

    await knex('knex_migrations_lock').update({ is_locked: 0 });
    await migrating;
    expect(await knex.schema.hasTable('ops_rfcs')).toBe(true);
    expect(await knex('knex_migrations').count({ n: '*' })).toEqual([
      { n: isSqlite ? MIGRATIONS.length : String(MIGRATIONS.length) },
    ]);
    expect(await lockRows(knex)).toEqual([0]);
  });

  it('gives up after the deadline on a lock never released, saying how to release it', async () => {
    const knex = await databases.init(id);
    await createMigrationTables(knex);
    await knex('knex_migrations_lock').update({ is_locked: 1 });

    const started = Date.now();
    const error: Error = await runOpsMigrations(knex, {
      lockTimeoutMs: 1_000,
    }).then(
      () => {
        throw new Error('the migrations ran under a held lock');
      },
      e => e,
    );
    const elapsed = Date.now() - started;

    expect(error.message).toContain(
      "The ops backend's database migrations waited 1 s for another process",
    );
    expect(error.message).toContain('knex_migrations_lock');
    expect(error.message).toContain(
      'UPDATE knex_migrations_lock SET is_locked = 0',
    );
    expect(error.message).toContain('Migration table is already locked');
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(10_000);
    expect(await knex.schema.hasTable('ops_rfcs')).toBe(false);
    // The lock is someone else's: it is left as it was.
    expect(await lockRows(knex)).toEqual([1]);
  });

  it('repairs the lock table when two processes each inserted its row', async () => {
    const knex = await databases.init(id);
    await createMigrationTables(knex);
    await knex('knex_migrations_lock').insert({ is_locked: 0 });
    expect(await lockRows(knex)).toEqual([0, 0]);

    await runOpsMigrations(knex, { lockTimeoutMs: 5_000 });

    expect(await knex.schema.hasTable('ops_rfcs')).toBe(true);
    expect(await lockRows(knex)).toEqual([0]);
  });

  it('does not retry a migration that fails', async () => {
    const knex = await databases.init(id);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-migrate-'));
    const counter = `opsBrokenMigration${id}`;
    fs.writeFileSync(
      path.join(directory, '20260101000000_broken.js'),
      `exports.up = async knex => {
         globalThis.${counter} = (globalThis.${counter} ?? 0) + 1;
         throw new Error('no_such_table: this migration fails on purpose');
       };
       exports.down = async () => {};`,
    );
    try {
      const started = Date.now();
      await expect(
        runOpsMigrations(knex, { directory, lockTimeoutMs: 30_000 }),
      ).rejects.toThrow(/no_such_table/);
      expect((globalThis as Record<string, unknown>)[counter]).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      // knex released its lock, so the next start may try again.
      expect(await lockRows(knex)).toEqual([0]);
    } finally {
      fs.rmSync(directory, { recursive: true });
    }
  });
});
