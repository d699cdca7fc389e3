import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import type { Knex } from 'knex';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@cloud-ops/plugin-ops-backend',
  'migrations',
);
const RFC_MIGRATION = '20261121000100_rfcs.js';
const RFC_INDEX_MIGRATION = '20261121000300_rfc_list_indexes.js';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

async function migrateUpTo(knex: Knex, name: string) {
  // Apply every migration up to and including `name`, in order.
  const files = fs
    .readdirSync(migrationsDir)
    .filter(f => f.endsWith('.js'))
    .sort();
  for (const file of files) {
    await knex.migrate.up({ directory: migrationsDir, name: file });
    if (file === name) {
      return;
    }
  }
}

describe.each(databases.eachSupportedId())(
  'RFC migrations on %s',
  databaseId => {
    it('creates the RFC tables and removes them again', async () => {
      const knex = await databases.init(databaseId);
      await migrateUpTo(knex, RFC_MIGRATION);
      expect(await knex.schema.hasTable('ops_rfcs')).toBe(true);
      expect(await knex.schema.hasTable('ops_rfc_events')).toBe(true);

      const [row] = await knex('ops_rfcs')
        .insert({
          change_type_id: 'x',
          change_type_version: '1.0',
          title: 't',
          description: 'd',
          target_entity_ref: 'component:default/a',
          parameters: '{}',
          owner_group: 'group:default/a',
          origin: 'user',
          requester: 'user:default/a',
          approval_rule: 'none',
          implementation_plan: 'i',
          test_plan: 't',
          rollback_plan: 'r',
          risk: 'low',
          status: 'Editing',
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
          version: 1,
        })
        .returning('seq');
      await knex('ops_rfc_events').insert({
        rfc_seq: row.seq,
        actor: 'user:default/a',
        action: 'create',
        to_status: 'Editing',
        at: '2026-01-01T00:00:00.000Z',
      });

      await knex.migrate.down({
        directory: migrationsDir,
        name: RFC_MIGRATION,
      });
      expect(await knex.schema.hasTable('ops_rfc_events')).toBe(false);
      expect(await knex.schema.hasTable('ops_rfcs')).toBe(false);
      await knex.destroy();
    });

    it('adds and drops the RFC list indexes', async () => {
      const knex = await databases.init(databaseId);
      await migrateUpTo(knex, RFC_INDEX_MIGRATION);
      await knex.migrate.down({
        directory: migrationsDir,
        name: RFC_INDEX_MIGRATION,
      });
      // The indexes are gone, so adding them again works.
      await knex.migrate.up({
        directory: migrationsDir,
        name: RFC_INDEX_MIGRATION,
      });
      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('ops_rfcs')).toBe(false);
      await knex.destroy();
    });
  },
);
