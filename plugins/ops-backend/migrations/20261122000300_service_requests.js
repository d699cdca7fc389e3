// @ts-check

/**
 * Service requests: questions a team asks Central IT, and the thread of
 * replies between the two sides.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ops_service_requests', table => {
    table.comment('Questions from business-unit teams to Central IT');
    // The readable id SR-000123 is this number, zero padded. The database
    // hands out the numbers, so concurrent replicas never collide.
    table.increments('id').primary();
    table.string('title', 255).notNullable();
    table.string('topic', 64).notNullable();
    table.string('team', 255).notNullable().comment('lower-cased group ref');
    table.string('requester', 255).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('status', 32).notNullable();
    // ISO 8601 UTC strings of fixed width, comparable as text everywhere.
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('closed_at', 32).nullable();
    table.integer('version').notNullable();
    table.index(['team', 'status'], 'ops_service_requests_team_idx');
    table.index(['status'], 'ops_service_requests_status_idx');
    table.index(['created_at'], 'ops_service_requests_created_idx');
    table.index(['closed_at'], 'ops_service_requests_closed_idx');
  });

  await knex.schema.createTable('ops_service_request_messages', table => {
    table.comment('Thread of a service request, oldest first');
    table.increments('id').primary();
    table
      .integer('request_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('ops_service_requests')
      .onDelete('CASCADE');
    table.string('author', 255).notNullable();
    table.string('side', 16).notNullable().comment('team | central-it');
    table.text('body').notNullable();
    table.string('at', 32).notNullable();
    table.index(['request_id', 'id'], 'ops_service_request_messages_req_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_service_request_messages');
  await knex.schema.dropTable('ops_service_requests');
};
