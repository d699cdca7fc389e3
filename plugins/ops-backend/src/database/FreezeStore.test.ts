import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  freezeOccurrences,
  parseFreezeWindowInput,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseFreezeStore, type NewFreeze } from './FreezeStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const AT = '2026-12-01T10:00:00.000Z';

function freeze(body: Record<string, unknown>, over: Partial<NewFreeze> = {}) {
  const result = parseFreezeWindowInput({
    name: 'Freeze',
    reason: 'Because',
    timezone: 'UTC',
    scope: { type: 'global' },
    ...body,
  });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return {
    ...result.value,
    startsAt: result.startsAt,
    ...(result.endsAt ? { endsAt: result.endsAt } : {}),
    side: 'central-it' as const,
    declaredBy: 'user:default/omar',
    at: AT,
    ...over,
  };
}

const stackOfOrders = {
  entityRefs: ['resource:default/orders-db', 'component:default/orders'],
  ownerRefs: ['group:default/payments'],
  systemRefs: ['system:default/shop'],
};

describe.each(databases.eachSupportedId())(
  'DatabaseFreezeStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseFreezeStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseFreezeStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    beforeEach(async () => {
      await knex('ops_freeze_entities').delete();
      await knex('ops_freezes').delete();
    });

    afterAll(async () => {
      await knex.destroy();
    });

    it('keeps a freeze as declared, with its entities', async () => {
      const created = await store.create(
        freeze({
          start: '2026-12-24T18:00',
          end: '2026-12-27T08:00',
          timezone: 'Europe/Berlin',
          rrule: 'FREQ=YEARLY',
          scope: {
            type: 'entities',
            refs: ['resource:default/orders-db', 'component:default/web'],
          },
        }),
      );
      expect(created).toMatchObject({
        id: expect.stringMatching(/^FRZ-\d{6}$/),
        start: '2026-12-24T18:00',
        end: '2026-12-27T08:00',
        timezone: 'Europe/Berlin',
        rrule: 'FREQ=YEARLY',
        scope: {
          type: 'entities',
          refs: ['component:default/web', 'resource:default/orders-db'],
        },
        side: 'central-it',
        startsAt: '2026-12-24T17:00:00.000Z',
        version: 1,
      });
      expect(created.endsAt).toBeUndefined();
      expect(await store.get(created.id)).toEqual(created);
      expect(await store.get('FRZ-999999')).toBeUndefined();
      expect(await store.get('nonsense')).toBeUndefined();
    });

    it('finds the freezes whose bounds and scope could hold a target', async () => {
      const december = { start: '2026-12-10T00:00', end: '2026-12-12T00:00' };
      const global = await store.create(freeze({ ...december, name: 'all' }));
      const payments = await store.create(
        freeze({
          ...december,
          name: 'payments',
          scope: { type: 'owner', ref: 'group:default/payments' },
        }),
      );
      await store.create(
        freeze({
          ...december,
          name: 'web',
          scope: { type: 'owner', ref: 'group:default/web' },
        }),
      );
      const shop = await store.create(
        freeze({
          ...december,
          name: 'shop',
          scope: { type: 'system', ref: 'system:default/shop' },
        }),
      );
      const component = await store.create(
        freeze({
          ...december,
          name: 'orders component',
          scope: { type: 'entities', refs: ['component:default/orders'] },
        }),
      );
      await store.create(
        freeze({
          ...december,
          name: 'other entity',
          scope: { type: 'entities', refs: ['component:default/web'] },
        }),
      );
      // Over before the window asked about, and starting after it.
      await store.create(
        freeze({ start: '2026-11-01T00:00', end: '2026-11-02T00:00' }),
      );
      await store.create(
        freeze({ start: '2027-01-01T00:00', end: '2027-01-02T00:00' }),
      );
      const lifted = await store.create(
        freeze({ ...december, name: 'lifted' }),
      );
      await store.lift(lifted.id, 1, 'user:default/omar', AT);

      const names = (
        await store.candidates({
          from: '2026-12-11T00:00:00.000Z',
          to: '2026-12-11T02:00:00.000Z',
          ...stackOfOrders,
        })
      ).map(f => f.name);
      expect(names.sort()).toEqual(
        [global, payments, shop, component].map(f => f.name).sort(),
      );
      // Adjacent windows do not overlap: the freeze ends as the change starts.
      expect(
        await store.candidates({
          from: '2026-12-12T00:00:00.000Z',
          to: '2026-12-12T01:00:00.000Z',
          ...stackOfOrders,
        }),
      ).toEqual([]);
    });

    it('keeps recurring freezes without end among the candidates, and expands them across DST and month ends', async () => {
      const weekly = await store.create(
        freeze({
          name: 'Friday evenings',
          start: '2026-03-20T18:00',
          end: '2026-03-20T22:00',
          timezone: 'Europe/Berlin',
          rrule: 'FREQ=WEEKLY;BYDAY=FR',
        }),
      );
      const monthEnd = await store.create(
        freeze({
          name: 'Month-end close',
          start: '2026-01-31T00:00',
          end: '2026-02-01T00:00',
          rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
        }),
      );
      const after = await store.candidates({
        from: '2026-04-03T16:30:00.000Z',
        to: '2026-04-03T17:00:00.000Z',
        ...stackOfOrders,
      });
      expect(after.map(f => f.id).sort()).toEqual(
        [weekly.id, monthEnd.id].sort(),
      );
      const berlin = after.find(f => f.id === weekly.id)!;
      // After the clocks moved (29 March), 18:00 in Berlin is 16:00 UTC.
      expect(
        freezeOccurrences(
          berlin,
          new Date('2026-04-03T16:30:00.000Z'),
          new Date('2026-04-03T17:00:00.000Z'),
        ),
      ).toMatchObject([
        { start: '2026-04-03T16:00:00.000Z', end: '2026-04-03T20:00:00.000Z' },
      ]);
      const close = after.find(f => f.id === monthEnd.id)!;
      expect(
        freezeOccurrences(
          close,
          new Date('2026-02-01T00:00:00.000Z'),
          new Date('2026-05-01T00:00:00.000Z'),
        ).map(o => o.start.slice(0, 10)),
      ).toEqual(['2026-02-28', '2026-03-31', '2026-04-30']);
    });

    it('drops a bounded recurrence from the candidates once it is over', async () => {
      await store.create(
        freeze({
          start: '2026-12-07T09:00',
          end: '2026-12-07T10:00',
          rrule: 'FREQ=DAILY;COUNT=3',
        }),
      );
      const ask = (from: string, to: string) =>
        store.candidates({ from, to, ...stackOfOrders });
      expect(
        await ask('2026-12-09T09:30:00.000Z', '2026-12-09T09:45:00.000Z'),
      ).toHaveLength(1);
      expect(
        await ask('2026-12-09T10:00:00.000Z', '2026-12-09T11:00:00.000Z'),
      ).toEqual([]);
    });

    it('updates and lifts only at the current version', async () => {
      const created = await store.create(
        freeze({
          start: '2026-12-10T00:00',
          end: '2026-12-11T00:00',
          scope: { type: 'entities', refs: ['component:default/orders'] },
        }),
      );
      const updated = await store.update(
        created.id,
        1,
        freeze({
          name: 'Renamed',
          start: '2026-12-10T00:00',
          end: '2026-12-12T00:00',
          scope: { type: 'entities', refs: ['component:default/web'] },
        }),
        'user:default/omar',
      );
      expect(updated).toMatchObject({
        name: 'Renamed',
        version: 2,
        endsAt: '2026-12-12T00:00:00.000Z',
        scope: { type: 'entities', refs: ['component:default/web'] },
      });
      await expect(
        store.update(
          created.id,
          1,
          freeze({ start: '2026-12-10T00:00', end: '2026-12-11T00:00' }),
          'user:default/omar',
        ),
      ).rejects.toThrow(/is at version 2/);
      await expect(
        store.lift(created.id, 1, 'user:default/omar', AT),
      ).rejects.toThrow(/is at version 2/);
      const lifted = await store.lift(created.id, 2, 'user:default/omar', AT);
      expect(lifted).toMatchObject({
        liftedAt: AT,
        liftedBy: 'user:default/omar',
      });
      await expect(
        store.lift(created.id, 3, 'user:default/omar', AT),
      ).rejects.toThrow(/was lifted/);
      expect(await store.list({})).toEqual([]);
      expect(await store.list({ includeLifted: true })).toHaveLength(1);

      // Each change is in the audit log, in its own chain, with who did it.
      const entries = await knex('ops_audit_log')
        .where({ subject: `freeze:${created.id}` })
        .orderBy('subject_seq');
      expect(
        entries.map(e => [e.action, e.actor, JSON.parse(e.after).version]),
      ).toEqual([
        ['freeze-declare', 'user:default/omar', 1],
        ['freeze-update', 'user:default/omar', 2],
        ['freeze-lift', 'user:default/omar', 3],
      ]);
    });

    it('lists team freezes only to their teams, Central IT’s to everyone', async () => {
      const period = { start: '2026-12-10T00:00', end: '2026-12-11T00:00' };
      await store.create(freeze({ ...period, name: 'central' }));
      await store.create(
        freeze(
          {
            ...period,
            name: 'payments calendar',
            scope: { type: 'owner', ref: 'group:default/payments' },
          },
          { side: 'team', teamGroup: 'group:default/payments' },
        ),
      );
      const names = async (teams?: string[]) =>
        (await store.list({ teams })).map(f => f.name).sort();
      expect(await names()).toEqual(['central', 'payments calendar']);
      expect(await names(['group:default/web'])).toEqual(['central']);
      expect(await names([])).toEqual(['central']);
      expect(await names(['group:default/payments'])).toEqual([
        'central',
        'payments calendar',
      ]);
      expect(
        (
          await store.list({
            from: '2026-12-11T00:00:00.000Z',
            to: '2026-12-12T00:00:00.000Z',
          })
        ).map(f => f.name),
      ).toEqual([]);
    });
  },
);
