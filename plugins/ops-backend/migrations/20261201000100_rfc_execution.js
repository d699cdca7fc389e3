// @ts-check

/**
 * Execution of approved RFCs by the executor: the change type's automation
 * and binding pinned on the RFC, the attempt, the executor's lease and the
 * hash of the one-time execution secret; and the outputs execution steps
 * report.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ops_rfcs', table => {
    table
      .string('automation', 16)
      .notNullable()
      .defaultTo('automated')
      .comment('automated (run by the executor) or manual (run by a person)');
    table
      .text('binding')
      .nullable()
      .comment('JSON: the pinned template and Service Catalog product');
    table.integer('attempt').notNullable().defaultTo(0);
    table
      .string('lease_owner', 255)
      .nullable()
      .comment('The executor replica that holds the RFC');
    table.string('lease_expires_at', 32).nullable();
    table
      .string('execution_secret_hash', 128)
      .nullable()
      .comment('SHA-256 of the current attempt’s execution secret');
    table.index(
      ['automation', 'status', 'lease_expires_at'],
      'ops_rfcs_executor_idx',
    );
  });

  await knex.schema.createTable('ops_rfc_outputs', table => {
    table.comment('What the steps of an RFC’s execution produced');
    table.increments('id').primary();
    table
      .integer('rfc_seq')
      .unsigned()
      .notNullable()
      .references('seq')
      .inTable('ops_rfcs')
      .onDelete('CASCADE');
    table.integer('attempt').notNullable();
    table.string('step_id', 255).notNullable();
    table.string('name', 255).notNullable();
    table.text('value').notNullable();
    table.string('at', 32).notNullable();
    // A resumed step reports the same outputs again: the first one stands.
    table.unique(['rfc_seq', 'attempt', 'step_id', 'name'], {
      indexName: 'ops_rfc_outputs_unique_idx',
    });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_rfc_outputs');
  await knex.schema.alterTable('ops_rfcs', table => {
    table.dropIndex([], 'ops_rfcs_executor_idx');
  });
  await knex.schema.alterTable('ops_rfcs', table => {
    table.dropColumn('automation');
    table.dropColumn('binding');
    table.dropColumn('attempt');
    table.dropColumn('lease_owner');
    table.dropColumn('lease_expires_at');
    table.dropColumn('execution_secret_hash');
  });
};
