import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { AlarmSummary } from '@cloud-ops/plugin-ops-common';
import express from 'express';
import request from 'supertest';
import { DatabaseIncidentStore } from '../database/IncidentStore';
import type { OpsNotifier } from '../services/Notifications/OpsNotifier';
import {
  DEFAULT_INCIDENT_SETTINGS,
  IncidentService,
} from '../services/Incidents';
import { createIncidentRoutes } from './incidentRoutes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const API = 'component:default/payments-api';
const SHOP = 'component:default/storefront';

const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner, lifecycle: 'production' },
});

const alarm = (
  name: string,
  state: AlarmSummary['state'],
  namespace = 'AWS/EC2',
): AlarmSummary => ({
  name,
  arn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`,
  state,
  reason: `${name} crossed its threshold`,
  metric: { namespace, name: 'Metric' },
  consoleUrl: `https://console.aws.amazon.com/cloudwatch/${name}`,
});

/** Central IT reads every team's incidents and problems. */
const omar = mockCredentials.user.header('user:default/omar');
const ana = mockCredentials.user.header('user:default/ana');
const wei = mockCredentials.user.header('user:default/wei');
const service = mockCredentials.service.header();
const GROUPS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/omar': ['group:default/central-it'],
  'user:default/wei': ['group:default/web'],
};

async function setup(options: { deny?: boolean } = {}) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseIncidentStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  let now = new Date('2026-03-01T08:00:00.000Z');
  const notifier: OpsNotifier = {
    notify: jest.fn(),
    notifyOnce: jest.fn(),
  };
  const incidents = new IncidentService({
    store,
    settings: {
      ...DEFAULT_INCIDENT_SETTINGS,
      recurrenceThreshold: 2,
      priorityRules: [
        { name: 'databases', priority: 'P1', metricNamespace: 'AWS/RDS' },
      ],
    },
    catalog: catalogServiceMock({
      entities: [
        component('payments-api', 'payments'),
        component('storefront', 'web'),
      ],
    }),
    auth: mockServices.auth(),
    permissions: mockServices.permissions({
      result: options.deny ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    }),
    userInfo: {
      getUserInfo: async (credentials: any) => {
        const ref = credentials.principal.userEntityRef as string;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
        };
      },
    },
    notifier,
    logger: mockServices.logger.mock(),
    now: () => now,
  });
  const tick = () => {
    now = new Date(now.getTime() + 60_000);
  };
  // Seed: payments-api db alarm fires twice (one problem), storefront once.
  await incidents.onAlarmsRead([
    { entityRef: API, alarms: [alarm('db', 'ALARM', 'AWS/RDS')] },
  ]);
  tick();
  await incidents.onAlarmsRead([
    { entityRef: API, alarms: [alarm('db', 'OK', 'AWS/RDS')] },
  ]);
  tick();
  await incidents.onAlarmsRead([
    { entityRef: API, alarms: [alarm('db', 'ALARM', 'AWS/RDS')] },
    { entityRef: SHOP, alarms: [alarm('web-5xx', 'ALARM')] },
  ]);

  const app = express();
  app.use(
    createIncidentRoutes({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.none(),
      }),
      incidents,
    }),
  );
  app.use(mockErrorHandler());
  const centralIt = mockCredentials.user('user:default/omar');
  const { items } = await incidents.listIncidents(
    { limit: 10, offset: 0 },
    centralIt,
  );
  const [problem] = await incidents.listProblems({}, centralIt);
  return { app, incidents: items, problem };
}

describe('incident routes', () => {
  it('answers 401 without credentials, on reads and writes', async () => {
    const { app, incidents, problem } = await setup();
    for (const res of [
      await request(app).get('/incidents'),
      await request(app).get(`/incidents/${incidents[0].id}`),
      await request(app)
        .post(`/incidents/${incidents[0].id}/resolve`)
        .send({ notes: 'x' }),
      await request(app).get('/problems'),
      await request(app)
        .patch(`/problems/${problem.id}`)
        .send({ version: 1, rootCause: 'x' }),
    ]) {
      expect(res.status).toBe(401);
    }
  });

  it('lists incidents newest first with filters, paging and a total', async () => {
    const { app, incidents } = await setup();
    const all = await request(app).get('/incidents').set('Authorization', omar);
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(3);
    expect(all.body.items.map((i: any) => i.id)).toEqual(
      incidents.map(i => i.id),
    );
    expect(all.body.items[0].openedAt >= all.body.items[2].openedAt).toBe(true);

    const open = await request(app)
      .get('/incidents')
      .query({ entityRef: 'Component:default/Payments-API', status: 'Open' })
      .set('Authorization', omar);
    expect(open.status).toBe(200);
    expect(open.body).toEqual({
      items: [
        expect.objectContaining({
          entityRef: API,
          status: 'Open',
          priority: 'P1',
        }),
      ],
      totalCount: 1,
    });

    const web = await request(app)
      .get('/incidents')
      .query({ team: 'web', priority: 'P3' })
      .set('Authorization', omar);
    expect(web.body.items.map((i: any) => i.entityRef)).toEqual([SHOP]);

    const page = await request(app)
      .get('/incidents?limit=1&offset=2')
      .set('Authorization', omar);
    expect(page.body).toEqual({ items: [all.body.items[2]], totalCount: 3 });
  });

  it('answers 400 for bad list queries', async () => {
    const { app } = await setup();
    for (const [query, message] of [
      ['limit=0', /limit: must be between 1 and 200/],
      ['limit=201', /limit: must be between 1 and 200/],
      ['limit=ten', /limit/],
      ['offset=-1', /offset: must be 0 or more/],
      ['status=Closed', /status/],
      ['priority=P5', /priority/],
      ['entityRef=payments-api', /entityRef: must be an entity ref/],
      ['team=component:default/x', /team: must be a group ref/],
      ['colour=red', /unknown field\(s\) colour/],
      ['status=Open&status=Resolved', /status/],
    ] as const) {
      const res = await request(app)
        .get(`/incidents?${query}`)
        .set('Authorization', omar);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('reads one incident, 404 when missing and 400 when malformed', async () => {
    const { app, incidents } = await setup();
    const one = await request(app)
      .get(`/incidents/${incidents[0].id}`)
      .set('Authorization', omar);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(incidents[0]);
    expect(
      (
        await request(app)
          .get('/incidents/INC-999999')
          .set('Authorization', omar)
      ).status,
    ).toBe(404);
    const bad = await request(app)
      .get('/incidents/42')
      .set('Authorization', omar);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not an incident id/);
  });

  it('resolves an incident as the user, then answers 409', async () => {
    const { app, incidents } = await setup();
    const open = incidents.find(i => i.status === 'Open')!;
    const url = `/incidents/${open.id}/resolve`;

    const empty = await request(app)
      .post(url)
      .set('Authorization', omar)
      .send({ notes: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/notes/);
    expect(
      (await request(app).post(url).set('Authorization', omar).send({})).status,
    ).toBe(400);
    // Services may not resolve.
    expect(
      (
        await request(app)
          .post(url)
          .set('Authorization', service)
          .send({ notes: 'x' })
      ).status,
    ).toBe(403);

    const res = await request(app)
      .post(url)
      .set('Authorization', omar)
      .send({ notes: 'Failed over' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: open.id,
      status: 'Resolved',
      resolvedBy: 'user:default/omar',
      resolution: 'manual',
      resolutionNotes: 'Failed over',
    });
    const again = await request(app)
      .post(url)
      .set('Authorization', omar)
      .send({ notes: 'Again' });
    expect(again.status).toBe(409);
    expect(
      (
        await request(app)
          .post('/incidents/INC-999999/resolve')
          .set('Authorization', omar)
          .send({ notes: 'x' })
      ).status,
    ).toBe(404);
  });

  it('answers 403 when the permissions are denied', async () => {
    const { app, incidents, problem } = await setup({ deny: true });
    const open = incidents.find(i => i.status === 'Open')!;
    const resolve = await request(app)
      .post(`/incidents/${open.id}/resolve`)
      .set('Authorization', omar)
      .send({ notes: 'x' });
    expect(resolve.status).toBe(403);
    const patch = await request(app)
      .patch(`/problems/${problem.id}`)
      .set('Authorization', omar)
      .send({ version: 1, rootCause: 'x' });
    expect(patch.status).toBe(403);
    const after = await request(app)
      .get(`/incidents/${open.id}`)
      .set('Authorization', omar);
    expect(after.body.status).toBe('Open');
  });

  it('lists, reads and updates problems', async () => {
    const { app, problem } = await setup();
    const list = await request(app)
      .get('/problems')
      .query({ team: 'group:default/payments', status: 'Open' })
      .set('Authorization', omar);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [problem] });
    expect(problem.incidentIds).toHaveLength(2);
    expect(
      (
        await request(app)
          .get('/problems')
          .query({ entityRef: SHOP })
          .set('Authorization', omar)
      ).body,
    ).toEqual({ items: [] });
    expect(
      (
        await request(app)
          .get('/problems?status=Closed')
          .set('Authorization', omar)
      ).status,
    ).toBe(400);

    const one = await request(app)
      .get(`/problems/${problem.id}`)
      .set('Authorization', omar);
    expect(one.body).toEqual(problem);
    expect(
      (
        await request(app)
          .get('/problems/PRB-999999')
          .set('Authorization', omar)
      ).status,
    ).toBe(404);
    expect(
      (
        await request(app)
          .get('/problems/INC-000001')
          .set('Authorization', omar)
      ).status,
    ).toBe(400);

    const url = `/problems/${problem.id}`;
    const missingRootCause = await request(app)
      .patch(url)
      .set('Authorization', omar)
      .send({ version: 1, status: 'RootCauseIdentified' });
    expect(missingRootCause.status).toBe(400);
    expect(missingRootCause.body.error.message).toMatch(/rootCause/);
    expect(
      (
        await request(app)
          .patch(url)
          .set('Authorization', omar)
          .send({ version: '1', rootCause: 'x' })
      ).status,
    ).toBe(400);

    const updated = await request(app)
      .patch(url)
      .set('Authorization', omar)
      .send({ version: 1, status: 'RootCauseIdentified', rootCause: 'Leak' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      status: 'RootCauseIdentified',
      rootCause: 'Leak',
      version: 2,
    });
    const stale = await request(app)
      .patch(url)
      .set('Authorization', omar)
      .send({ version: 1, remediation: 'Pool' });
    expect(stale.status).toBe(409);
    const resolved = await request(app)
      .patch(url)
      .set('Authorization', omar)
      .send({ version: 2, status: 'Resolved', remediation: 'Pool' });
    expect(resolved.body).toMatchObject({ status: 'Resolved', version: 3 });
    const final = await request(app)
      .patch(url)
      .set('Authorization', omar)
      .send({ version: 3, status: 'Open' });
    expect(final.status).toBe(409);
  });

  it("shows each team its own incidents and problems only: another team's are 404, services get 403", async () => {
    const { app, incidents, problem } = await setup();
    const list = async (who: string, path: string) =>
      (await request(app).get(path).set('Authorization', who)).body;
    const payments = incidents.filter(i => i.entityRef === API);
    const web = incidents.filter(i => i.entityRef === SHOP);
    expect((await list(ana, '/incidents')).items.map((i: any) => i.id)).toEqual(
      payments.map(i => i.id),
    );
    expect((await list(ana, '/incidents')).totalCount).toBe(payments.length);
    expect((await list(wei, '/incidents')).items.map((i: any) => i.id)).toEqual(
      web.map(i => i.id),
    );
    // Asking for the other team's by name does not help.
    expect(
      (await list(wei, '/incidents?team=group:default/payments')).items,
    ).toEqual([]);
    expect(
      (
        await request(app)
          .get(`/incidents/${payments[0].id}`)
          .set('Authorization', wei)
      ).status,
    ).toBe(404);
    expect((await list(wei, '/problems')).items).toEqual([]);
    expect(
      (
        await request(app)
          .get(`/problems/${problem.id}`)
          .set('Authorization', wei)
      ).status,
    ).toBe(404);
    expect((await list(ana, '/problems')).items).toEqual([problem]);
    expect(
      (await request(app).get('/incidents').set('Authorization', service))
        .status,
    ).toBe(403);
  });
});
