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
const AUDIT_MIGRATION = '20261201000300_audit_log.js';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

// Drivers' errors may be built in another realm (jest shares loaded modules
// between test files), where toThrow does not see an Error: match the message.
const refusal = (pattern: RegExp) =>
  expect.objectContaining({ message: expect.stringMatching(pattern) });

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

    it('creates the append-only audit log and removes it with its triggers', async () => {
      const knex = await databases.init(databaseId);
      await migrateUpTo(knex, AUDIT_MIGRATION);
      expect(await knex('ops_audit_heads')).toEqual([
        expect.objectContaining({ chain: 'global', hash: null }),
      ]);
      const entry = {
        id: 1,
        subject: 'rfc:RFC-000001',
        subject_seq: 1,
        at: '2026-01-01T00:00:00.000Z',
        actor: 'user:default/a',
        action: 'create',
        hash: 'h',
      };
      await knex('ops_audit_log').insert(entry);
      await expect(
        knex('ops_audit_log').update({ actor: 'someone' }),
      ).rejects.toEqual(refusal(/append-only/));
      await expect(knex('ops_audit_log').delete()).rejects.toEqual(
        refusal(/append-only/),
      );

      await knex.migrate.down({
        directory: migrationsDir,
        name: AUDIT_MIGRATION,
      });
      for (const table of [
        'ops_audit_log',
        'ops_audit_heads',
        'ops_audit_governance',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(false);
      }
      const leftovers =
        databaseId === 'POSTGRES_15'
          ? (
              await knex.raw(
                `SELECT proname FROM pg_proc WHERE proname LIKE 'ops_audit_%'`,
              )
            ).rows
          : await knex('sqlite_master')
              .where({ type: 'trigger' })
              .select('name');
      expect(leftovers).toEqual([]);
      // Down left nothing behind that would stop it going up again.
      await knex.migrate.up({
        directory: migrationsDir,
        name: AUDIT_MIGRATION,
      });
      await knex('ops_audit_log').insert(entry);
      await expect(knex('ops_audit_log').delete()).rejects.toEqual(
        refusal(/append-only/),
      );
      await knex.migrate.rollback({ directory: migrationsDir }, true);
      await knex.destroy();
    });
  },
);
