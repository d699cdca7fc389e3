// @ts-check

/**
 * The change schedule: freeze windows and what they cover; on RFCs the
 * change class (standard, normal, emergency), the incident an emergency
 * answers, a recorded freeze override, the executor's hold, and the
 * post-implementation review of an emergency; and the tokens of the
 * calendar feeds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ops_freezes', table => {
    table.comment(
      'Freeze (blackout) windows: no change starts on what they cover',
    );
    // The readable id FRZ-000123 is this number, zero padded.
    table.increments('seq').primary();
    table.string('name', 255).notNullable();
    table.text('reason').notNullable();
    table
      .string('start_local', 16)
      .notNullable()
      .comment('YYYY-MM-DDTHH:mm in timezone: the first occurrence');
    table.string('end_local', 16).notNullable();
    table.string('timezone', 64).notNullable();
    table.text('rrule').nullable().comment('iCalendar RRULE without DTSTART');
    table
      .string('scope_type', 16)
      .notNullable()
      .comment('global, owner, system or entities');
    table
      .string('scope_ref', 255)
      .nullable()
      .comment('The group or system of an owner or system scope');
    table
      .string('side', 16)
      .notNullable()
      .comment('central-it, or team for an owning team’s own freeze');
    table
      .string('team_group', 255)
      .nullable()
      .comment('The team that declared a team freeze');
    table.string('declared_by', 255).notNullable();
    // ISO 8601 UTC strings of fixed width: they sort and compare as text the
    // same way on every database.
    table.string('starts_at', 32).notNullable();
    table
      .string('ends_at', 32)
      .nullable()
      .comment('End of the last occurrence; null when it recurs without end');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.integer('version').notNullable();
    table.string('lifted_at', 32).nullable();
    table.string('lifted_by', 255).nullable();
    table.index(['lifted_at', 'starts_at', 'ends_at'], 'ops_freezes_time_idx');
    table.index(['scope_type', 'scope_ref'], 'ops_freezes_scope_idx');
  });

  await knex.schema.createTable('ops_freeze_entities', table => {
    table.comment('The entities of a freeze whose scope lists entities');
    table
      .integer('freeze_seq')
      .unsigned()
      .notNullable()
      .references('seq')
      .inTable('ops_freezes')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.primary(['freeze_seq', 'entity_ref']);
    table.index(['entity_ref'], 'ops_freeze_entities_ref_idx');
  });

  await knex.schema.alterTable('ops_rfcs', table => {
    table
      .string('change_class', 16)
      .notNullable()
      .defaultTo('normal')
      .comment('standard (pre-approved), normal or emergency');
    table
      .string('emergency_incident_id', 32)
      .nullable()
      .comment('The open P1 or P2 incident an emergency answers');
    table
      .text('freeze_override')
      .nullable()
      .comment('JSON: the freezes an emergency overrides, why, who, when');
    table
      .text('hold')
      .nullable()
      .comment('JSON: the freeze the executor is waiting for');
    table
      .text('review')
      .nullable()
      .comment('JSON: the post-implementation review of an emergency');
    table.string('review_due_at', 32).nullable();
    table
      .string('expected_duration', 32)
      .nullable()
      .comment(
        'ISO 8601 duration of the change type, for windows without an end',
      );
    table.boolean('critical_security_update').notNullable().defaultTo(false);
    table.boolean('needs_maintenance_window').notNullable().defaultTo(false);
    table.index(['change_class', 'review_due_at'], 'ops_rfcs_review_idx');
  });

  await knex.schema.createTable('ops_calendar_feed_tokens', table => {
    table.comment(
      'Per-user tokens of the iCalendar feed; only hashes are kept',
    );
    table.increments('id').primary();
    table.string('token_hash', 64).notNullable().unique();
    table.string('user_entity_ref', 255).notNullable();
    table.string('label', 255).notNullable();
    table
      .string('feed_owner', 255)
      .nullable()
      .comment('The team the feed is for; null for every team the user sees');
    table.string('created_at', 32).notNullable();
    table.string('last_used_at', 32).nullable();
    table.string('revoked_at', 32).nullable();
    table.index(['user_entity_ref'], 'ops_calendar_feed_tokens_user_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_calendar_feed_tokens');
  await knex.schema.alterTable('ops_rfcs', table => {
    table.dropIndex(['change_class', 'review_due_at'], 'ops_rfcs_review_idx');
    table.dropColumn('change_class');
    table.dropColumn('emergency_incident_id');
    table.dropColumn('freeze_override');
    table.dropColumn('hold');
    table.dropColumn('review');
    table.dropColumn('review_due_at');
    table.dropColumn('expected_duration');
    table.dropColumn('critical_security_update');
    table.dropColumn('needs_maintenance_window');
  });
  await knex.schema.dropTable('ops_freeze_entities');
  await knex.schema.dropTable('ops_freezes');
};
