import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import {
  insertRfc,
  reportServiceFor,
} from '../services/Reports/__testUtils__/reportFixtures';
import { createReportRoutes } from './reportRoutes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

describe.each(databases.eachSupportedId())(
  'report routes on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const { service } = await reportServiceFor(knex, {
        now: new Date('2026-11-21T12:00:00.000Z'),
        automation: { 'ec2-patch': 'automated' },
      });
      await knex('ops_rfc_events').delete();
      await knex('ops_rfcs').delete();
      await insertRfc(knex, {
        owner: 'group:default/payments',
        createdAt: '2026-11-02T00:00:00.000Z',
        status: 'Success',
        changeTypeId: 'ec2-patch',
        events: [
          { action: 'succeed', to: 'Success', at: '2026-11-02T05:00:00.000Z' },
        ],
      });
      const app = express();
      app.use(
        await createReportRoutes({
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.none(),
          }),
          reports: service,
        }),
      );
      app.use(mockErrorHandler());
      return app;
    }

    const monthly =
      '/reports/monthly?team=group:default/payments&month=2026-11';

    it('answers 401 without credentials and 403 to services', async () => {
      const app = await setup();
      expect((await request(app).get(monthly)).status).toBe(401);
      expect((await request(app).get('/reports/teams')).status).toBe(401);
      const service = await request(app)
        .get(monthly)
        .set('Authorization', mockCredentials.service.header());
      expect(service.status).toBe(403);
    });

    it('serves the report as JSON', async () => {
      const app = await setup();
      const res = await request(app)
        .get(monthly)
        .set('Authorization', as('ana'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        team: 'group:default/payments',
        month: '2026-11',
        rfcs: {
          total: 1,
          leadTimeHours: { median: 5, p90: 5 },
          automatedShare: 1,
        },
      });
    });

    it('serves the report as a CSV download', async () => {
      const app = await setup();
      const res = await request(app)
        .get(`${monthly}&format=csv`)
        .set('Authorization', as('chen'));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="service-report-payments-2026-11.csv"',
      );
      const lines = res.text.split('\r\n');
      expect(lines[0]).toBe('section,metric,value');
      expect(lines).toContain('rfc_status,Success,1');
      expect(lines).toContain('rfcs,lead_time_hours_median,5');
    });

    it('answers 403 for another team’s report', async () => {
      const app = await setup();
      const res = await request(app)
        .get(monthly)
        .set('Authorization', as('eve'));
      expect(res.status).toBe(403);
      const denied = await request(app)
        .get('/reports/teams')
        .set('Authorization', as('frank'));
      expect(denied.status).toBe(403);
    });

    it('answers 400 with what to fix', async () => {
      const app = await setup();
      const cases: [string, RegExp][] = [
        ['/reports/monthly?month=2026-11', /team/],
        ['/reports/monthly?team=group:default/payments', /month/],
        ['/reports/monthly?team=group:default/payments&month=2026-1', /month/],
        [
          '/reports/monthly?team=group:default/payments&month=2026-12',
          /has not started/,
        ],
        ['/reports/monthly?team=user:default/ana&month=2026-11', /group ref/],
        [`${monthly}&format=pdf`, /format/],
        [`${monthly}&colour=blue`, /colour/],
      ];
      for (const [path, message] of cases) {
        const res = await request(app)
          .get(path)
          .set('Authorization', as('ana'));
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
    });

    it('lists the teams the caller may see', async () => {
      const app = await setup();
      const mine = await request(app)
        .get('/reports/teams')
        .set('Authorization', as('bo'));
      expect(mine.body).toEqual({
        items: ['group:default/payments', 'group:default/search'],
      });
      const all = await request(app)
        .get('/reports/teams')
        .set('Authorization', as('chen'));
      expect(all.body.items).toEqual([
        'group:default/payments',
        'group:default/search',
        'group:other/payments',
      ]);
    });
  },
);
