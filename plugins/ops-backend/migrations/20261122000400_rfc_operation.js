// @ts-check

/**
 * The patch or continuity operation an RFC performs, copied from its change
 * type, so the settings in force for an entity can be read from its
 * successful RFCs.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ops_rfcs', table => {
    table
      .string('operation', 64)
      .nullable()
      .comment('Patch or continuity operation, e.g. set-maintenance-window');
    table.index(
      ['target_entity_ref', 'operation', 'status'],
      'ops_rfcs_target_operation_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ops_rfcs', table => {
    table.dropIndex([], 'ops_rfcs_target_operation_idx');
  });
  await knex.schema.alterTable('ops_rfcs', table => {
    table.dropColumn('operation');
  });
};
