// @ts-check

/**
 * Indexes for the RFC queue: filtered by owner and status, newest first.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ops_rfcs', table => {
    table.index(['owner_group', 'status', 'seq'], 'ops_rfcs_owner_status_idx');
    table.index(['status', 'seq'], 'ops_rfcs_status_seq_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ops_rfcs', table => {
    table.dropIndex([], 'ops_rfcs_owner_status_idx');
    table.dropIndex([], 'ops_rfcs_status_seq_idx');
  });
};
