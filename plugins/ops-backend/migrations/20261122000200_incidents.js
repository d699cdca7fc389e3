// @ts-check

/**
 * Incidents opened from CloudWatch alarms, and problems opened when one alarm
 * keeps recurring.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ops_problems', table => {
    table.comment('Shared root causes of recurring incidents of one alarm');
    // The readable id PRB-000007 is this number, zero padded.
    table.increments('seq').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('owner_group', 255).notNullable();
    table.string('alarm_arn', 1024).notNullable();
    table.string('alarm_name', 255).notNullable();
    table.string('title', 255).notNullable();
    table.string('status', 32).notNullable();
    table.text('root_cause').nullable();
    table.text('remediation').nullable();
    table.string('opened_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('resolved_at', 32).nullable();
    table.integer('version').notNullable();
    table.index(['owner_group', 'opened_at'], 'ops_problems_owner_idx');
    table.index(['entity_ref', 'opened_at'], 'ops_problems_entity_idx');
    table.index(['status', 'opened_at'], 'ops_problems_status_idx');
  });

  await knex.schema.createTable('ops_incidents', table => {
    table.comment('Incidents opened when an alarm of a mapped resource fires');
    // The readable id INC-000042 is this number, zero padded.
    table.increments('seq').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('owner_group', 255).notNullable();
    table.string('alarm_arn', 1024).notNullable();
    table.string('alarm_name', 255).notNullable();
    table.text('reason').notNullable();
    table
      .string('alarm_state_since', 32)
      .nullable()
      .comment('When the alarm entered the ALARM state that opened this');
    table.string('priority', 8).notNullable();
    table.string('priority_rule', 255).notNullable();
    table.string('status', 16).notNullable();
    table.string('opened_at', 32).notNullable();
    table.string('resolved_at', 32).nullable();
    table.string('resolved_by', 255).nullable();
    table.string('resolution', 32).nullable();
    table.text('resolution_notes').nullable();
    table.text('console_url').nullable();
    table
      .integer('problem_seq')
      .unsigned()
      .nullable()
      .references('seq')
      .inTable('ops_problems')
      .onDelete('SET NULL');
    // Recurrence counts and the latest incident of an alarm.
    table.index(
      ['entity_ref', 'alarm_arn', 'opened_at'],
      'ops_incidents_alarm_idx',
    );
    table.index(['entity_ref', 'opened_at'], 'ops_incidents_entity_idx');
    table.index(['owner_group', 'opened_at'], 'ops_incidents_owner_idx');
    table.index(
      ['owner_group', 'resolved_at'],
      'ops_incidents_owner_resolved_idx',
    );
    table.index(['opened_at'], 'ops_incidents_opened_idx');
    table.index(['problem_seq'], 'ops_incidents_problem_idx');
  });

  // At most one open incident per alarm, and one unresolved problem per
  // alarm, even with replicas racing: inserts name these indexes in
  // ON CONFLICT ... DO NOTHING. Partial unique indexes work the same on
  // PostgreSQL and SQLite.
  await knex.raw(
    `CREATE UNIQUE INDEX ops_incidents_open_uniq ON ops_incidents (entity_ref, alarm_arn) WHERE status = 'Open'`,
  );
  await knex.raw(
    `CREATE UNIQUE INDEX ops_problems_unresolved_uniq ON ops_problems (entity_ref, alarm_arn) WHERE status <> 'Resolved'`,
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_incidents');
  await knex.schema.dropTable('ops_problems');
};
