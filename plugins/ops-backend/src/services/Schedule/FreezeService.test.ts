import { TestDatabases } from '@backstage/backend-test-utils';
import type { FreezeWindow, Rfc } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import type { NewRfc } from '../../database/RfcStore';
import {
  freezeBody,
  newRfc,
  PAYMENTS,
  PAYMENTS_API,
  PAYMENTS_DB,
  SHOP,
  STOREFRONT,
  scheduleWorld,
  user,
  WEB,
} from './__testUtils__/scheduleFixtures';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Inside the year-end freeze of the fixtures, 20 Dec to 4 Jan. */
const IN_FREEZE = {
  start: new Date('2026-12-21T10:00:00Z'),
  end: new Date('2026-12-21T11:00:00Z'),
};

describe.each(databases.eachSupportedId())(
  'FreezeService on %s',
  databaseId => {
    let knex: Knex;
    let world: Awaited<ReturnType<typeof scheduleWorld>>;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      world = await scheduleWorld(knex, { now: '2026-12-01T08:00:00Z' });
    });

    const rows = async (table: string) =>
      Number((await knex(table).count({ n: '*' }).first())?.n ?? 0);
    const freezeAuditEntries = async () =>
      Number(
        (
          await knex('ops_audit_log')
            .where('subject', 'like', 'freeze:%')
            .count({ n: '*' })
            .first()
        )?.n ?? 0,
      );
    const heldIds = async (
      targetRef: string,
      rfc: Pick<Rfc, 'origin' | 'criticalSecurityUpdate'> = {
        origin: 'user',
      },
    ) => {
      const target = await world.freezes.targetOf({
        targetEntityRef: targetRef,
        ownerGroup: '',
      });
      const holding = await world.freezes.holding(target, IN_FREEZE, rfc);
      return [...new Set(holding.map(h => h.freezeId))].sort();
    };

    it('lets Central IT freeze everything, a team, a system or entities, and holds what each covers', async () => {
      const omar = user('omar');
      const global = await world.freezes.declare(freezeBody(), omar);
      const team = await world.freezes.declare(
        freezeBody({ scope: { type: 'owner', ref: 'payments' } }),
        omar,
      );
      const system = await world.freezes.declare(
        freezeBody({ scope: { type: 'system', ref: 'system:default/shop' } }),
        omar,
      );
      const entities = await world.freezes.declare(
        freezeBody({ scope: { type: 'entities', refs: [PAYMENTS_API] } }),
        omar,
      );
      for (const f of [global, team, system, entities]) {
        expect(f).toMatchObject({
          id: expect.stringMatching(/^FRZ-\d{6}$/),
          side: 'central-it',
          declaredBy: 'user:default/omar',
          startsAt: '2026-12-20T00:00:00.000Z',
          endsAt: '2027-01-04T00:00:00.000Z',
          version: 1,
          createdAt: '2026-12-01T08:00:00.000Z',
        });
        expect(f.teamGroup).toBeUndefined();
      }
      // Short refs are stored in full.
      expect(team.scope).toEqual({ type: 'owner', ref: PAYMENTS });
      expect(await world.freezes.get(system.id, user('wei'))).toEqual(system);

      // The stack is held by the freeze of its component, its owner and its
      // system; the storefront only by the freeze of everything.
      expect(await heldIds(PAYMENTS_DB)).toEqual(
        [global.id, team.id, system.id, entities.id].sort(),
      );
      expect(await heldIds(PAYMENTS_API)).toEqual(
        [global.id, team.id, system.id, entities.id].sort(),
      );
      // The system itself, owned by payments.
      expect(await heldIds(SHOP)).toEqual(
        [global.id, team.id, system.id].sort(),
      );
      expect(await heldIds(STOREFRONT)).toEqual([global.id]);
      // Outside its occurrence a freeze holds nothing.
      const target = await world.freezes.targetOf({
        targetEntityRef: PAYMENTS_DB,
        ownerGroup: PAYMENTS,
      });
      expect(
        await world.freezes.holding(
          target,
          {
            start: new Date('2027-01-04T00:00:00Z'),
            end: new Date('2027-01-04T01:00:00Z'),
          },
          { origin: 'user' },
        ),
      ).toEqual([]);
      expect(await freezeAuditEntries()).toBe(4);
    });

    it("lets an owning team freeze its own entities and group, and refuses another team's developer", async () => {
      const ana = user('ana');
      const own = await world.freezes.declare(
        freezeBody({ scope: { type: 'owner', ref: PAYMENTS } }),
        ana,
      );
      expect(own).toMatchObject({
        side: 'team',
        teamGroup: PAYMENTS,
        declaredBy: 'user:default/ana',
      });
      const entities = await world.freezes.declare(
        freezeBody({
          scope: { type: 'entities', refs: [PAYMENTS_API, PAYMENTS_DB] },
        }),
        ana,
      );
      expect(entities).toMatchObject({ side: 'team', teamGroup: PAYMENTS });
      // payments owns the shop system.
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'system', ref: SHOP } }),
          ana,
        ),
      ).resolves.toMatchObject({ side: 'team', teamGroup: PAYMENTS });
      const saved = await rows('ops_freezes');
      expect(saved).toBe(3);

      const wei = user('wei');
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'entities', refs: [PAYMENTS_API] } }),
          wei,
        ),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          `${PAYMENTS_API} is owned by ${PAYMENTS}`,
        ),
      });
      // One entity of someone else's among one's own is still refused.
      await expect(
        world.freezes.declare(
          freezeBody({
            scope: { type: 'entities', refs: [STOREFRONT, PAYMENTS_DB] },
          }),
          wei,
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'owner', ref: PAYMENTS } }),
          wei,
        ),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(`you are not in ${PAYMENTS}`),
      });
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'system', ref: SHOP } }),
          wei,
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(
        world.freezes.declare(freezeBody(), wei),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('only Central IT declares freezes'),
      });
      // Nor may another plugin declare one on a person's behalf.
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'owner', ref: PAYMENTS } }),
          user('ana', 'plugin:scaffolder'),
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect(await rows('ops_freezes')).toBe(saved);

      // wei freezes web's own storefront.
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'entities', refs: [STOREFRONT] } }),
          wei,
        ),
      ).resolves.toMatchObject({ side: 'team', teamGroup: WEB });
    });

    it('refuses covered entities that are not in the catalog, naming the field, and saves nothing', async () => {
      const omar = user('omar');
      await expect(
        world.freezes.declare(
          freezeBody({
            scope: {
              type: 'entities',
              refs: [PAYMENTS_API, 'component:default/ghost'],
            },
          }),
          omar,
        ),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'scope.refs: component:default/ghost is not in the catalog',
        ),
      });
      await expect(
        world.freezes.declare(
          freezeBody({ scope: { type: 'system', ref: 'system:default/mall' } }),
          omar,
        ),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'scope.ref: system:default/mall is not in the catalog',
        ),
      });
      expect(await rows('ops_freezes')).toBe(0);
      expect(await rows('ops_freeze_entities')).toBe(0);
      expect(await freezeAuditEntries()).toBe(0);
    });

    it('refuses a bad recurrence, an end before the start and unknown fields, and saves nothing', async () => {
      const omar = user('omar');
      const refused = async (body: Record<string, unknown>, field: string) =>
        expect(
          world.freezes.declare(freezeBody(body), omar),
        ).rejects.toMatchObject({
          name: 'InputError',
          message: expect.stringContaining(field),
        });
      await refused({ rrule: 'FREQ=HOURLY' }, 'rrule: FREQ must be one of');
      await refused({ rrule: 'FREQ=WEEKLY;BYDAY=FRIDAY' }, 'rrule: BYDAY=');
      await refused(
        { rrule: 'DTSTART:20261201T000000Z;FREQ=DAILY' },
        'rrule: must be one RRULE without DTSTART',
      );
      await refused(
        { end: '2026-12-19T00:00' },
        'end: 2026-12-19T00:00 is not after start 2026-12-20T00:00',
      );
      await refused({ end: '2026-12-20T00:00' }, 'end: ');
      await refused({ start: '20 Dec 2026' }, 'start: must be a local');
      await refused({ timezone: 'Mars/Olympus' }, 'timezone: "Mars/Olympus"');
      await refused({ colour: 'red' }, 'colour: is not a field of a freeze');
      await refused({ scope: { type: 'everything' } }, 'scope.type: must be');
      expect(await rows('ops_freezes')).toBe(0);
      expect(await freezeAuditEntries()).toBe(0);
    });

    it('changes a freeze only at the version that was read, and only on its side', async () => {
      const omar = user('omar');
      const created = await world.freezes.declare(freezeBody(), omar);
      world.clock.advance(60_000);
      const updated = await world.freezes.update(
        created.id,
        freezeBody({ version: 1, end: '2027-01-06T00:00' }),
        omar,
      );
      expect(updated).toMatchObject({
        id: created.id,
        version: 2,
        endsAt: '2027-01-06T00:00:00.000Z',
        updatedAt: '2026-12-01T08:01:00.000Z',
        createdAt: created.createdAt,
      });
      await expect(
        world.freezes.update(
          created.id,
          freezeBody({ version: 1, name: 'Lost update' }),
          omar,
        ),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('is at version 2'),
      });
      await expect(
        world.freezes.update(created.id, freezeBody(), omar),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^version: /),
      });
      await expect(
        world.freezes.update(
          created.id,
          freezeBody({ version: 2, rrule: 'FREQ=SECONDLY' }),
          omar,
        ),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('rrule:'),
      });
      // A team does not change Central IT's freeze, visible as it is.
      await expect(
        world.freezes.update(
          created.id,
          freezeBody({ version: 2 }),
          user('ana'),
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect((await world.freezes.get(created.id, omar)).name).toBe(
        'Year-end freeze',
      );

      // A team's freeze stays on the team's own entities.
      const team = await world.freezes.declare(
        freezeBody({ scope: { type: 'owner', ref: PAYMENTS } }),
        user('ana'),
      );
      await expect(
        world.freezes.update(
          team.id,
          freezeBody({
            version: 1,
            scope: { type: 'entities', refs: [STOREFRONT] },
          }),
          user('ana'),
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(
        world.freezes.update(team.id, freezeBody({ version: 1 }), user('ana')),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      // A teammate may change it.
      await expect(
        world.freezes.update(
          team.id,
          freezeBody({
            version: 1,
            scope: { type: 'entities', refs: [PAYMENTS_DB] },
          }),
          user('priya'),
        ),
      ).resolves.toMatchObject({
        version: 2,
        scope: { type: 'entities', refs: [PAYMENTS_DB] },
        teamGroup: PAYMENTS,
      });
      // Central IT may correct it, and it stays the team's, on the team's
      // entities.
      await expect(
        world.freezes.update(
          team.id,
          freezeBody({
            version: 2,
            end: '2026-12-24T00:00',
            scope: { type: 'entities', refs: [PAYMENTS_DB] },
          }),
          omar,
        ),
      ).resolves.toMatchObject({
        version: 3,
        side: 'team',
        teamGroup: PAYMENTS,
        endsAt: '2026-12-24T00:00:00.000Z',
      });
      for (const scope of [
        { type: 'global' },
        { type: 'entities', refs: [STOREFRONT] },
      ]) {
        await expect(
          world.freezes.update(
            team.id,
            freezeBody({ version: 3, scope }),
            omar,
          ),
        ).rejects.toMatchObject({
          name: 'InputError',
          message: expect.stringContaining(
            `scope: a freeze of ${PAYMENTS} must stay on ${PAYMENTS}'s entities`,
          ),
        });
      }
    });

    it('lifts a freeze, which then holds nothing and is listed only when asked', async () => {
      const omar = user('omar');
      const created = await world.freezes.declare(freezeBody(), omar);
      expect(await heldIds(STOREFRONT)).toEqual([created.id]);
      await expect(
        world.freezes.lift(created.id, {}, omar),
      ).rejects.toMatchObject({ name: 'InputError', message: /^version: / });
      await expect(
        world.freezes.lift(created.id, { version: 1 }, user('wei')),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('only Central IT changes or lifts it'),
      });
      world.clock.advance(3_600_000);
      const lifted = await world.freezes.lift(created.id, { version: 1 }, omar);
      expect(lifted).toMatchObject({
        version: 2,
        liftedAt: '2026-12-01T09:00:00.000Z',
        liftedBy: 'user:default/omar',
      });
      expect(await heldIds(STOREFRONT)).toEqual([]);
      await expect(
        world.freezes.lift(created.id, { version: 2 }, omar),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('was lifted'),
      });
      await expect(
        world.freezes.update(created.id, freezeBody({ version: 2 }), omar),
      ).rejects.toMatchObject({ name: 'ConflictError' });

      expect((await world.freezes.list({}, omar)).items).toEqual([]);
      const all = await world.freezes.list({ includeLifted: true }, omar);
      expect(all.items.map(f => f.id)).toEqual([created.id]);
      // A lifted freeze has no occurrences.
      expect(all.occurrences).toEqual([]);
      const actions = await knex('ops_audit_log')
        .where({ subject: `freeze:${created.id}` })
        .orderBy('subject_seq')
        .select('action', 'actor');
      expect(actions).toEqual([
        { action: 'freeze-declare', actor: 'user:default/omar' },
        { action: 'freeze-lift', actor: 'user:default/omar' },
      ]);
    });

    it("shows a team's freezes to the team and Central IT only, Central IT's to everyone", async () => {
      const central = await world.freezes.declare(
        freezeBody({ name: 'Audit week' }),
        user('omar'),
      );
      const team = await world.freezes.declare(
        freezeBody({
          name: 'Payments launch',
          start: '2026-12-10T00:00',
          end: '2026-12-11T00:00',
          scope: { type: 'owner', ref: PAYMENTS },
        }),
        user('ana'),
      );
      const ids = async (name: string) =>
        (await world.freezes.list({}, user(name))).items.map(f => f.id);
      expect(await ids('ana')).toEqual([team.id, central.id]);
      expect(await ids('priya')).toEqual([team.id, central.id]);
      expect(await ids('omar')).toEqual([team.id, central.id]);
      expect(await ids('wei')).toEqual([central.id]);
      await expect(
        world.freezes.get(team.id, user('wei')),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(
        world.freezes.lift(team.id, { version: 1 }, user('wei')),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(
        world.freezes.get('FRZ-1', user('ana')),
      ).rejects.toMatchObject({ name: 'InputError', message: /^id: / });

      // Occurrences in the range asked for, earliest first.
      const listed = await world.freezes.list(
        { from: '2026-12-10T12:00:00Z', to: '2026-12-25T00:00:00Z' },
        user('ana'),
      );
      expect(listed.occurrences.map(o => [o.freezeId, o.start, o.end])).toEqual(
        [
          [team.id, '2026-12-10T00:00:00.000Z', '2026-12-11T00:00:00.000Z'],
          [central.id, '2026-12-20T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
        ],
      );
      expect(
        (
          await world.freezes.list(
            { from: '2027-02-01T00:00:00Z', to: '2027-03-01T00:00:00Z' },
            user('omar'),
          )
        ).items,
      ).toEqual([]);
      await expect(
        world.freezes.list({ from: 'yesterday' }, user('ana')),
      ).rejects.toMatchObject({ name: 'InputError', message: /from: / });
      await expect(
        world.freezes.list(
          { from: '2026-12-10T00:00:00Z', to: '2026-12-01T00:00:00Z' },
          user('ana'),
        ),
      ).rejects.toMatchObject({ name: 'InputError', message: /to: / });
    });

    it('tells the requesters of approved RFCs a new freeze holds, and nobody else', async () => {
      const create = (overrides: Partial<NewRfc>) =>
        world.rfcStore.create(newRfc(overrides), []);
      const at = (iso: string) => ({ requestedStartTime: iso });
      const held = await create({
        ...at('2026-12-21T10:00:00.000Z'),
        requestedEndTime: '2026-12-21T12:00:00.000Z',
      });
      const heldStack = await create({
        ...at('2026-12-22T10:00:00.000Z'),
        targetEntityRef: PAYMENTS_DB,
        requester: 'user:default/priya',
      });
      // Not covered, not approved, after the freeze, an emergency.
      await create({
        ...at('2026-12-21T10:00:00.000Z'),
        targetEntityRef: STOREFRONT,
        ownerGroup: WEB,
        requester: 'user:default/wei',
      });
      await create({
        ...at('2026-12-21T10:00:00.000Z'),
        status: 'PendingApproval',
      });
      const later = await create({ ...at('2027-01-10T10:00:00.000Z') });
      await create({
        ...at('2026-12-21T10:00:00.000Z'),
        changeClass: 'emergency',
        emergencyIncidentId: 'INC-000001',
      });

      const freeze = await world.freezes.declare(
        freezeBody({ scope: { type: 'owner', ref: PAYMENTS } }),
        user('omar'),
      );
      const told = world.notifier.sent;
      const titles = () => told.map(n => n.title).sort();
      expect(titles()).toEqual(
        [
          `${held.id} is held by the freeze "Year-end freeze"`,
          `${heldStack.id} is held by the freeze "Year-end freeze"`,
        ].sort(),
      );
      expect(told.find(n => n.title.startsWith(held.id))).toEqual({
        recipients: ['user:default/ana'],
        exclude: ['user:default/omar'],
        topic: 'rfc-held',
        title: `${held.id} is held by the freeze "Year-end freeze"`,
        description: expect.stringContaining(
          'Peak trading: no changes to the shop.',
        ),
        link: `/ops/rfcs/${held.id}`,
        severity: 'high',
      });
      expect(
        told.find(n => n.title.startsWith(held.id))!.description,
      ).toContain(
        'or is rejected if that is after its requested end 2026-12-21T12:00:00.000Z',
      );
      expect(
        told.find(n => n.title.startsWith(heldStack.id))!.recipients,
      ).toEqual(['user:default/priya']);

      // Extending the freeze tells those it now holds as well.
      told.length = 0;
      await world.freezes.update(
        freeze.id,
        freezeBody({
          version: 1,
          end: '2027-01-11T00:00',
          scope: { type: 'owner', ref: PAYMENTS },
        }),
        user('omar'),
      );
      expect(titles()).toEqual(
        [held, heldStack, later]
          .map(r => `${r.id} is held by the freeze "Year-end freeze"`)
          .sort(),
      );
    });

    it("does not hold Central IT's Critical Security Updates with a team freeze", async () => {
      const team: FreezeWindow = await world.freezes.declare(
        freezeBody({ name: 'Launch', scope: { type: 'owner', ref: PAYMENTS } }),
        user('ana'),
      );
      const csu = {
        origin: 'central-it' as const,
        criticalSecurityUpdate: true,
      };
      expect(await heldIds(PAYMENTS_API, csu)).toEqual([]);
      // The same change type asked for by the team, or another Central IT
      // change, is held.
      expect(
        await heldIds(PAYMENTS_API, {
          origin: 'user',
          criticalSecurityUpdate: true,
        }),
      ).toEqual([team.id]);
      expect(await heldIds(PAYMENTS_API, { origin: 'central-it' })).toEqual([
        team.id,
      ]);
      // Central IT's own freeze holds it.
      const central = await world.freezes.declare(freezeBody(), user('omar'));
      expect(await heldIds(PAYMENTS_API, csu)).toEqual([central.id]);

      // Nor is its requester told that a new team freeze holds it.
      const update = await world.rfcStore.create(
        newRfc({
          changeTypeId: 'security-patch',
          origin: 'central-it',
          criticalSecurityUpdate: true,
          requester: 'user:default/lena',
          requestedStartTime: '2026-12-21T10:00:00.000Z',
        }),
        [],
      );
      const normal = await world.rfcStore.create(
        newRfc({ requestedStartTime: '2026-12-21T10:00:00.000Z' }),
        [],
      );
      world.notifier.sent.length = 0;
      await world.freezes.declare(
        freezeBody({
          name: 'Second launch',
          scope: { type: 'owner', ref: PAYMENTS },
        }),
        user('priya'),
      );
      expect(world.notifier.sent.map(n => n.title)).toEqual([
        `${normal.id} is held by the freeze "Second launch"`,
      ]);
      expect(update.criticalSecurityUpdate).toBe(true);
    });
  },
);
