import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { AuditEntry } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import type { AuditEntryInput } from './AuditLog';
import { hashAuditEntry } from './canonicalJson';
import { DatabaseAuditLog } from './DatabaseAuditLog';
import { tamper } from './__testUtils__/tamper';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

// Drivers' errors may be built in another realm (jest shares loaded modules
// between test files), where toThrow does not see an Error: match the message.
const refusal = (pattern: RegExp) =>
  expect.objectContaining({ message: expect.stringMatching(pattern) });
const migrationsDir = resolvePackagePath(
  '@cloud-ops/plugin-ops-backend',
  'migrations',
);

const entry = (
  subject: string,
  overrides: Partial<AuditEntryInput> = {},
): AuditEntryInput => ({
  subject,
  actor: 'user:default/ana',
  action: 'edit',
  before: { title: 'old', status: 'Editing' },
  after: { title: 'new', status: 'Editing' },
  details: { fromStatus: 'Editing', toStatus: 'Editing' },
  ...overrides,
});

const collect = async (chunks: AsyncIterable<string>) => {
  let text = '';
  let count = 0;
  for await (const chunk of chunks) {
    text += chunk;
    count++;
  }
  return { text, chunks: count };
};

describe.each(databases.eachSupportedId())(
  'DatabaseAuditLog on %s',
  databaseId => {
    let knex: Knex;
    let clock: Date;
    let log: DatabaseAuditLog;

    // The log refuses deletes, so every test starts from a database of its own.
    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrationsDir });
      clock = new Date('2026-03-01T10:00:00.000Z');
      log = new DatabaseAuditLog({ db: knex, now: () => clock, pageSize: 2 });
    });

    const append = (input: AuditEntryInput) =>
      knex.transaction(tx => log.append(tx, input));

    it('chains every entry to the one before it, in the log and in its subject', async () => {
      const a1 = await append(entry('rfc:RFC-000001'));
      const b1 = await append(entry('rfc:RFC-000002', { before: null }));
      const a2 = await append(entry('rfc:RFC-000001', { action: 'submit' }));

      expect([a1, b1, a2].map(e => [e.id, e.subject, e.subjectSeq])).toEqual([
        [1, 'rfc:RFC-000001', 1],
        [2, 'rfc:RFC-000002', 1],
        [3, 'rfc:RFC-000001', 2],
      ]);
      expect(a1).toMatchObject({ prevHash: null, prevSubjectHash: null });
      expect(b1).toMatchObject({ prevHash: a1.hash, prevSubjectHash: null });
      expect(a2).toMatchObject({ prevHash: b1.hash, prevSubjectHash: a1.hash });
      for (const e of [a1, b1, a2]) {
        const { hash, ...rest } = e;
        expect(hash).toBe(hashAuditEntry(rest));
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(a2).toMatchObject({
        at: '2026-03-01T10:00:00.000Z',
        actor: 'user:default/ana',
        before: { status: 'Editing', title: 'old' },
        after: { status: 'Editing', title: 'new' },
      });

      await expect(log.verify()).resolves.toEqual({
        ok: true,
        checked: 3,
        head: { id: 3, hash: a2.hash },
      });
      const chain = await log.subjectChain('rfc:RFC-000001');
      expect(chain.items).toEqual([a1, a2]);
      expect(chain.verification).toMatchObject({ ok: true, checked: 2 });
    });

    it('appends several entries in one go as it would one by one', async () => {
      await append(entry('rfc:RFC-000001'));
      const batch = await knex.transaction(tx =>
        log.appendAll(tx, [
          entry('rfc:RFC-000002'),
          entry('rfc:RFC-000001'),
          entry('rfc:RFC-000002'),
        ]),
      );
      expect(batch.map(e => [e.id, e.subject, e.subjectSeq])).toEqual([
        [2, 'rfc:RFC-000002', 1],
        [3, 'rfc:RFC-000001', 2],
        [4, 'rfc:RFC-000002', 2],
      ]);
      expect(batch[2].prevSubjectHash).toBe(batch[0].hash);
      await expect(log.verify()).resolves.toMatchObject({
        ok: true,
        checked: 4,
      });
      await expect(
        knex.transaction(tx => log.appendAll(tx, [])),
      ).resolves.toEqual([]);
    });

    it('verifies an empty log', async () => {
      await expect(log.verify()).resolves.toEqual({ ok: true, checked: 0 });
    });

    it('refuses to append outside a transaction, or without a subject and action', async () => {
      await expect(
        log.append(knex as any, entry('rfc:RFC-000001')),
      ).rejects.toThrow(/needs the transaction/);
      await expect(append(entry('RFC-000001'))).rejects.toThrow(
        /not an audit subject/,
      );
      await expect(
        append(entry('rfc:RFC-000001', { action: 'Approve it' })),
      ).rejects.toThrow(/not an audit action/);
      await expect(log.verify()).resolves.toMatchObject({
        ok: true,
        checked: 0,
      });
    });

    it('writes nothing when the appending transaction rolls back', async () => {
      await append(entry('rfc:RFC-000001'));
      await expect(
        knex.transaction(async tx => {
          await log.append(tx, entry('rfc:RFC-000001'));
          throw new Error('the change it records failed');
        }),
      ).rejects.toThrow('failed');
      const next = await append(entry('rfc:RFC-000001'));
      expect([next.id, next.subjectSeq]).toEqual([2, 2]);
      await expect(log.verify()).resolves.toMatchObject({
        ok: true,
        checked: 2,
      });
    });

    it('never forks the chain when many transactions append at once', async () => {
      const written = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          append(entry(`rfc:RFC-00000${i % 3}`)),
        ),
      );
      expect(written.map(e => e.id).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      await expect(log.verify()).resolves.toMatchObject({
        ok: true,
        checked: 20,
      });
    });

    it('refuses updates and deletes of entries, and heads that move back', async () => {
      await append(entry('rfc:RFC-000001'));
      await expect(
        knex('ops_audit_log').where({ id: 1 }).update({ actor: 'someone' }),
      ).rejects.toEqual(refusal(/append-only/));
      await expect(knex('ops_audit_log').delete()).rejects.toEqual(
        refusal(/append-only/),
      );
      await expect(
        knex('ops_audit_heads').where({ chain: 'global' }).update({ seq: 0 }),
      ).rejects.toEqual(refusal(/only move forward/));
      await expect(knex('ops_audit_heads').delete()).rejects.toEqual(
        refusal(/only move forward/),
      );
      // SQLite has no TRUNCATE; PostgreSQL's skips row triggers.
      const truncate =
        databaseId === 'POSTGRES_15'
          ? 'TRUNCATE ops_audit_log'
          : 'DELETE FROM ops_audit_log';
      await expect(knex.raw(truncate)).rejects.toEqual(refusal(/append-only/));
      await expect(log.verify()).resolves.toMatchObject({
        ok: true,
        checked: 1,
      });
    });

    describe('when someone changed the tables behind the triggers', () => {
      let written: AuditEntry[];

      beforeEach(async () => {
        written = [];
        for (const subject of [
          'rfc:RFC-000001',
          'rfc:RFC-000002',
          'rfc:RFC-000001',
          'rfc:RFC-000002',
          'rfc:RFC-000001',
        ]) {
          written.push(await append(entry(subject)));
        }
      });

      it('reports an edited entry as the first broken link', async () => {
        await tamper(knex, db =>
          db('ops_audit_log')
            .where({ id: 3 })
            .update({ after: '{"status":"Editing","title":"forged"}' }),
        );
        await expect(log.verify()).resolves.toEqual({
          ok: false,
          checked: 2,
          head: { id: 2, hash: written[1].hash },
          firstBroken: {
            id: 3,
            chain: 'rfc:RFC-000001',
            reason:
              'entry 3 was changed after it was written: its hash does not match its content',
          },
        });
        const chain = await log.subjectChain('rfc:RFC-000001');
        expect(chain.items[1].after).toEqual({
          status: 'Editing',
          title: 'forged',
        });
        expect(chain.verification.firstBroken).toMatchObject({ id: 3 });
      });

      it('reports an entry whose hash was recomputed at the next link', async () => {
        await tamper(knex, async db => {
          const forged = { ...written[2], actor: 'user:default/mallory' };
          const { hash: _old, ...rest } = forged;
          await db('ops_audit_log')
            .where({ id: 3 })
            .update({ actor: forged.actor, hash: hashAuditEntry(rest) });
        });
        await expect(log.verify()).resolves.toMatchObject({
          ok: false,
          checked: 3,
          firstBroken: {
            id: 4,
            chain: 'global',
            reason:
              "entry 4's previous hash does not match the hash of entry 3",
          },
        });
      });

      it('reports a deleted entry', async () => {
        await tamper(knex, db => db('ops_audit_log').where({ id: 2 }).delete());
        await expect(log.verify()).resolves.toMatchObject({
          ok: false,
          checked: 1,
          firstBroken: { id: 3, chain: 'global', reason: 'entry 2 is missing' },
        });
      });

      it('reports entries cut off the end of the log', async () => {
        await tamper(knex, db =>
          db('ops_audit_log').where('id', '>', 3).delete(),
        );
        await expect(log.verify()).resolves.toMatchObject({
          ok: false,
          checked: 3,
          firstBroken: {
            id: 5,
            chain: 'global',
            reason: 'the global head names entry 5 but the log ends at entry 3',
          },
        });
      });

      it('reports a subject head that no longer names its last entry', async () => {
        await tamper(knex, db =>
          db('ops_audit_heads')
            .where({ chain: 'rfc:RFC-000002' })
            .update({ hash: written[1].hash }),
        );
        await expect(log.verify()).resolves.toMatchObject({
          ok: false,
          checked: 5,
          firstBroken: { id: 4, chain: 'rfc:RFC-000002' },
        });
      });

      it('reports a value that is no JSON', async () => {
        await tamper(knex, db =>
          db('ops_audit_log').where({ id: 1 }).update({ details: 'not json' }),
        );
        await expect(log.verify()).resolves.toMatchObject({
          ok: false,
          checked: 0,
          firstBroken: {
            id: 1,
            reason:
              'entry 1 was changed after it was written: details holds no JSON',
          },
        });
        const chain = await log.subjectChain('rfc:RFC-000001');
        expect(chain.items[0].details).toBe('not json');
      });
    });

    describe('governance decisions', () => {
      const refused = {
        changeTypeId: 'ec2-restart',
        version: '1.2.0',
        templateRef: 'template:default/ec2-restart',
        decision: 'refused' as const,
        reasons: ['owner is not Central IT', 'location is not trusted'],
      };

      it('records a decision once, until it changes', async () => {
        const first = await log.appendGovernanceDecision(refused);
        expect(first.recorded).toBe(true);
        expect(first.entry).toMatchObject({
          subject: 'change-type:ec2-restart@1.2.0',
          actor: 'system',
          action: 'governance-decision',
          before: null,
          after: {
            ...refused,
            reasons: ['location is not trusted', 'owner is not Central IT'],
          },
        });
        // The catalog read again, reasons in another order: nothing new.
        await expect(
          log.appendGovernanceDecision({
            ...refused,
            reasons: [...refused.reasons].reverse(),
          }),
        ).resolves.toEqual({ recorded: false });

        const accepted = await log.appendGovernanceDecision({
          ...refused,
          decision: 'accepted',
          reasons: [],
        });
        expect(accepted.entry).toMatchObject({
          subjectSeq: 2,
          before: { decision: 'refused' },
          after: { decision: 'accepted', reasons: [] },
        });
        // A new version of the same template is a decision of its own.
        const bumped = await log.appendGovernanceDecision({
          ...refused,
          version: '1.3.0',
          decision: 'accepted',
          reasons: [],
        });
        expect(bumped.entry).toMatchObject({
          subject: 'change-type:ec2-restart@1.3.0',
          subjectSeq: 1,
          before: { version: '1.2.0', decision: 'accepted' },
        });
        await expect(log.verify()).resolves.toMatchObject({
          ok: true,
          checked: 3,
        });
      });

      it('records one decision when replicas report it at once', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            log.appendGovernanceDecision(refused),
          ),
        );
        expect(results.filter(r => r.recorded)).toHaveLength(1);
        await expect(log.verify()).resolves.toMatchObject({
          ok: true,
          checked: 1,
        });
      });
    });

    describe('export', () => {
      beforeEach(async () => {
        const days = [
          '2026-01-31',
          '2026-02-01',
          '2026-02-14',
          '2026-02-28',
          '2026-03-01',
        ];
        for (const [i, day] of days.entries()) {
          clock = new Date(`${day}T12:00:00.000Z`);
          await append(
            entry(`rfc:RFC-00000${i}`, {
              actor: i === 2 ? '=HYPERLINK("http://evil")' : 'user:default/ana',
            }),
          );
        }
      });

      const february = {
        from: new Date('2026-02-01T00:00:00.000Z'),
        to: new Date('2026-03-01T00:00:00.000Z'),
      };

      it('writes a period as JSON Lines that verify on their own, a page at a time', async () => {
        const { text, chunks } = await collect(
          log.export({ ...february, format: 'jsonl' }),
        );
        const lines = text
          .trimEnd()
          .split('\n')
          .map(l => JSON.parse(l));
        expect(lines.map(l => [l.id, l.at])).toEqual([
          [2, '2026-02-01T12:00:00.000Z'],
          [3, '2026-02-14T12:00:00.000Z'],
          [4, '2026-02-28T12:00:00.000Z'],
        ]);
        // Page size 2: two pages.
        expect(chunks).toBe(2);
        for (const { hash, ...rest } of lines) {
          expect(hashAuditEntry(rest)).toBe(hash);
        }
        expect(lines[1].prevHash).toBe(lines[0].hash);
      });

      it('writes a period as formula-safe CSV with a header', async () => {
        const { text } = await collect(
          log.export({ ...february, format: 'csv' }),
        );
        const rows = text.split('\r\n');
        expect(rows[0]).toBe(
          'id,at,actor,subject,subject_seq,action,before,after,details,prev_hash,prev_subject_hash,hash',
        );
        expect(rows).toHaveLength(5);
        expect(rows[2]).toMatch(
          /^3,2026-02-14T12:00:00.000Z,"'=HYPERLINK\(""http:\/\/evil""\)",rfc:RFC-000002,1,edit,"\{""status"":""Editing"",""title"":""old""\}",/,
        );
        expect(rows[4]).toBe('');
      });

      it('writes only the header for a period without entries', async () => {
        const empty = {
          from: new Date('2025-01-01T00:00:00.000Z'),
          to: new Date('2025-02-01T00:00:00.000Z'),
        };
        await expect(
          collect(log.export({ ...empty, format: 'csv' })),
        ).resolves.toMatchObject({
          text: expect.stringMatching(/^id,[^\n]*\r\n$/),
        });
        await expect(
          collect(log.export({ ...empty, format: 'jsonl' })),
        ).resolves.toEqual({ text: '', chunks: 0 });
      });
    });
  },
);
