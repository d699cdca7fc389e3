// @ts-check

/**
 * Notifications that must go out once only (e.g. "maintenance is upcoming"
 * for one window occurrence), keyed so that several replicas agree.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ops_notification_log', table => {
    table.comment('Notifications sent once per key');
    table.string('key', 512).primary().notNullable();
    table.string('sent_at', 32).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_notification_log');
};
