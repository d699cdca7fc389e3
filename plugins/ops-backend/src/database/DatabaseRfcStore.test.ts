import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { DatabaseRfcStore } from './DatabaseRfcStore';
import type { NewRfc } from './RfcStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const newRfc = (overrides: Partial<NewRfc> = {}): NewRfc => ({
  changeTypeId: 'ec2-restart',
  changeTypeVersion: '1.0',
  title: 'Restart the API instances',
  description: 'Rolling restart',
  targetEntityRef: 'component:default/payments-api',
  parameters: { instanceCount: 2 },
  ownerGroup: 'group:default/payments',
  origin: 'user',
  requester: 'user:default/ana',
  approvalRule: 'by-origin',
  automation: 'automated',
  approverGroup: 'group:default/central-it',
  implementationPlan: 'Restart one at a time',
  testPlan: 'Done in staging',
  rollbackPlan: 'Nothing to roll back',
  risk: 'low',
  requestedStartTime: '2026-03-01T10:00:00.000Z',
  status: 'PendingApproval',
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'DatabaseRfcStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRfcStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    beforeEach(async () => {
      await knex('ops_rfc_events').delete();
      await knex('ops_rfcs').delete();
    });

    it('creates an RFC with its first events and reads it back', async () => {
      const rfc = await store.create(newRfc(), [
        { actor: 'user:default/ana', action: 'create', toStatus: 'Editing' },
        {
          actor: 'user:default/ana',
          action: 'submit',
          fromStatus: 'Editing',
          toStatus: 'PendingApproval',
        },
      ]);
      expect(rfc.id).toMatch(/^RFC-\d{6}$/);
      expect(rfc).toMatchObject({
        status: 'PendingApproval',
        version: 1,
        parameters: { instanceCount: 2 },
        approvals: [],
        approverGroup: 'group:default/central-it',
      });
      expect(await store.get(rfc.id)).toEqual(rfc);
      expect(await store.get('RFC-999999')).toBeUndefined();
      expect(await store.get('nonsense')).toBeUndefined();
      const events = await store.listEvents(rfc.id);
      expect(events.map(e => [e.action, e.fromStatus, e.toStatus])).toEqual([
        ['create', undefined, 'Editing'],
        ['submit', 'Editing', 'PendingApproval'],
      ]);
    });

    it('transitions conditionally and records one event with the decision', async () => {
      const rfc = await store.create(newRfc(), []);
      const approved = await store.transition({
        id: rfc.id,
        expectedStatus: 'PendingApproval',
        expectedVersion: 1,
        toStatus: 'Scheduled',
        event: { actor: 'user:default/omar', action: 'approve', comment: 'ok' },
      });
      expect(approved).toMatchObject({ status: 'Scheduled', version: 2 });
      expect(approved.approvals).toEqual([
        expect.objectContaining({
          approver: 'user:default/omar',
          decision: 'approved',
          comment: 'ok',
        }),
      ]);

      // A stale version writes nothing.
      await expect(
        store.transition({
          id: rfc.id,
          expectedStatus: 'PendingApproval',
          expectedVersion: 1,
          toStatus: 'Rejected',
          event: { actor: 'user:default/lena', action: 'reject' },
        }),
      ).rejects.toThrow(ConflictError);
      expect(await store.get(rfc.id)).toEqual(approved);
      expect(await store.listEvents(rfc.id)).toHaveLength(1);
    });

    it('applies field changes with a transition', async () => {
      const rfc = await store.create(newRfc({ status: 'Editing' }), []);
      const edited = await store.transition({
        id: rfc.id,
        expectedStatus: 'Editing',
        expectedVersion: 1,
        toStatus: 'Editing',
        changes: {
          title: 'New title',
          parameters: { a: 1 },
          peerReviewer: 'user:default/priya',
        },
        event: { actor: 'user:default/ana', action: 'edit' },
      });
      expect(edited).toMatchObject({
        title: 'New title',
        parameters: { a: 1 },
        peerReviewer: 'user:default/priya',
        version: 2,
      });
    });

    it('lets exactly one of 20 parallel approvals win', async () => {
      const rfc = await store.create(newRfc(), []);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.transition({
            id: rfc.id,
            expectedStatus: 'PendingApproval',
            expectedVersion: 1,
            toStatus: 'Scheduled',
            event: { actor: `user:default/approver-${i}`, action: 'approve' },
          }),
        ),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      const failures = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(failures).toHaveLength(19);
      for (const f of failures) {
        expect(f.reason).toBeInstanceOf(ConflictError);
      }
      expect(await store.listEvents(rfc.id)).toHaveLength(1);
      expect(await store.get(rfc.id)).toMatchObject({
        status: 'Scheduled',
        version: 2,
      });
    });

    it('filters, sorts and pages lists', async () => {
      for (let i = 0; i < 7; i++) {
        await store.create(
          newRfc({
            status: i % 2 ? 'Scheduled' : 'PendingApproval',
            ownerGroup: i < 4 ? 'group:default/payments' : 'group:default/web',
            origin: i === 6 ? 'central-it' : 'user',
            requestedStartTime:
              i === 3 ? undefined : `2026-03-0${i + 1}T10:00:00.000Z`,
          }),
          [],
        );
      }
      const all = await store.list({ sort: 'id', order: 'asc' });
      expect(all.items).toHaveLength(7);
      expect(all.nextCursor).toBeUndefined();

      const pending = await store.list({ status: ['PendingApproval'] });
      expect(pending.items.map(r => r.status)).toEqual(
        Array(4).fill('PendingApproval'),
      );

      const web = await store.list({
        owner: 'group:default/web',
        origin: 'user',
      });
      expect(web.items).toHaveLength(2);

      const range = await store.list({
        from: '2026-03-02T00:00:00.000Z',
        to: '2026-03-05T23:59:59.999Z',
        sort: 'requestedStartTime',
        order: 'asc',
      });
      expect(range.items.map(r => r.requestedStartTime)).toEqual([
        '2026-03-02T10:00:00.000Z',
        '2026-03-03T10:00:00.000Z',
        '2026-03-05T10:00:00.000Z',
      ]);

      // Paging by start time visits every RFC once, in order, missing times first.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({
          sort: 'requestedStartTime',
          order: 'asc',
          limit: 3,
          cursor,
        });
        seen.push(...page.items.map(r => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      const byStart = await store.list({
        sort: 'requestedStartTime',
        order: 'asc',
      });
      expect(seen).toEqual(byStart.items.map(r => r.id));
      expect(byStart.items[0].requestedStartTime).toBeUndefined();

      const desc = await store.list({ limit: 4 });
      const rest = await store.list({ limit: 4, cursor: desc.nextCursor });
      expect([...desc.items, ...rest.items].map(r => r.id)).toEqual(
        [...all.items].reverse().map(r => r.id),
      );
      await expect(
        store.list({ sort: 'createdAt', cursor: desc.nextCursor }),
      ).rejects.toThrow(InputError);
      await expect(store.list({ cursor: 'garbage' })).rejects.toThrow(
        InputError,
      );
    });

    it('refuses forged cursors before they reach the query', async () => {
      for (let i = 0; i < 3; i++) {
        await store.create(
          newRfc({ requestedStartTime: `2026-03-0${i + 1}T10:00:00.000Z` }),
          [],
        );
      }
      const forge = (cursor: unknown) =>
        Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
      const issued = await store.list({ sort: 'createdAt', limit: 1 });
      const real = JSON.parse(
        Buffer.from(issued.nextCursor!, 'base64url').toString('utf8'),
      );
      // The cursor the store issued pages on.
      expect(
        (await store.list({ sort: 'createdAt', cursor: forge(real) })).items,
      ).toHaveLength(2);

      const forged: Array<[string, unknown]> = [
        ['id', { s: 'id', o: 'desc', v: 1.5, q: 1.5 }],
        ['id', { s: 'id', o: 'desc', v: 2147483648, q: 2147483648 }],
        ['id', { s: 'id', o: 'desc', v: 1e300, q: 1e300 }],
        ['id', { s: 'id', o: 'desc', v: -1, q: -1 }],
        ['id', { s: 'id', o: 'desc', v: 0, q: 0 }],
        ['id', { s: 'id', o: 'desc', v: '1', q: '1' }],
        ['id', { s: 'id', o: 'desc', v: "1' OR 1=1 --", q: 1 }],
        ['createdAt', { ...real, q: 4294967296 }],
        ['createdAt', { ...real, v: 'a\u0000b' }],
        ['createdAt', { ...real, v: "' OR ''='" }],
        ['createdAt', { ...real, v: 'not a time' }],
        ['createdAt', { ...real, v: '' }],
        ['createdAt', { ...real, v: 'x'.repeat(5000) }],
        ['createdAt', { ...real, v: 20260301 }],
        ['createdAt', { ...real, v: null }],
        ['createdAt', [real]],
        ['createdAt', 'a string'],
        ['createdAt', null],
      ];
      for (const [sort, cursor] of forged) {
        await expect(
          store.list({
            sort: sort as 'id' | 'createdAt',
            cursor: forge(cursor),
          }),
        ).rejects.toThrow(
          new InputError('cursor: not a cursor returned by this API'),
        );
      }
      // A missing start time pages as the empty string, by start time only.
      const byStart = await store.list({
        sort: 'requestedStartTime',
        order: 'asc',
        cursor: forge({ s: 'requestedStartTime', o: 'asc', v: '', q: 1 }),
      });
      expect(byStart.items).toHaveLength(3);
    });

    it('finds RFCs unapproved at their start time', async () => {
      const due = await store.create(
        newRfc({ requestedStartTime: '2026-03-01T10:00:00.000Z' }),
        [],
      );
      await store.create(
        newRfc({ requestedStartTime: '2026-03-09T10:00:00.000Z' }),
        [],
      );
      await store.create(newRfc({ requestedStartTime: undefined }), []);
      await store.create(
        newRfc({
          status: 'Scheduled',
          requestedStartTime: '2026-03-01T09:00:00.000Z',
        }),
        [],
      );
      const found = await store.listUnapprovedAtStart(
        new Date('2026-03-02T00:00:00Z'),
        10,
      );
      expect(found.map(r => r.id)).toEqual([due.id]);
    });
  },
);
