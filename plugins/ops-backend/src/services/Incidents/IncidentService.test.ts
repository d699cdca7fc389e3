import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { AlarmSummary } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseIncidentStore } from '../../database/IncidentStore';
import type {
  OpsNotification,
  OpsNotifier,
} from '../Notifications/OpsNotifier';
import { DEFAULT_INCIDENT_SETTINGS, type IncidentSettings } from './config';
import { IncidentService } from './IncidentService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const API = 'component:default/payments-api';
const LEDGER = 'component:default/payments-ledger';
const ORPHAN = 'component:default/orphan';
const GONE = 'component:default/gone';
const PAYMENTS = 'group:default/payments';
const CENTRAL_IT = 'group:default/central-it';

const component = (
  name: string,
  spec: Record<string, string | undefined>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', ...spec },
});

const entities = [
  component('payments-api', { owner: 'payments', lifecycle: 'production' }),
  component('payments-ledger', {
    owner: 'group:default/payments',
    lifecycle: 'experimental',
  }),
  component('orphan', { lifecycle: 'production' }),
];

const alarm = (
  name: string,
  state: AlarmSummary['state'],
  overrides: Partial<AlarmSummary> = {},
): AlarmSummary => ({
  name,
  arn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`,
  state,
  reason: `${name} is ${state}`,
  metric: { namespace: 'AWS/EC2', name: 'CPUUtilization' },
  consoleUrl: `https://console.aws.amazon.com/cloudwatch/${name}`,
  ...overrides,
});

const rdsAlarm = (state: AlarmSummary['state']) =>
  alarm('db-storage', state, {
    metric: { namespace: 'AWS/RDS', name: 'FreeStorageSpace' },
  });

class FakeNotifier implements OpsNotifier {
  readonly sent: OpsNotification[] = [];
  async notify(notification: OpsNotification) {
    this.sent.push(notification);
  }
  async notifyOnce(_key: string, notification: OpsNotification) {
    this.sent.push(notification);
    return true;
  }
}

const settings: IncidentSettings = {
  ...DEFAULT_INCIDENT_SETTINGS,
  priorityRules: [
    {
      name: 'production-databases',
      priority: 'P1',
      metricNamespace: 'AWS/RDS',
      lifecycle: 'production',
    },
    { name: 'experimental', priority: 'P4', lifecycle: 'experimental' },
  ],
};

const ana = mockCredentials.user('user:default/ana');
/** Central IT reads every team's incidents. */
const omar = mockCredentials.user('user:default/omar');
const GROUPS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/omar': ['group:default/central-it'],
  'user:default/wei': ['group:default/web'],
};
const userInfo = {
  getUserInfo: async (credentials: any) => {
    const ref = credentials.principal.userEntityRef as string;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
    };
  },
};

describe.each(databases.eachSupportedId())(
  'IncidentService on %s',
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

    function setup(
      options: {
        settings?: Partial<IncidentSettings>;
        deny?: boolean;
      } = {},
    ) {
      let now = new Date('2026-03-01T08:00:00.000Z');
      const catalog = catalogServiceMock({ entities });
      jest.spyOn(catalog, 'getEntitiesByRefs');
      const notifier = new FakeNotifier();
      const service = new IncidentService({
        store,
        settings: { ...settings, ...options.settings },
        catalog,
        auth: mockServices.auth(),
        permissions: mockServices.permissions({
          result: options.deny ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        }),
        userInfo,
        notifier,
        logger: mockServices.logger.mock(),
        now: () => now,
      });
      return {
        service,
        catalog,
        notifier,
        advance(minutes: number) {
          now = new Date(now.getTime() + minutes * 60_000);
          return now.toISOString();
        },
        now: () => now.toISOString(),
      };
    }

    it('opens an incident for an alarm in ALARM, with priority, owner and notifications', async () => {
      const { service, catalog, notifier, now } = setup();
      await service.onAlarmsRead([
        {
          entityRef: API,
          alarms: [rdsAlarm('ALARM'), alarm('api-cpu', 'OK')],
        },
        { entityRef: LEDGER, alarms: [alarm('ledger-cpu', 'ALARM')] },
      ]);

      const [incident] = await service.listEntityIncidents(API, 10, omar);
      expect(incident).toEqual({
        id: expect.stringMatching(/^INC-\d{6}$/),
        entityRef: API,
        ownerGroup: PAYMENTS,
        alarmArn: rdsAlarm('ALARM').arn,
        alarmName: 'db-storage',
        reason: 'db-storage is ALARM',
        priority: 'P1',
        priorityRule: 'production-databases',
        status: 'Open',
        openedAt: now(),
        consoleUrl: 'https://console.aws.amazon.com/cloudwatch/db-storage',
      });
      const [ledger] = await service.listEntityIncidents(LEDGER, 10, omar);
      expect(ledger).toMatchObject({
        priority: 'P4',
        priorityRule: 'experimental',
        ownerGroup: PAYMENTS,
      });

      // One catalog call for the whole read, with the plugin's own credentials.
      expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(1);
      expect(catalog.getEntitiesByRefs).toHaveBeenCalledWith(
        expect.objectContaining({ entityRefs: [API, LEDGER] }),
        {
          credentials: expect.objectContaining({
            principal: expect.objectContaining({ type: 'service' }),
          }),
        },
      );

      expect(notifier.sent).toEqual([
        {
          recipients: [PAYMENTS, CENTRAL_IT],
          topic: 'incident-opened',
          title: `P1 incident ${incident.id}: db-storage`,
          description: `db-storage on ${API} is in ALARM: db-storage is ALARM`,
          link: `/ops/incidents/${incident.id}`,
          severity: 'high',
        },
        expect.objectContaining({
          recipients: [PAYMENTS, CENTRAL_IT],
          topic: 'incident-opened',
          link: `/ops/incidents/${ledger.id}`,
          severity: 'normal',
        }),
      ]);
    });

    it('opens nothing more on repeated reads and skips the catalog when nothing fires anew', async () => {
      const { service, catalog, notifier, advance } = setup();
      const read = [{ entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] }];
      await service.onAlarmsRead(read);
      advance(1);
      await service.onAlarmsRead(read);
      advance(1);
      await service.onAlarmsRead(read);
      expect(await service.listEntityIncidents(API, 10, omar)).toHaveLength(1);
      expect(notifier.sent).toHaveLength(1);
      expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    });

    it('resolves when the alarm is OK or gone, and not on INSUFFICIENT_DATA', async () => {
      const { service, advance } = setup();
      await service.onAlarmsRead([
        {
          entityRef: API,
          alarms: [
            alarm('a', 'ALARM'),
            alarm('b', 'ALARM'),
            alarm('c', 'ALARM'),
          ],
        },
      ]);
      const resolvedAt = advance(1);
      await service.onAlarmsRead([
        {
          entityRef: API,
          alarms: [alarm('a', 'OK'), alarm('c', 'INSUFFICIENT_DATA')],
        },
        // Another entity's read does not touch this one's incidents.
        { entityRef: LEDGER, alarms: [] },
      ]);
      const byName = Object.fromEntries(
        (await service.listEntityIncidents(API, 10, omar)).map(i => [
          i.alarmName,
          i,
        ]),
      );
      expect(byName.a).toMatchObject({
        status: 'Resolved',
        resolvedAt,
        resolvedBy: 'system',
        resolution: 'alarm-cleared',
      });
      expect(byName.b).toMatchObject({
        status: 'Resolved',
        resolution: 'alarm-cleared',
      });
      expect(byName.c).toMatchObject({ status: 'Open' });

      // INSUFFICIENT_DATA does not open one either.
      await service.onAlarmsRead([
        { entityRef: LEDGER, alarms: [alarm('d', 'INSUFFICIENT_DATA')] },
      ]);
      expect(await service.listEntityIncidents(LEDGER, 10, omar)).toEqual([]);
    });

    it('opens one incident when two replicas handle the same read at once', async () => {
      const one = setup();
      const two = setup();
      const read = [
        {
          entityRef: API,
          alarms: [alarm('api-cpu', 'ALARM'), alarm('api-mem', 'ALARM')],
        },
      ];
      await Promise.all([
        one.service.onAlarmsRead(read),
        two.service.onAlarmsRead(read),
      ]);
      const incidents = await one.service.listEntityIncidents(API, 10, omar);
      expect(incidents.map(i => i.alarmName).sort()).toEqual([
        'api-cpu',
        'api-mem',
      ]);
      // Each incident is announced once, by whichever replica opened it.
      expect(
        [...one.notifier.sent, ...two.notifier.sent].map(n => n.link).sort(),
      ).toEqual(incidents.map(i => `/ops/incidents/${i.id}`).sort());
    });

    it('opens a problem when an alarm recurs within the window', async () => {
      const { service, notifier, advance } = setup({
        settings: { recurrenceThreshold: 3, windowHours: 24 },
      });
      const firing = [{ entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] }];
      const clear = [{ entityRef: API, alarms: [alarm('api-cpu', 'OK')] }];
      for (let i = 0; i < 3; i++) {
        await service.onAlarmsRead(firing);
        advance(5);
        await service.onAlarmsRead(clear);
        advance(6 * 60);
      }
      const problems = await service.listProblems({}, omar);
      expect(problems).toHaveLength(1);
      const incidents = await service.listEntityIncidents(API, 10, omar);
      expect(problems[0]).toMatchObject({
        title: `Recurring alarm api-cpu on ${API}`,
        status: 'Open',
        ownerGroup: PAYMENTS,
        incidentIds: incidents.map(i => i.id).reverse(),
      });
      expect(notifier.sent.map(n => n.topic)).toEqual([
        'incident-opened',
        'incident-opened',
        'incident-opened',
        'problem-opened',
      ]);
      expect(notifier.sent[3]).toMatchObject({
        recipients: [PAYMENTS, CENTRAL_IT],
        link: `/ops/problems/${problems[0].id}`,
      });

      // The fourth joins it.
      await service.onAlarmsRead(firing);
      const [latest] = await service.listEntityIncidents(API, 1, omar);
      expect(latest.problemId).toBe(problems[0].id);
      expect(await service.listProblems({}, omar)).toHaveLength(1);
    });

    it('does not open a problem for incidents spread wider than the window', async () => {
      const { service, advance } = setup({
        settings: { recurrenceThreshold: 3, windowHours: 24 },
      });
      for (let i = 0; i < 4; i++) {
        await service.onAlarmsRead([
          { entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] },
        ]);
        advance(5);
        await service.onAlarmsRead([
          { entityRef: API, alarms: [alarm('api-cpu', 'OK')] },
        ]);
        advance(13 * 60);
      }
      expect(await service.listEntityIncidents(API, 10, omar)).toHaveLength(4);
      expect(await service.listProblems({}, omar)).toEqual([]);
    });

    it('falls back to Central IT for entities without an owner and skips unknown entities', async () => {
      const { service } = setup();
      await service.onAlarmsRead([
        { entityRef: ORPHAN, alarms: [alarm('x', 'ALARM')] },
        { entityRef: GONE, alarms: [alarm('y', 'ALARM')] },
      ]);
      expect(await service.listEntityIncidents(ORPHAN, 10, omar)).toEqual([
        expect.objectContaining({ ownerGroup: CENTRAL_IT, priority: 'P3' }),
      ]);
      expect(await service.listEntityIncidents(GONE, 10, omar)).toEqual([]);
    });

    it('does not reopen an incident resolved by hand while its alarm stays in ALARM', async () => {
      const { service, advance } = setup();
      const since = '2026-03-01T07:55:00.000Z';
      const firing = [
        {
          entityRef: API,
          alarms: [alarm('api-cpu', 'ALARM', { stateUpdatedAt: since })],
        },
      ];
      await service.onAlarmsRead(firing);
      const [incident] = await service.listEntityIncidents(API, 10, omar);
      await service.resolve(incident.id, 'Known, being fixed', ana);
      advance(1);
      await service.onAlarmsRead(firing);
      expect(await service.listEntityIncidents(API, 10, omar)).toHaveLength(1);

      // A new ALARM episode opens a new incident.
      advance(1);
      await service.onAlarmsRead([
        {
          entityRef: API,
          alarms: [
            alarm('api-cpu', 'ALARM', {
              stateUpdatedAt: '2026-03-01T08:01:30.000Z',
            }),
          ],
        },
      ]);
      expect(
        (await service.listEntityIncidents(API, 10, omar)).map(i => i.status),
      ).toEqual(['Open', 'Resolved']);
    });

    it('lets a permitted user resolve an open incident with notes', async () => {
      const { service, now } = setup();
      await service.onAlarmsRead([
        { entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] },
      ]);
      const [incident] = await service.listEntityIncidents(API, 1, omar);

      await expect(service.resolve(incident.id, '  ', ana)).rejects.toThrow(
        InputError,
      );
      await expect(service.resolve('INC-1', 'done', ana)).rejects.toThrow(
        InputError,
      );
      await expect(service.resolve('INC-999999', 'done', ana)).rejects.toThrow(
        NotFoundError,
      );

      const resolved = await service.resolve(incident.id, ' Restarted ', ana);
      expect(resolved).toEqual({
        ...incident,
        status: 'Resolved',
        resolvedAt: now(),
        resolvedBy: 'user:default/ana',
        resolution: 'manual',
        resolutionNotes: 'Restarted',
      });
      await expect(service.resolve(incident.id, 'again', ana)).rejects.toThrow(
        ConflictError,
      );
    });

    it('refuses resolving and problem updates without the permission', async () => {
      const { service } = setup({ deny: true });
      await service.onAlarmsRead([
        { entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] },
      ]);
      const [incident] = await service.listEntityIncidents(API, 1, omar);
      await expect(service.resolve(incident.id, 'done', ana)).rejects.toThrow(
        NotAllowedError,
      );
      expect((await service.readIncident(incident.id, omar)).status).toBe(
        'Open',
      );
      await expect(
        service.updateProblem(
          'PRB-000001',
          { version: 1, rootCause: 'x' },
          ana,
        ),
      ).rejects.toThrow(NotAllowedError);
    });

    it('records root cause and remediation with version checks, and keeps resolved problems final', async () => {
      const { service, advance } = setup({
        settings: { recurrenceThreshold: 1 },
      });
      await service.onAlarmsRead([
        { entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] },
      ]);
      const [problem] = await service.listProblems({ entityRef: API }, omar);
      expect(problem.version).toBe(1);

      await expect(
        service.updateProblem(
          problem.id,
          { version: 1, status: 'RootCauseIdentified' },
          ana,
        ),
      ).rejects.toThrow(/rootCause: record the root cause/);
      await expect(
        service.updateProblem(
          problem.id,
          { version: 1, status: 'Resolved', rootCause: 'Leak' },
          ana,
        ),
      ).rejects.toThrow(/record both to resolve/);
      await expect(
        service.updateProblem(problem.id, { version: 1 }, ana),
      ).rejects.toThrow(InputError);

      const identifiedAt = advance(10);
      const identified = await service.updateProblem(
        problem.id,
        { version: 1, status: 'RootCauseIdentified', rootCause: 'Leak' },
        ana,
      );
      expect(identified).toMatchObject({
        status: 'RootCauseIdentified',
        rootCause: 'Leak',
        version: 2,
        updatedAt: identifiedAt,
      });
      await expect(
        service.updateProblem(
          problem.id,
          { version: 1, remediation: 'Fix pool' },
          ana,
        ),
      ).rejects.toThrow(ConflictError);

      const resolvedAt = advance(10);
      const resolved = await service.updateProblem(
        problem.id,
        { version: 2, status: 'Resolved', remediation: 'Fix pool' },
        ana,
      );
      expect(resolved).toMatchObject({
        status: 'Resolved',
        rootCause: 'Leak',
        remediation: 'Fix pool',
        resolvedAt,
        version: 3,
      });
      await expect(
        service.updateProblem(problem.id, { version: 3, status: 'Open' }, ana),
      ).rejects.toThrow(/resolved problems are final/);
      await expect(
        service.updateProblem(
          'PRB-999999',
          { version: 1, rootCause: 'x' },
          ana,
        ),
      ).rejects.toThrow(NotFoundError);
      await expect(
        service.updateProblem('nope', { version: 1, rootCause: 'x' }, ana),
      ).rejects.toThrow(InputError);
    });

    it('gathers a team month for reports and checks the period', async () => {
      const { service, advance } = setup({
        settings: { recurrenceThreshold: 1 },
      });
      await service.onAlarmsRead([
        { entityRef: API, alarms: [alarm('api-cpu', 'ALARM')] },
      ]);
      advance(60);
      await service.onAlarmsRead([
        { entityRef: API, alarms: [alarm('api-cpu', 'OK')] },
      ]);
      const report = await service.listForReport(
        'group:default/Payments',
        '2026-03-01T00:00:00Z',
        '2026-04-01T00:00:00Z',
      );
      expect(report.opened).toHaveLength(1);
      expect(report.resolved.map(i => i.id)).toEqual(
        report.opened.map(i => i.id),
      );
      expect(report.resolved[0].status).toBe('Resolved');
      expect(report.problemsOpened).toBe(1);
      await expect(
        service.listForReport(PAYMENTS, 'March', '2026-04-01T00:00:00Z'),
      ).rejects.toThrow(InputError);
    });
  },
);
