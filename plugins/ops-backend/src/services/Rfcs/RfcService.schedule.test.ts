import { TestDatabases } from '@backstage/backend-test-utils';
import {
  rfcAuditSubject,
  type FreezeWindow,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import type { NewRfc } from '../../database/RfcStore';
import {
  CENTRAL_IT,
  freezeBody,
  incident,
  newRfc,
  PAYMENTS,
  PAYMENTS_API,
  PAYMENTS_DB,
  STOREFRONT,
  scheduleWorld,
  user,
  WEB,
} from '../Schedule/__testUtils__/scheduleFixtures';
import type { CreateRfcInput } from './RfcService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const NOW = '2026-12-01T08:00:00.000Z';

const INCIDENTS = [
  incident({ id: 'INC-000001' }),
  incident({
    id: 'INC-000002',
    status: 'Resolved',
    resolvedAt: '2026-12-01T07:45:00.000Z',
  }),
  incident({ id: 'INC-000003', priority: 'P3' }),
  incident({ id: 'INC-000004', entityRef: STOREFRONT, ownerGroup: WEB }),
  incident({ id: 'INC-000005', priority: 'P2', entityRef: PAYMENTS_DB }),
];

const body = (overrides: Partial<CreateRfcInput> = {}): CreateRfcInput => ({
  changeTypeId: 'db-restart',
  title: 'Restart the payments database',
  description: 'Connections pile up',
  targetEntityRef: PAYMENTS_API,
  parameters: {},
  implementationPlan: 'Fail over, then restart',
  testPlan: 'Rehearsed in staging',
  rollbackPlan: 'Fail back',
  requestedStartTime: '2026-12-21T10:00:00.000Z',
  submit: true,
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'RfcService and the change schedule on %s',
  databaseId => {
    let knex: Knex;
    let world: Awaited<ReturnType<typeof scheduleWorld>>;
    /** Central IT's freeze of the payments API and its stacks, 20 Dec to 4 Jan. */
    let freeze: FreezeWindow;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      world = await scheduleWorld(knex, { now: NOW, incidents: INCIDENTS });
      freeze = await world.freezes.declare(
        freezeBody({ scope: { type: 'entities', refs: [PAYMENTS_API] } }),
        user('omar'),
      );
    });

    const rfcCount = async () =>
      Number((await knex('ops_rfcs').count({ n: '*' }).first())?.n ?? 0);

    it('refuses with 409 a submission in a freeze that covers it, naming the freeze, its reason and its end', async () => {
      const covered = expect.objectContaining({
        name: 'ConflictError',
        message: expect.stringContaining(
          `the freeze "Year-end freeze" (${freeze.id}) covers ${PAYMENTS_API} from 2026-12-20T00:00:00.000Z until 2027-01-04T00:00:00.000Z: Peak trading: no changes to the shop. Ask for a time after the freeze ends`,
        ),
      });
      await expect(world.rfcs.create(body(), user('ana'))).rejects.toEqual(
        covered,
      );
      // A change that starts before the freeze and runs into it.
      await expect(
        world.rfcs.create(
          body({ requestedStartTime: '2026-12-19T23:45:00.000Z' }),
          user('ana'),
        ),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(
        world.rfcs.create(
          body({
            requestedStartTime: '2026-12-19T10:00:00.000Z',
            requestedEndTime: '2026-12-20T10:00:00.000Z',
          }),
          user('ana'),
        ),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      // A stack of the frozen component is frozen with it, for Central IT too.
      await expect(
        world.rfcs.create(body({ targetEntityRef: PAYMENTS_DB }), user('omar')),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining(`covers ${PAYMENTS_DB} from`),
      });
      expect(await rfcCount()).toBe(0);

      // A draft is not checked; submitting it is.
      const draft = await world.rfcs.create(
        body({ submit: false }),
        user('ana'),
      );
      expect(draft.status).toBe('Editing');
      await expect(
        world.rfcs.act(draft.id, { action: 'submit', version: 1 }, user('ana')),
      ).rejects.toEqual(covered);
      // A freeze override is for emergencies only.
      await expect(
        world.rfcs.act(
          draft.id,
          {
            action: 'submit',
            version: 1,
            freezeOverrideReason: 'we are in a hurry',
          },
          user('ana'),
        ),
      ).rejects.toEqual(covered);
      expect(await world.rfcs.get(draft.id, user('ana'))).toMatchObject({
        status: 'Editing',
        version: 1,
      });
      expect((await world.rfcs.get(draft.id, user('ana'))).freezeOverride).toBe(
        undefined,
      );

      // Once the freeze is lifted, the same submission goes through.
      await world.freezes.lift(freeze.id, { version: 1 }, user('omar'));
      await expect(
        world.rfcs.act(draft.id, { action: 'submit', version: 1 }, user('ana')),
      ).resolves.toMatchObject({ status: 'PendingApproval' });
    });

    it('accepts changes outside the freeze and to what it does not cover', async () => {
      await expect(
        world.rfcs.create(
          body({ requestedStartTime: '2027-01-04T00:00:00.000Z' }),
          user('ana'),
        ),
      ).resolves.toMatchObject({ status: 'PendingApproval' });
      await expect(
        world.rfcs.create(
          body({ requestedStartTime: '2026-12-19T23:00:00.000Z' }),
          user('ana'),
        ),
      ).resolves.toMatchObject({ status: 'PendingApproval' });
      await expect(
        world.rfcs.create(body({ targetEntityRef: STOREFRONT }), user('wei')),
      ).resolves.toMatchObject({ status: 'PendingApproval' });
      // Pre-approved changes are scheduled on submission.
      await expect(
        world.rfcs.create(
          body({
            changeTypeId: 'cache-flush',
            requestedStartTime: '2027-01-05T10:00:00.000Z',
          }),
          user('ana'),
        ),
      ).resolves.toMatchObject({ status: 'Scheduled' });
      expect(await rfcCount()).toBe(4);
    });

    it("accepts an emergency only for an open P1 or P2 incident of the target's team", async () => {
      const emergency = (incidentId: string, name = 'ana') =>
        world.rfcs.create(
          body({ requestedStartTime: 'now', emergency: { incidentId } }),
          user(name),
        );
      const refused = async (promise: Promise<unknown>, message: string) =>
        expect(promise).rejects.toMatchObject({
          name: 'InputError',
          message: expect.stringContaining(message),
        });
      await refused(
        emergency('  '),
        'emergency.incidentId: an emergency change names the open P1 or P2 incident it answers',
      );
      // An emergency change type needs the incident as well.
      await refused(
        world.rfcs.create(
          body({ changeTypeId: 'db-failover', requestedStartTime: 'now' }),
          user('ana'),
        ),
        'emergency.incidentId: an emergency change names',
      );
      await refused(
        emergency('INC-12'),
        'emergency.incidentId: "INC-12" is not an incident id',
      );
      await refused(
        emergency('INC-000099'),
        'emergency.incidentId: INC-000099 does not exist',
      );
      await refused(
        emergency('INC-000002'),
        'emergency.incidentId: INC-000002 is resolved; an emergency answers an open incident',
      );
      await refused(
        emergency('INC-000003'),
        'emergency.incidentId: INC-000003 is P3; an emergency answers a P1 or P2 incident',
      );
      // Another team's incident is as absent as one that does not exist...
      await refused(
        emergency('INC-000004'),
        'emergency.incidentId: INC-000004 does not exist',
      );
      // ...and for Central IT, who sees it, it is about something else.
      await refused(
        emergency('INC-000004', 'omar'),
        `emergency.incidentId: INC-000004 concerns ${STOREFRONT} of ${WEB}, not an entity of ${PAYMENTS}`,
      );
      expect(await rfcCount()).toBe(0);

      const created = await emergency('INC-000001');
      expect(created).toMatchObject({
        changeClass: 'emergency',
        emergencyIncidentId: 'INC-000001',
        status: 'PendingApproval',
        // One approval from the other side.
        approverGroup: CENTRAL_IT,
        requestedStartTime: NOW,
      });
      // A P2 of the team's stack will do, for a change type that is always
      // an emergency.
      await expect(
        world.rfcs.create(
          body({
            changeTypeId: 'db-failover',
            requestedStartTime: 'now',
            emergency: { incidentId: 'INC-000005' },
          }),
          user('priya'),
        ),
      ).resolves.toMatchObject({
        changeClass: 'emergency',
        emergencyIncidentId: 'INC-000005',
      });
    });

    it('starts only an emergency "now"', async () => {
      await expect(
        world.rfcs.create(body({ requestedStartTime: 'now' }), user('ana')),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'requestedStartTime: "now" is for emergency changes',
        ),
      });
      expect(await rfcCount()).toBe(0);
      const emergency = await world.rfcs.create(
        body({
          requestedStartTime: 'now',
          emergency: { incidentId: 'INC-000001' },
        }),
        user('ana'),
      );
      expect(emergency.requestedStartTime).toBe(NOW);
      expect(emergency.changeClass).toBe('emergency');
      // "now" is read when the RFC is created.
      world.clock.advance(60_000);
      const later = await world.rfcs.create(
        body({
          requestedStartTime: 'now',
          emergency: { incidentId: 'INC-000001' },
        }),
        user('ana'),
      );
      expect(later.requestedStartTime).toBe('2026-12-01T08:01:00.000Z');
    });

    it('lets an emergency override a freeze when it says why, and records the override', async () => {
      world.clock.set('2026-12-22T09:00:00.000Z');
      const emergency = (reason?: string, submit = true) =>
        world.rfcs.create(
          body({
            requestedStartTime: 'now',
            submit,
            emergency: {
              incidentId: 'INC-000001',
              ...(reason ? { freezeOverrideReason: reason } : {}),
            },
          }),
          user('ana'),
        );
      await expect(emergency()).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining(
          `the freeze "Year-end freeze" (${freeze.id}) covers ${PAYMENTS_API}`,
        ),
      });
      await expect(emergency()).rejects.toMatchObject({
        message: expect.stringContaining(
          'An emergency may override it: say why in freezeOverrideReason',
        ),
      });
      expect(await rfcCount()).toBe(0);

      const created = await emergency('  Payments fail for every customer  ');
      const override = {
        reason: 'Payments fail for every customer',
        freezeIds: [freeze.id],
        by: 'user:default/ana',
        at: '2026-12-22T09:00:00.000Z',
      };
      expect(created).toMatchObject({
        status: 'PendingApproval',
        freezeOverride: override,
      });
      expect(
        (await world.rfcs.get(created.id, user('omar'))).freezeOverride,
      ).toEqual(override);
      // The history says so, and the audit log holds it with the submission.
      expect(
        (await world.rfcs.events(created.id, user('ana'))).pop(),
      ).toMatchObject({
        action: 'submit',
        comment: `overrides ${freeze.id}: Payments fail for every customer`,
      });
      const chain = await world.audit.subjectChain(rfcAuditSubject(created.id));
      expect(chain.verification).toMatchObject({ ok: true });
      const submitted = chain.items.find(e => e.action === 'submit');
      expect((submitted?.after as Rfc).freezeOverride).toEqual(override);

      // A draft keeps the reason; submitting it names the freezes.
      const draft = await emergency('The database is corrupt', false);
      expect(draft.freezeOverride).toMatchObject({
        reason: 'The database is corrupt',
        freezeIds: [],
      });
      world.clock.advance(60_000);
      const overriding = await world.rfcs.act(
        draft.id,
        { action: 'submit', version: 1 },
        user('ana'),
      );
      expect(overriding.freezeOverride).toEqual({
        reason: 'The database is corrupt',
        freezeIds: [freeze.id],
        by: 'user:default/ana',
        at: '2026-12-22T09:01:00.000Z',
      });
      const events = await world.rfcs.events(draft.id, user('ana'));
      expect(events.pop()).toMatchObject({
        action: 'submit',
        comment: `overrides ${freeze.id}: The database is corrupt`,
      });
      const audited = (
        await world.audit.subjectChain(rfcAuditSubject(draft.id))
      ).items.pop();
      expect(audited).toMatchObject({ action: 'submit' });
      expect((audited?.after as Rfc).freezeOverride?.freezeIds).toEqual([
        freeze.id,
      ]);

      // Outside any freeze, nothing is overridden, and nothing recorded.
      world.clock.set('2027-01-05T09:00:00.000Z');
      const free = await emergency('just in case');
      expect(free.freezeOverride).toBeUndefined();
      // The conflicts say which freeze the emergency overrides.
      const conflicts = await world.schedule.conflicts(
        created.id,
        await world.rfcs.get(created.id, user('omar')),
        user('omar'),
      );
      expect(conflicts.freezes).toEqual([
        expect.objectContaining({ freezeId: freeze.id, overridden: true }),
      ]);
    });

    it('records the review of an executed emergency once, on time or late', async () => {
      const ana = user('ana');
      const emergency = await world.rfcs.create(
        body({
          requestedStartTime: 'now',
          emergency: { incidentId: 'INC-000001' },
        }),
        ana,
      );
      const review = (rfc: Rfc, who = ana, overrides: object = {}) =>
        world.rfcs.act(
          rfc.id,
          {
            action: 'review',
            version: rfc.version,
            whatHappened: 'Connections leaked after the driver upgrade',
            rootCause: 'PRB-000012',
            followUp: 'Pin the driver; alert on connection count',
            ...overrides,
          },
          who,
        );
      const notEnded = expect.objectContaining({
        name: 'ConflictError',
        message: expect.stringContaining('cannot review an RFC in status'),
      });
      await expect(review(emergency)).rejects.toEqual(notEnded);
      const approved = await world.rfcs.act(
        emergency.id,
        { action: 'approve', version: emergency.version },
        user('omar'),
      );
      await expect(review(approved)).rejects.toEqual(notEnded);
      const started = await world.rfcs.act(
        emergency.id,
        { action: 'start', version: approved.version },
        user('lena'),
      );
      await expect(review(started)).rejects.toEqual(notEnded);
      world.clock.advance(3_600_000);
      const done = await world.rfcs.act(
        emergency.id,
        { action: 'complete', version: started.version, outcome: 'Success' },
        user('lena'),
      );
      expect(done).toMatchObject({
        status: 'Success',
        reviewDueAt: '2026-12-06T09:00:00.000Z',
      });
      expect(done.review).toBeUndefined();

      await expect(
        review(done, ana, { rootCause: 'the driver' }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('rootCause: "the driver" is not'),
      });
      await expect(
        review(done, ana, { whatHappened: ' ' }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('whatHappened: is required'),
      });
      // Another team does not see it at all.
      await expect(review(done, user('wei'))).rejects.toMatchObject({
        name: 'NotFoundError',
      });

      world.clock.set('2026-12-06T09:00:00.000Z');
      const reviewed = await review(done);
      expect(reviewed).toMatchObject({
        status: 'Success',
        version: done.version + 1,
        review: {
          whatHappened: 'Connections leaked after the driver upgrade',
          rootCause: 'PRB-000012',
          followUp: 'Pin the driver; alert on connection count',
          reviewedBy: 'user:default/ana',
          reviewedAt: '2026-12-06T09:00:00.000Z',
          onTime: true,
        },
      });
      expect((await world.rfcs.events(emergency.id, ana)).pop()).toMatchObject({
        action: 'review',
        comment: 'post-implementation review written',
      });
      await expect(review(reviewed, user('omar'))).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('its review was written already'),
      });

      // Late: after its due date. Central IT may write it.
      world.clock.set('2026-12-01T08:00:00.000Z');
      const second = await world.rfcs.create(
        body({
          requestedStartTime: 'now',
          emergency: { incidentId: 'INC-000001' },
        }),
        ana,
      );
      let rfc = await world.rfcs.act(
        second.id,
        { action: 'approve', version: 1 },
        user('omar'),
      );
      rfc = await world.rfcs.act(
        second.id,
        { action: 'start', version: rfc.version },
        user('lena'),
      );
      rfc = await world.rfcs.act(
        second.id,
        { action: 'complete', version: rfc.version, outcome: 'Failure' },
        user('lena'),
      );
      expect(rfc.reviewDueAt).toBe('2026-12-06T08:00:00.000Z');
      world.clock.set('2026-12-06T08:00:01.000Z');
      const late = await review(rfc, user('omar'), {
        rootCause: 'https://wiki.test/postmortems/42',
      });
      expect(late).toMatchObject({
        status: 'Failure',
        review: { onTime: false, reviewedBy: 'user:default/omar' },
      });
      expect((await world.rfcs.events(second.id, ana)).pop()).toMatchObject({
        comment:
          'post-implementation review written after its due date 2026-12-06T08:00:00.000Z',
      });

      // A normal change has no review.
      world.clock.set('2026-12-01T08:00:00.000Z');
      const normal = await world.rfcs.create(
        body({ requestedStartTime: '2026-12-02T10:00:00.000Z' }),
        ana,
      );
      rfc = await world.rfcs.act(
        normal.id,
        { action: 'approve', version: 1 },
        user('omar'),
      );
      world.clock.set('2026-12-02T10:00:00.000Z');
      rfc = await world.rfcs.act(
        normal.id,
        { action: 'start', version: rfc.version },
        user('lena'),
      );
      rfc = await world.rfcs.act(
        normal.id,
        { action: 'complete', version: rfc.version, outcome: 'Success' },
        user('lena'),
      );
      expect(rfc.reviewDueAt).toBeUndefined();
      await expect(review(rfc)).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining(
          'only emergency changes have a post-implementation review',
        ),
      });
    });

    it('lists the scheduled changes that overlap an RFC on its target and its stacks', async () => {
      const seed = (overrides: Partial<NewRfc>) =>
        world.rfcStore.create(newRfc(overrides), []);
      const at = (start: string, overrides: Partial<NewRfc> = {}) =>
        seed({
          requestedStartTime: `2026-12-08T${start}:00.000Z`,
          ...overrides,
        });
      const subject = await at('10:00', { status: 'PendingApproval' });
      const sameTarget = await at('10:15', { title: 'Rotate credentials' });
      const onStack = await at('09:45', {
        targetEntityRef: PAYMENTS_DB,
        status: 'InProgress',
        title: 'Resize the database',
      });
      // After it, on another target, or no longer going to happen.
      await at('10:30');
      await at('10:00', { targetEntityRef: STOREFRONT, ownerGroup: WEB });
      await at('10:00', { status: 'Canceled' });
      await at('10:00', { status: 'PendingApproval' });

      const conflicts = await world.schedule.conflicts(
        subject.id,
        subject,
        user('ana'),
      );
      expect(conflicts).toEqual({
        window: {
          start: '2026-12-08T10:00:00.000Z',
          end: '2026-12-08T10:30:00.000Z',
        },
        freezes: [],
        overlapping: [
          {
            id: onStack.id,
            title: 'Resize the database',
            status: 'InProgress',
            targetEntityRef: PAYMENTS_DB,
            start: '2026-12-08T09:45:00.000Z',
            end: '2026-12-08T10:15:00.000Z',
          },
          {
            id: sameTarget.id,
            title: 'Rotate credentials',
            status: 'Scheduled',
            targetEntityRef: PAYMENTS_API,
            start: '2026-12-08T10:15:00.000Z',
            end: '2026-12-08T10:45:00.000Z',
          },
        ],
      });
      // For a change of the stack, the component's changes overlap too.
      const ofStack = await at('10:00', { targetEntityRef: PAYMENTS_DB });
      expect(
        (
          await world.schedule.conflicts(ofStack.id, ofStack, user('ana'))
        ).overlapping.map(o => o.id),
      ).toEqual([onStack.id, sameTarget.id]);

      // In the freeze, the freeze is listed, not overridden.
      const frozen = await seed({
        requestedStartTime: '2026-12-21T10:00:00.000Z',
      });
      expect(
        (await world.schedule.conflicts(frozen.id, frozen, user('ana')))
          .freezes,
      ).toEqual([
        {
          freezeId: freeze.id,
          name: 'Year-end freeze',
          reason: 'Peak trading: no changes to the shop',
          side: 'central-it',
          start: '2026-12-20T00:00:00.000Z',
          end: '2027-01-04T00:00:00.000Z',
          overridden: false,
        },
      ]);
    });

    it("lists only the freezes that hold an RFC: not a team's for Central IT's critical security updates", async () => {
      const team = await world.freezes.declare(
        freezeBody({
          name: 'Payments launch',
          start: '2026-12-10T00:00',
          end: '2026-12-11T00:00',
          scope: { type: 'owner', ref: PAYMENTS },
        }),
        user('ana'),
      );
      const seed = (overrides: Partial<NewRfc>) =>
        world.rfcStore.create(
          newRfc({
            changeTypeId: 'security-patch',
            criticalSecurityUpdate: true,
            ...overrides,
          }),
          [],
        );
      const frozenBy = async (rfc: Rfc) =>
        (await world.schedule.conflicts(rfc.id, rfc, user('omar'))).freezes.map(
          f => f.freezeId,
        );
      const central = await seed({
        origin: 'central-it',
        requester: 'user:default/lena',
        requestedStartTime: '2026-12-10T10:00:00.000Z',
      });
      expect(await frozenBy(central)).toEqual([]);
      // The team's own request of it is held, as is Central IT's in
      // Central IT's freeze.
      const own = await seed({
        requestedStartTime: '2026-12-10T10:00:00.000Z',
      });
      expect(await frozenBy(own)).toEqual([team.id]);
      const inYearEnd = await seed({
        origin: 'central-it',
        requester: 'user:default/lena',
        requestedStartTime: '2026-12-21T10:00:00.000Z',
      });
      expect(await frozenBy(inYearEnd)).toEqual([freeze.id]);
      // The calendar marks them the same way.
      const view = await world.schedule.calendar(
        { from: '2026-12-09T00:00:00.000Z', to: '2026-12-12T00:00:00.000Z' },
        user('omar'),
      );
      const marks = Object.fromEntries(view.rfcs.map(r => [r.id, r.frozenBy]));
      expect(marks[central.id]).toEqual([]);
      expect(marks[own.id]).toEqual([team.id]);
    });

    it('says whether a change that must run in the maintenance window lies inside it', async () => {
      await world.snapshots.saveReads([
        {
          entityRef: PAYMENTS_DB,
          kind: 'settings',
          source: 'sandbox',
          at: NOW,
          ok: true,
          payload: {
            maintenanceWindow: {
              id: 'mw-0123',
              name: 'payments-db patching',
              schedule: 'cron(0 3 ? * TUE#2 *)',
              window: {
                week: 2,
                weekday: 'TUE',
                startTime: '03:00',
                durationHours: 1,
              },
              enabled: true,
            },
            rejectedUpdates: [],
            backupPlan: null,
            drift: [],
          },
        },
      ]);
      const patch = (start: string, target = PAYMENTS_DB) =>
        world.rfcs.create(
          body({
            changeTypeId: 'db-patch',
            targetEntityRef: target,
            requestedStartTime: start,
          }),
          user('ana'),
        );
      const fit = async (rfc: Rfc) =>
        (await world.schedule.conflicts(rfc.id, rfc, user('ana')))
          .maintenanceWindow;

      // 8 December 2026 is the second Tuesday.
      const inside = await patch('2026-12-08T03:00:00.000Z');
      expect(inside.needsMaintenanceWindow).toBe(true);
      expect(await fit(inside)).toEqual({
        known: true,
        inside: true,
        schedule: 'cron(0 3 ? * TUE#2 *)',
        next: {
          start: '2026-12-08T03:00:00.000Z',
          end: '2026-12-08T04:00:00.000Z',
        },
      });
      // Runs past the window's end: the next window is January's.
      expect(await fit(await patch('2026-12-08T03:45:00.000Z'))).toEqual({
        known: true,
        inside: false,
        schedule: 'cron(0 3 ? * TUE#2 *)',
        next: {
          start: '2027-01-12T03:00:00.000Z',
          end: '2027-01-12T04:00:00.000Z',
        },
      });
      expect(await fit(await patch('2026-12-03T03:00:00.000Z'))).toMatchObject({
        inside: false,
        next: { start: '2026-12-08T03:00:00.000Z' },
      });
      // Without a window in force it cannot be inside one.
      expect(
        await fit(await patch('2026-12-08T03:00:00.000Z', PAYMENTS_API)),
      ).toEqual({ known: false, inside: false });
      // Change types that need no window say nothing about it.
      const restart = await world.rfcs.create(
        body({
          targetEntityRef: PAYMENTS_DB,
          requestedStartTime: '2026-12-08T03:00:00.000Z',
        }),
        user('ana'),
      );
      const conflicts = await world.schedule.conflicts(
        restart.id,
        restart,
        user('ana'),
      );
      expect(conflicts).not.toHaveProperty('maintenanceWindow');
    });
  },
);
