import type { Knex } from 'knex';
import { isPostgres } from '../auditRows';

/**
 * Changes the audit tables as someone allowed to drop triggers would: turns
 * the append-only triggers off, runs `change`, and turns them on again.
 */
export async function tamper(
  knex: Knex,
  change: (db: Knex) => Promise<unknown>,
): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('ALTER TABLE ops_audit_log DISABLE TRIGGER USER');
    await knex.raw('ALTER TABLE ops_audit_heads DISABLE TRIGGER USER');
    try {
      await change(knex);
    } finally {
      await knex.raw('ALTER TABLE ops_audit_log ENABLE TRIGGER USER');
      await knex.raw('ALTER TABLE ops_audit_heads ENABLE TRIGGER USER');
    }
    return;
  }
  const triggers = (await knex('sqlite_master')
    .where({ type: 'trigger' })
    .whereIn('tbl_name', ['ops_audit_log', 'ops_audit_heads'])
    .select('name', 'sql')) as Array<{ name: string; sql: string }>;
  for (const { name } of triggers) {
    await knex.raw(`DROP TRIGGER ${name}`);
  }
  try {
    await change(knex);
  } finally {
    for (const { sql } of triggers) {
      await knex.raw(sql);
    }
  }
}
