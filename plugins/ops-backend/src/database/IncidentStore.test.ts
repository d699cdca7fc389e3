import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  DatabaseIncidentStore,
  type NewIncident,
  type RecurrencePolicy,
} from './IncidentStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const API = 'component:default/payments-api';
const WEB = 'component:default/storefront';
const CPU_ARN = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-cpu';
const DISK_ARN = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-disk';

const at = (day: number, hour = 0) =>
  new Date(Date.UTC(2026, 2, day, hour)).toISOString();

const newIncident = (overrides: Partial<NewIncident> = {}): NewIncident => ({
  entityRef: API,
  ownerGroup: 'group:default/payments',
  alarmArn: CPU_ARN,
  alarmName: 'api-cpu',
  reason: 'Threshold crossed: 95 > 80',
  priority: 'P2',
  priorityRule: 'cpu',
  consoleUrl: 'https://console.aws.amazon.com/cloudwatch/home#alarm',
  openedAt: at(1),
  ...overrides,
});

// No problem unless stated otherwise.
const noRecurrence: RecurrencePolicy = {
  threshold: 1000,
  since: at(1),
  title: 'unused',
};

const recurrence = (since: string): RecurrencePolicy => ({
  threshold: 3,
  since,
  title: 'Recurring alarm api-cpu',
});

const resolveBySystem = (resolvedAt: string) => ({
  resolvedAt,
  resolvedBy: 'system',
  resolution: 'alarm-cleared' as const,
});

describe.each(databases.eachSupportedId())(
  'DatabaseIncidentStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseIncidentStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseIncidentStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    beforeEach(async () => {
      await knex('ops_incidents').delete();
      await knex('ops_problems').delete();
    });

    it('has a migration that goes down and up again', async () => {
      const fresh = await databases.init(databaseId);
      const directory = resolvePackagePath(
        '@cloud-ops/plugin-ops-backend',
        'migrations',
      );
      await fresh.migrate.latest({ directory });
      const name = '20261122000200_incidents.js';
      await fresh.migrate.down({ directory, name });
      expect(await fresh.schema.hasTable('ops_incidents')).toBe(false);
      expect(await fresh.schema.hasTable('ops_problems')).toBe(false);
      await fresh.migrate.up({ directory, name });
      expect(await fresh.schema.hasTable('ops_incidents')).toBe(true);
      await fresh.destroy();
    });

    it('opens an incident with a readable id and reads it back', async () => {
      const opened = await store.openIncident(newIncident(), noRecurrence);
      expect(opened?.openedProblem).toBeUndefined();
      const incident = opened!.incident;
      expect(incident.id).toMatch(/^INC-\d{6}$/);
      expect(incident).toEqual({
        id: incident.id,
        entityRef: API,
        ownerGroup: 'group:default/payments',
        alarmArn: CPU_ARN,
        alarmName: 'api-cpu',
        reason: 'Threshold crossed: 95 > 80',
        priority: 'P2',
        priorityRule: 'cpu',
        status: 'Open',
        openedAt: at(1),
        consoleUrl: 'https://console.aws.amazon.com/cloudwatch/home#alarm',
      });
      expect(await store.getIncident(incident.id)).toEqual(incident);
      expect(await store.getIncident('INC-999999')).toBeUndefined();
      expect(await store.getIncident('nonsense')).toBeUndefined();
      expect(await store.listOpenIncidents([API, WEB])).toEqual([incident]);
    });

    it('keeps one open incident per alarm, also for concurrent writers', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          store.openIncident(
            newIncident({ reason: `attempt ${i}` }),
            noRecurrence,
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const [{ n }] = await knex('ops_incidents').count({ n: '*' });
      expect(Number(n)).toBe(1);

      // Another alarm of the same entity, and the same alarm on another entity, are separate.
      expect(
        await store.openIncident(
          newIncident({ alarmArn: DISK_ARN }),
          noRecurrence,
        ),
      ).toBeDefined();
      expect(
        await store.openIncident(newIncident({ entityRef: WEB }), noRecurrence),
      ).toBeDefined();

      // Once resolved, the alarm may open the next one.
      const [open] = await store
        .listOpenIncidents([API])
        .then(list => list.filter(i => i.alarmArn === CPU_ARN));
      await store.resolveIncident(open.id, resolveBySystem(at(2)));
      expect(
        await store.openIncident(
          newIncident({ openedAt: at(3) }),
          noRecurrence,
        ),
      ).toBeDefined();
    });

    it('does not open a second incident for the same ALARM episode', async () => {
      const first = await store.openIncident(
        newIncident({ alarmStateSince: at(1), openedAt: at(1, 1) }),
        noRecurrence,
      );
      await store.resolveIncident(first!.incident.id, {
        resolvedAt: at(1, 2),
        resolvedBy: 'user:default/ana',
        resolution: 'manual',
        notes: 'Restarted',
      });
      // Still in ALARM since the same moment: covered by the first incident.
      expect(
        await store.openIncident(
          newIncident({ alarmStateSince: at(1), openedAt: at(1, 3) }),
          noRecurrence,
        ),
      ).toBeUndefined();
      // It entered ALARM again later: a new incident.
      expect(
        await store.openIncident(
          newIncident({ alarmStateSince: at(1, 4), openedAt: at(1, 5) }),
          noRecurrence,
        ),
      ).toBeDefined();
    });

    it('resolves only open incidents', async () => {
      const { incident } = (await store.openIncident(
        newIncident(),
        noRecurrence,
      ))!;
      const resolved = await store.resolveIncident(incident.id, {
        resolvedAt: at(2),
        resolvedBy: 'user:default/ana',
        resolution: 'manual',
        notes: 'Scaled up',
      });
      expect(resolved).toEqual({
        ...incident,
        status: 'Resolved',
        resolvedAt: at(2),
        resolvedBy: 'user:default/ana',
        resolution: 'manual',
        resolutionNotes: 'Scaled up',
      });
      expect(
        await store.resolveIncident(incident.id, resolveBySystem(at(3))),
      ).toBeUndefined();
      expect(await store.getIncident(incident.id)).toEqual(resolved);
      expect(await store.listOpenIncidents([API])).toEqual([]);
    });

    it('opens a problem when an alarm recurs and links later incidents to it', async () => {
      const ids: string[] = [];
      const openAndClear = async (day: number) => {
        const result = await store.openIncident(
          newIncident({ openedAt: at(day) }),
          recurrence(at(day - 6)),
        );
        ids.push(result!.incident.id);
        await store.resolveIncident(
          result!.incident.id,
          resolveBySystem(at(day, 1)),
        );
        return result!;
      };
      // Day 1 falls out of the window of day 10; days 5 and 8 do not.
      expect((await openAndClear(1)).openedProblem).toBeUndefined();
      expect((await openAndClear(5)).openedProblem).toBeUndefined();
      expect((await openAndClear(8)).openedProblem).toBeUndefined();
      const third = await openAndClear(10);
      const problem = third.openedProblem!;
      expect(problem).toEqual({
        id: expect.stringMatching(/^PRB-\d{6}$/),
        entityRef: API,
        ownerGroup: 'group:default/payments',
        alarmArn: CPU_ARN,
        alarmName: 'api-cpu',
        title: 'Recurring alarm api-cpu',
        status: 'Open',
        incidentIds: [ids[1], ids[2], ids[3]],
        openedAt: at(10),
        updatedAt: at(10),
        version: 1,
      });
      expect(third.incident.problemId).toBe(problem.id);
      expect(await store.getProblem(problem.id)).toEqual(problem);
      expect((await store.getIncident(ids[0]))!.problemId).toBeUndefined();

      // The next incident joins the open problem instead of opening another.
      const fourth = await openAndClear(11);
      expect(fourth.openedProblem).toBeUndefined();
      expect(fourth.incident.problemId).toBe(problem.id);
      expect((await store.getProblem(problem.id))!.incidentIds).toEqual(
        ids.slice(1),
      );
      const [{ n }] = await knex('ops_problems').count({ n: '*' });
      expect(Number(n)).toBe(1);

      // Once resolved, its incidents no longer count towards a new one.
      await store.updateProblem(problem.id, 1, {
        status: 'Resolved',
        rootCause: 'Undersized',
        remediation: 'Resized',
        updatedAt: at(12),
        resolvedAt: at(12),
      });
      expect((await openAndClear(12)).openedProblem).toBeUndefined();
      expect((await openAndClear(13)).openedProblem).toBeUndefined();
      const next = (await openAndClear(14)).openedProblem;
      expect(next?.id).not.toBe(problem.id);
      expect(next?.incidentIds).toEqual(ids.slice(-3));
    });

    it('updates a problem only at the expected version and while unresolved', async () => {
      for (const day of [1, 2, 3]) {
        const r = await store.openIncident(
          newIncident({ openedAt: at(day) }),
          recurrence(at(1)),
        );
        if (r!.openedProblem) break;
        await store.resolveIncident(r!.incident.id, resolveBySystem(at(day)));
      }
      const [problem] = await store.listProblems({});
      const updated = await store.updateProblem(problem.id, 1, {
        status: 'RootCauseIdentified',
        rootCause: 'Connection leak',
        updatedAt: at(4),
      });
      expect(updated).toEqual({
        ...problem,
        status: 'RootCauseIdentified',
        rootCause: 'Connection leak',
        updatedAt: at(4),
        version: 2,
      });
      await expect(
        store.updateProblem(problem.id, 1, { updatedAt: at(5) }),
      ).rejects.toThrow(ConflictError);
      await store.updateProblem(problem.id, 2, {
        status: 'Resolved',
        remediation: 'Pool limits',
        updatedAt: at(5),
        resolvedAt: at(5),
      });
      await expect(
        store.updateProblem(problem.id, 3, { updatedAt: at(6) }),
      ).rejects.toThrow(ConflictError);
      expect(await store.getProblem(problem.id)).toMatchObject({
        status: 'Resolved',
        resolvedAt: at(5),
        version: 3,
      });
    });

    it('lists and filters incidents, newest first, with a total count', async () => {
      const a = await store.openIncident(
        newIncident({ openedAt: at(1), priority: 'P1' }),
        noRecurrence,
      );
      await store.resolveIncident(a!.incident.id, resolveBySystem(at(2)));
      await store.openIncident(
        newIncident({ openedAt: at(3), alarmArn: DISK_ARN, priority: 'P3' }),
        noRecurrence,
      );
      await store.openIncident(
        newIncident({
          openedAt: at(2),
          entityRef: WEB,
          ownerGroup: 'group:default/web',
        }),
        noRecurrence,
      );

      const all = await store.listIncidents({ limit: 50, offset: 0 });
      expect(all.totalCount).toBe(3);
      expect(all.items.map(i => i.openedAt)).toEqual([at(3), at(2), at(1)]);

      const page = await store.listIncidents({ limit: 1, offset: 1 });
      expect(page).toEqual({ items: [all.items[1]], totalCount: 3 });

      const payments = await store.listIncidents({
        ownerGroup: 'group:default/payments',
        status: 'Open',
        limit: 50,
        offset: 0,
      });
      expect(payments.items.map(i => i.alarmArn)).toEqual([DISK_ARN]);
      expect(
        (
          await store.listIncidents({
            entityRef: API,
            priority: 'P1',
            limit: 50,
            offset: 0,
          })
        ).items.map(i => i.id),
      ).toEqual([a!.incident.id]);
    });

    it('lists an entity history with open incidents first', async () => {
      const old = await store.openIncident(
        newIncident({ openedAt: at(1), alarmArn: DISK_ARN }),
        noRecurrence,
      );
      const newer = await store.openIncident(
        newIncident({ openedAt: at(5) }),
        noRecurrence,
      );
      await store.resolveIncident(newer!.incident.id, resolveBySystem(at(6)));
      const newest = await store.openIncident(
        newIncident({ openedAt: at(7) }),
        noRecurrence,
      );
      await store.openIncident(
        newIncident({ entityRef: WEB, openedAt: at(8) }),
        noRecurrence,
      );

      const history = await store.listEntityIncidents(API, 20);
      expect(history.map(i => i.id)).toEqual([
        newest!.incident.id,
        old!.incident.id,
        newer!.incident.id,
      ]);
      expect((await store.listEntityIncidents(API, 2)).map(i => i.id)).toEqual([
        newest!.incident.id,
        old!.incident.id,
      ]);
    });

    it('gathers a team period for reports', async () => {
      // Opened before the period, resolved in it.
      const before = await store.openIncident(
        newIncident({ openedAt: at(1) }),
        noRecurrence,
      );
      await store.resolveIncident(before!.incident.id, resolveBySystem(at(3)));
      // Opened in the period, still open, and opening a problem.
      const during = await store.openIncident(
        newIncident({ openedAt: at(4), alarmArn: DISK_ARN }),
        { threshold: 1, since: at(1), title: 'Recurring alarm api-disk' },
      );
      expect(during!.openedProblem).toBeDefined();
      // Another team.
      await store.openIncident(
        newIncident({
          entityRef: WEB,
          ownerGroup: 'group:default/web',
          openedAt: at(4),
        }),
        noRecurrence,
      );
      // Opened exactly at the end: outside [from, to).
      await store.openIncident(
        newIncident({ entityRef: WEB, alarmArn: DISK_ARN, openedAt: at(10) }),
        noRecurrence,
      );

      const report = await store.listForReport(
        'group:default/payments',
        at(2),
        at(10),
      );
      expect(report.opened.map(i => i.id)).toEqual([during!.incident.id]);
      expect(report.resolved.map(i => i.id)).toEqual([before!.incident.id]);
      expect(report.problemsOpened).toBe(1);
      expect(
        (await store.listForReport('group:default/payments', at(5), at(10)))
          .problemsOpened,
      ).toBe(0);
    });
  },
);
