// @ts-check

/**
 * Operations snapshots: the last read of alarms, patch state and backups per
 * entity, and when each entity last had a refresh asked for.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ops_operations_snapshots', table => {
    table.comment(
      'Last AWS read per entity and kind, served by the Operations tab',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('kind', 16).notNullable().comment('alarms | patch | backups');
    table.string('source', 16).notNullable().comment('aws | sandbox');
    // The last good read; kept when a later read fails.
    table.text('payload').nullable().comment('JSON');
    // ISO 8601 UTC strings of fixed width, comparable as text on every database.
    table.string('refreshed_at', 32).nullable();
    table.string('attempted_at', 32).notNullable();
    table.text('error').nullable();
    table.boolean('stale').notNullable().defaultTo(false);
    table.primary(['entity_ref', 'kind']);
  });
  await knex.schema.createTable('ops_operations_refresh_requests', table => {
    table.comment('Rate limit of on-demand refreshes, shared by every replica');
    table.string('entity_ref', 255).primary().notNullable();
    table.string('requested_at', 32).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_operations_refresh_requests');
  await knex.schema.dropTable('ops_operations_snapshots');
};
