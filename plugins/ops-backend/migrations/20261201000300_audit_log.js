// @ts-check

/**
 * The hash-chained audit log of every RFC event and change-type governance
 * decision, the heads of its chains, and the last governance decision per
 * template. RFCs recorded before this migration get no entries: their
 * history stays in ops_rfc_events, and their chains start with their next
 * event.
 *
 * The log refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) through
 * triggers; the heads only move forward. Someone who may drop triggers can
 * still rewrite the log: verification is what detects that.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const driver = String(knex.client.config.client);
  await knex.schema.createTable('ops_audit_log', table => {
    table.comment('Append-only, hash-chained audit log');
    // Assigned from the global head under its lock, so the ids are the chain
    // order, without the gaps a rolled-back sequence value would leave.
    table.bigInteger('id').primary().notNullable();
    table
      .string('subject', 255)
      .notNullable()
      .comment('rfc:RFC-000123, change-type:<id>@<version>');
    table.integer('subject_seq').notNullable();
    // ISO 8601 UTC strings of fixed width, comparable as text everywhere.
    table.string('at', 32).notNullable();
    table.string('actor', 255).notNullable();
    table.string('action', 64).notNullable();
    table.text('before').nullable().comment('canonical JSON');
    table.text('after').nullable().comment('canonical JSON');
    table.text('details').nullable().comment('canonical JSON');
    table.string('prev_hash', 64).nullable();
    table.string('prev_subject_hash', 64).nullable();
    table.string('hash', 64).notNullable();
    // One entry per position of a chain: two writers can never fork it.
    table.unique(['subject', 'subject_seq'], {
      indexName: 'ops_audit_log_subject_idx',
    });
    table.index(['at', 'id'], 'ops_audit_log_at_idx');
  });

  await knex.schema.createTable('ops_audit_heads', table => {
    table.comment(
      'Last entry of each audit chain; the global row is locked per append',
    );
    table.string('chain', 255).primary().notNullable();
    table.bigInteger('seq').notNullable();
    table.string('hash', 64).nullable();
  });
  await knex('ops_audit_heads').insert({ chain: 'global', seq: 0, hash: null });

  await knex.schema.createTable('ops_audit_governance', table => {
    table.comment('Last governance decision recorded per change-type template');
    table.string('template_ref', 255).primary().notNullable();
    table.string('digest', 64).notNullable();
    table.bigInteger('audit_id').notNullable();
  });

  if (/^(pg|postgres)/.test(driver)) {
    await knex.raw(`
      CREATE FUNCTION ops_audit_log_refuse_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ops_audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await knex.raw(`
      CREATE TRIGGER ops_audit_log_append_only
      BEFORE UPDATE OR DELETE ON ops_audit_log
      FOR EACH ROW EXECUTE PROCEDURE ops_audit_log_refuse_change()`);
    await knex.raw(`
      CREATE TRIGGER ops_audit_log_no_truncate
      BEFORE TRUNCATE ON ops_audit_log
      FOR EACH STATEMENT EXECUTE PROCEDURE ops_audit_log_refuse_change()`);
    await knex.raw(`
      CREATE FUNCTION ops_audit_heads_forward_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq OR NEW.chain <> OLD.chain THEN
          RAISE EXCEPTION 'ops_audit_heads only move forward: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await knex.raw(`
      CREATE TRIGGER ops_audit_heads_forward_only
      BEFORE UPDATE OR DELETE ON ops_audit_heads
      FOR EACH ROW EXECUTE PROCEDURE ops_audit_heads_forward_only()`);
  } else if (driver.includes('sqlite')) {
    await knex.raw(`
      CREATE TRIGGER ops_audit_log_no_update BEFORE UPDATE ON ops_audit_log
      BEGIN SELECT RAISE(ABORT, 'ops_audit_log is append-only: UPDATE refused'); END`);
    await knex.raw(`
      CREATE TRIGGER ops_audit_log_no_delete BEFORE DELETE ON ops_audit_log
      BEGIN SELECT RAISE(ABORT, 'ops_audit_log is append-only: DELETE refused'); END`);
    await knex.raw(`
      CREATE TRIGGER ops_audit_heads_forward_only BEFORE UPDATE ON ops_audit_heads
      WHEN NEW.seq <= OLD.seq OR NEW.chain <> OLD.chain
      BEGIN SELECT RAISE(ABORT, 'ops_audit_heads only move forward: UPDATE refused'); END`);
    await knex.raw(`
      CREATE TRIGGER ops_audit_heads_no_delete BEFORE DELETE ON ops_audit_heads
      BEGIN SELECT RAISE(ABORT, 'ops_audit_heads only move forward: DELETE refused'); END`);
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  const driver = String(knex.client.config.client);
  if (/^(pg|postgres)/.test(driver)) {
    await knex.raw(
      'DROP TRIGGER IF EXISTS ops_audit_heads_forward_only ON ops_audit_heads',
    );
    await knex.raw(
      'DROP TRIGGER IF EXISTS ops_audit_log_no_truncate ON ops_audit_log',
    );
    await knex.raw(
      'DROP TRIGGER IF EXISTS ops_audit_log_append_only ON ops_audit_log',
    );
    await knex.raw('DROP FUNCTION IF EXISTS ops_audit_heads_forward_only()');
    await knex.raw('DROP FUNCTION IF EXISTS ops_audit_log_refuse_change()');
  } else if (driver.includes('sqlite')) {
    await knex.raw('DROP TRIGGER IF EXISTS ops_audit_heads_no_delete');
    await knex.raw('DROP TRIGGER IF EXISTS ops_audit_heads_forward_only');
    await knex.raw('DROP TRIGGER IF EXISTS ops_audit_log_no_delete');
    await knex.raw('DROP TRIGGER IF EXISTS ops_audit_log_no_update');
  }
  await knex.schema.dropTable('ops_audit_governance');
  await knex.schema.dropTable('ops_audit_heads');
  await knex.schema.dropTable('ops_audit_log');
};
