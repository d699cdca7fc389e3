// @ts-check

/**
 * RFCs and their append-only history.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ops_rfcs', table => {
    table.comment('Requests for change and where they are in their lifecycle');
    // The readable id RFC-000123 is this number, zero padded.
    table.increments('seq').primary();
    table.string('change_type_id', 255).notNullable();
    table.string('change_type_version', 64).notNullable();
    table.string('title', 255).notNullable();
    table.text('description').notNullable();
    table.string('target_entity_ref', 255).notNullable();
    table.text('parameters').notNullable().comment('JSON object');
    table.string('owner_group', 255).notNullable();
    table.string('origin', 32).notNullable();
    table.string('requester', 255).notNullable();
    table.string('approval_rule', 64).notNullable();
    table.string('approver_group', 255).nullable();
    table.text('implementation_plan').notNullable();
    table.text('test_plan').notNullable();
    table.string('peer_reviewer', 255).nullable();
    table.text('rollback_plan').notNullable();
    table.string('risk', 16).notNullable();
    table.text('outcome_notes').nullable();
    // ISO 8601 UTC strings of fixed width: they sort and compare as text the
    // same way on every database.
    table.string('requested_start_time', 32).nullable();
    table.string('requested_end_time', 32).nullable();
    table.string('status', 32).notNullable();
    table.text('status_reason').nullable();
    table.string('task_id', 255).nullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.integer('version').notNullable();
    table.index(
      ['status', 'requested_start_time'],
      'ops_rfcs_status_start_idx',
    );
    table.index(['owner_group', 'requested_start_time'], 'ops_rfcs_owner_idx');
    table.index(['target_entity_ref'], 'ops_rfcs_target_idx');
    table.index(['requester'], 'ops_rfcs_requester_idx');
    table.index(['requested_start_time'], 'ops_rfcs_start_idx');
  });

  await knex.schema.createTable('ops_rfc_events', table => {
    table.comment('Append-only history of RFC transitions');
    table.increments('id').primary();
    table
      .integer('rfc_seq')
      .unsigned()
      .notNullable()
      .references('seq')
      .inTable('ops_rfcs')
      .onDelete('CASCADE');
    table.string('actor', 255).notNullable();
    table.string('action', 32).notNullable();
    table.string('from_status', 32).nullable();
    table.string('to_status', 32).notNullable();
    table.text('comment').nullable();
    table.string('at', 32).notNullable();
    table.index(['rfc_seq', 'id'], 'ops_rfc_events_rfc_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_rfc_events');
  await knex.schema.dropTable('ops_rfcs');
};
