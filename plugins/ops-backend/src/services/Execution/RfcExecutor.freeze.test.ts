import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type { FreezeWindow } from '@cloud-ops/plugin-ops-common';
import type { NewRfc } from '../../database/RfcStore';
import { BackstageOpsNotifier } from '../Notifications';
import {
  CENTRAL_IT,
  changeTypesOf,
  freezeBody,
  newRfc,
  PAYMENTS,
  PAYMENTS_API,
  scheduleWorld,
  user,
} from '../Schedule/__testUtils__/scheduleFixtures';
import { FakeScaffolder } from './__testUtils__/fakeScaffolder';
import { EXECUTOR_ACTOR, RfcExecutor } from './RfcExecutor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const MINUTE = 60_000;

/** An approved RFC of an automated change type, due at `start`. */
const automated = (start: string, overrides: Partial<NewRfc> = {}) =>
  newRfc({
    changeTypeId: 'stack-rollout',
    title: 'Roll out the payments stack',
    automation: 'automated',
    binding: { templateRef: 'template:default/stack-rollout' },
    approvalRule: 'none',
    approverGroup: undefined,
    requestedStartTime: start,
    ...overrides,
  });

describe.each(databases.eachSupportedId())(
  'RfcExecutor and freezes on %s',
  databaseId => {
    let world: Awaited<ReturnType<typeof scheduleWorld>>;
    let scaffolder: FakeScaffolder;
    let executor: RfcExecutor;
    /** What the executor had the notifications service send. */
    let sent: NotificationSendOptions[];

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      world = await scheduleWorld(knex, { now: '2026-12-21T09:00:00.000Z' });
      scaffolder = new FakeScaffolder();
      sent = [];
      executor = new RfcExecutor({
        store: world.rfcStore,
        scaffolder,
        auth: mockServices.auth({ pluginId: 'ops' }),
        logger: mockServices.logger.mock(),
        changeTypes: changeTypesOf(),
        centralItGroup: CENTRAL_IT,
        notifier: await BackstageOpsNotifier.create({
          database: mockServices.database({ knex }),
          notifications: {
            send: async notification => {
              sent.push(notification);
            },
          },
          logger: mockServices.logger.mock(),
          now: world.clock.now,
        }),
        // The schedule as the plugin wires it: the freeze service over the
        // freezes in the database.
        freezes: world.freezes,
        leaseMs: MINUTE,
        executionTimeoutMs: 3 * 3_600_000,
        owner: 'replica-a',
        now: world.clock.now,
      });
    });

    const declare = (overrides: Record<string, unknown> = {}, by = 'omar') =>
      world.freezes.declare(
        freezeBody({
          scope: { type: 'entities', refs: [PAYMENTS_API] },
          ...overrides,
        }),
        user(by),
      );
    const seed = (start: string, overrides: Partial<NewRfc> = {}) =>
      world.rfcStore.create(automated(start, overrides), []);
    const heldNotes = () => sent.filter(n => n.payload.topic === 'rfc-held');

    it('holds an approved RFC whose start falls in a freeze, tells its requester once, and launches it once the freeze is lifted', async () => {
      const freeze = await declare();
      world.clock.set('2026-12-21T10:00:00.000Z');
      const rfc = await seed('2026-12-21T10:00:00.000Z');

      expect(await executor.runOnce()).toMatchObject({ held: 1, started: 0 });
      expect(scaffolder.tasks).toEqual([]);
      const held = await world.rfcStore.get(rfc.id);
      expect(held).toMatchObject({
        status: 'Scheduled',
        attempt: 0,
        hold: {
          freezeId: freeze.id,
          freezeName: 'Year-end freeze',
          reason: 'Peak trading: no changes to the shop',
          until: '2027-01-04T00:00:00.000Z',
          since: '2026-12-21T10:00:00.000Z',
          checkedAt: '2026-12-21T10:00:00.000Z',
        },
      });
      expect((await world.rfcStore.listEvents(rfc.id)).pop()).toMatchObject({
        actor: EXECUTOR_ACTOR,
        action: 'hold',
        fromStatus: 'Scheduled',
        toStatus: 'Scheduled',
        comment: `held by the freeze "Year-end freeze" (${freeze.id}) until 2027-01-04T00:00:00.000Z: Peak trading: no changes to the shop`,
      });
      expect(heldNotes()).toEqual([
        {
          recipients: { type: 'entity', entityRef: ['user:default/ana'] },
          payload: expect.objectContaining({
            title: `${rfc.id} waits for the freeze "Year-end freeze"`,
            description: expect.stringContaining(
              'starts when the freeze ends at 2027-01-04T00:00:00.000Z',
            ),
            link: `/ops/rfcs/${rfc.id}`,
            severity: 'high',
          }),
        },
      ]);

      // The next runs leave it held, and tell nobody again.
      for (let i = 0; i < 2; i++) {
        world.clock.advance(MINUTE);
        expect(await executor.runOnce()).toMatchObject({
          held: 1,
          started: 0,
        });
      }
      expect(scaffolder.tasks).toEqual([]);
      expect(heldNotes()).toHaveLength(1);
      expect((await world.rfcStore.get(rfc.id))?.version).toBe(held!.version);

      world.clock.advance(MINUTE);
      await world.freezes.lift(freeze.id, { version: 1 }, user('omar'));
      world.clock.advance(MINUTE);
      expect(await executor.runOnce()).toMatchObject({ held: 0, started: 1 });
      expect(scaffolder.tasks).toHaveLength(1);
      expect(scaffolder.tasks[0].templateRef).toBe(
        'template:default/stack-rollout',
      );
      const started = await world.rfcStore.get(rfc.id);
      expect(started).toMatchObject({
        status: 'InProgress',
        attempt: 1,
        taskId: 'task-1',
      });
      expect(started?.hold).toBeUndefined();
      const [release, start] = (await world.rfcStore.listEvents(rfc.id)).slice(
        -2,
      );
      expect(release).toMatchObject({
        actor: EXECUTOR_ACTOR,
        action: 'release',
        comment: 'the freeze "Year-end freeze" no longer holds it',
      });
      expect(start).toMatchObject({ action: 'start', toStatus: 'InProgress' });
      expect(heldNotes()).toHaveLength(1);
    });

    it('launches a held RFC once the occurrence it waits for has ended, and holds one that would run into the next', async () => {
      // Mornings, three days running.
      const freeze = await declare({
        name: 'Morning trading',
        reason: 'Settlement runs',
        start: '2026-12-21T09:00',
        end: '2026-12-21T12:00',
        rrule: 'FREQ=DAILY;COUNT=3',
      });
      world.clock.set('2026-12-21T10:00:00.000Z');
      const rfc = await seed('2026-12-21T10:00:00.000Z');
      // Starts before the next morning's freeze but would run into it.
      const early = await seed('2026-12-22T08:45:00.000Z', {
        title: 'Early rollout',
      });

      expect(await executor.runOnce()).toMatchObject({ held: 1 });
      expect((await world.rfcStore.get(rfc.id))?.hold).toMatchObject({
        freezeId: freeze.id,
        until: '2026-12-21T12:00:00.000Z',
      });

      world.clock.set('2026-12-21T11:59:00.000Z');
      expect(await executor.runOnce()).toMatchObject({ held: 1, started: 0 });
      world.clock.set('2026-12-21T12:00:00.000Z');
      expect(await executor.runOnce()).toMatchObject({ held: 0, started: 1 });
      expect(await world.rfcStore.get(rfc.id)).toMatchObject({
        status: 'InProgress',
      });

      world.clock.set('2026-12-22T08:45:00.000Z');
      expect(await executor.runOnce()).toMatchObject({ held: 1, started: 0 });
      expect((await world.rfcStore.get(early.id))?.hold).toMatchObject({
        until: '2026-12-22T12:00:00.000Z',
        since: '2026-12-22T08:45:00.000Z',
      });
      // Each hold is told once, to the requester of each RFC.
      expect(heldNotes().map(n => n.payload.title)).toEqual([
        `${rfc.id} waits for the freeze "Morning trading"`,
        `${early.id} waits for the freeze "Morning trading"`,
      ]);
      expect(scaffolder.tasks).toHaveLength(1);
    });

    it('follows a freeze that changed while it held an RFC', async () => {
      const freeze: FreezeWindow = await declare({
        start: '2026-12-21T09:00',
        end: '2026-12-21T12:00',
      });
      world.clock.set('2026-12-21T10:00:00.000Z');
      const rfc = await seed('2026-12-21T10:00:00.000Z');
      await executor.runOnce();

      // Extended to the afternoon.
      world.clock.set('2026-12-21T10:30:00.000Z');
      await world.freezes.update(
        freeze.id,
        freezeBody({
          version: 1,
          start: '2026-12-21T09:00',
          end: '2026-12-21T15:00',
          scope: { type: 'entities', refs: [PAYMENTS_API] },
        }),
        user('omar'),
      );
      world.clock.set('2026-12-21T10:31:00.000Z');
      expect(await executor.runOnce()).toMatchObject({ held: 1 });
      expect((await world.rfcStore.get(rfc.id))?.hold).toMatchObject({
        until: '2026-12-21T15:00:00.000Z',
        since: '2026-12-21T10:00:00.000Z',
        checkedAt: '2026-12-21T10:31:00.000Z',
      });
      world.clock.set('2026-12-21T12:00:00.000Z');
      expect(await executor.runOnce()).toMatchObject({ held: 1, started: 0 });
      world.clock.set('2026-12-21T15:00:00.000Z');
      expect(await executor.runOnce()).toMatchObject({ started: 1 });
    });

    it('rejects a held RFC once its requested end has passed, with the reason', async () => {
      const freeze = await declare();
      world.clock.set('2026-12-21T10:00:00.000Z');
      const rfc = await seed('2026-12-21T10:00:00.000Z', {
        requestedEndTime: '2026-12-21T11:00:00.000Z',
      });
      expect(await executor.runOnce()).toMatchObject({ held: 1 });
      expect(heldNotes()[0].payload.description).toContain(
        'unless that is after its requested end 2026-12-21T11:00:00.000Z; then it is rejected',
      );

      world.clock.set('2026-12-21T10:59:00.000Z');
      await executor.runOnce();
      expect((await world.rfcStore.get(rfc.id))?.status).toBe('Scheduled');

      world.clock.set('2026-12-21T11:00:00.000Z');
      await executor.runOnce();
      const reason = `the freeze "Year-end freeze" (${freeze.id}) held it past its requested end 2026-12-21T11:00:00.000Z`;
      expect(await world.rfcStore.get(rfc.id)).toMatchObject({
        status: 'Rejected',
        statusReason: reason,
        attempt: 0,
      });
      expect((await world.rfcStore.listEvents(rfc.id)).pop()).toMatchObject({
        actor: EXECUTOR_ACTOR,
        action: 'expire',
        fromStatus: 'Scheduled',
        toStatus: 'Rejected',
        comment: reason,
      });
      const state = await world.rfcStore.getExecutionState(rfc.id);
      expect(state?.leaseOwner).toBeUndefined();
      // The requester hears of the rejection.
      expect(
        sent.filter(n => n.payload.title === `${rfc.id} was rejected`),
      ).toEqual([
        {
          recipients: { type: 'entity', entityRef: ['user:default/ana'] },
          payload: expect.objectContaining({
            topic: 'rfc-decided',
            description: `Roll out the payments stack: ${reason}.`,
            link: `/ops/rfcs/${rfc.id}`,
          }),
        },
      ]);

      // Even when the freeze ends later, nothing runs.
      await world.freezes.lift(freeze.id, { version: 1 }, user('omar'));
      world.clock.advance(MINUTE);
      expect(await executor.runOnce()).toMatchObject({ started: 0, held: 0 });
      expect(scaffolder.tasks).toEqual([]);
    });

    it("runs emergencies and Central IT's critical security updates through a team freeze", async () => {
      await declare(
        { name: 'Launch', scope: { type: 'owner', ref: PAYMENTS } },
        'ana',
      );
      world.clock.set('2026-12-21T10:00:00.000Z');
      const start = '2026-12-21T10:00:00.000Z';
      const emergency = await seed(start, {
        changeClass: 'emergency',
        emergencyIncidentId: 'INC-000001',
        freezeOverride: {
          reason: 'Payments fail',
          freezeIds: ['FRZ-000001'],
          by: 'user:default/ana',
          at: start,
        },
      });
      const security = await seed(start, {
        origin: 'central-it',
        requester: 'user:default/lena',
        criticalSecurityUpdate: true,
      });
      const normal = await seed(start);
      // The same change asked for by the team is held.
      const teamSecurity = await seed(start, { criticalSecurityUpdate: true });

      expect(await executor.runOnce()).toMatchObject({ started: 2, held: 2 });
      const status = async (id: string) => {
        const r = await world.rfcStore.get(id);
        return { status: r?.status, held: Boolean(r?.hold) };
      };
      expect(await status(emergency.id)).toEqual({
        status: 'InProgress',
        held: false,
      });
      expect(await status(security.id)).toEqual({
        status: 'InProgress',
        held: false,
      });
      expect(await status(normal.id)).toEqual({
        status: 'Scheduled',
        held: true,
      });
      expect(await status(teamSecurity.id)).toEqual({
        status: 'Scheduled',
        held: true,
      });

      // Central IT's own freeze holds its security update.
      await declare({ name: 'Data centre move' });
      const next = await seed(start, {
        origin: 'central-it',
        requester: 'user:default/lena',
        criticalSecurityUpdate: true,
      });
      await executor.runOnce();
      expect((await world.rfcStore.get(next.id))?.hold).toMatchObject({
        freezeName: 'Data centre move',
      });
    });
  },
);
