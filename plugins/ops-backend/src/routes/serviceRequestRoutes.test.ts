import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { DatabaseServiceRequestStore } from '../database/ServiceRequestStore';
import { ServiceRequestService } from '../services/ServiceRequests/ServiceRequestService';
import {
  fakePermissions,
  fakeUserInfo,
  RecordingNotifier,
} from '../services/ServiceRequests/__testUtils__/fakes';
import { createServiceRequestRoutes } from './serviceRequestRoutes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

describe.each(databases.eachSupportedId())(
  'service request routes on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseServiceRequestStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      await knex('ops_service_request_messages').delete();
      await knex('ops_service_requests').delete();
      const notifier = new RecordingNotifier();
      const serviceRequests = new ServiceRequestService({
        store,
        userInfo: fakeUserInfo(),
        permissions: fakePermissions({
          'user:default/frank': ['ops.service-request.create'],
        }),
        auth: mockServices.auth(),
        notifier,
        centralItGroup: 'group:default/central-it',
      });
      const app = express();
      app.use(
        await createServiceRequestRoutes({
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.none(),
          }),
          serviceRequests,
        }),
      );
      app.use(mockErrorHandler());
      return { app, notifier };
    }

    const question = {
      title: 'Which AMIs are approved?',
      topic: 'managed-environment',
      body: 'We need Graviton images.',
    };

    it('answers 401 without credentials and 403 to services', async () => {
      const { app } = await setup();
      expect((await request(app).get('/service-requests')).status).toBe(401);
      expect(
        (await request(app).post('/service-requests').send(question)).status,
      ).toBe(401);
      expect(
        (await request(app).get('/service-requests/SR-000001')).status,
      ).toBe(401);
      expect(
        (
          await request(app)
            .post('/service-requests/SR-000001/messages')
            .send({ body: 'x', version: 1 })
        ).status,
      ).toBe(401);
      expect(
        (
          await request(app)
            .post('/service-requests/SR-000001/close')
            .send({ version: 1 })
        ).status,
      ).toBe(401);
      const service = await request(app)
        .get('/service-requests')
        .set('Authorization', mockCredentials.service.header());
      expect(service.status).toBe(403);
    });

    it('runs a request from question to close', async () => {
      const { app, notifier } = await setup();
      const created = await request(app)
        .post('/service-requests')
        .set('Authorization', as('ana'))
        .send(question);
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(created.body).toMatchObject({
        status: 'AwaitingCentralIt',
        team: 'group:default/payments',
        version: 1,
      });

      const list = await request(app)
        .get('/service-requests?status=AwaitingCentralIt&limit=10&offset=0')
        .set('Authorization', as('chen'));
      expect(list.status).toBe(200);
      expect(list.body.totalCount).toBe(1);
      expect(list.body.items[0].id).toBe(id);
      expect(list.body.items[0].messages).toBeUndefined();

      const reply = await request(app)
        .post(`/service-requests/${id}/messages`)
        .set('Authorization', as('chen'))
        .send({ body: 'Use the golden AMIs.', version: 1 });
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe('AwaitingTeam');

      const stale = await request(app)
        .post(`/service-requests/${id}/messages`)
        .set('Authorization', as('ana'))
        .send({ body: 'Thanks', version: 1 });
      expect(stale.status).toBe(409);

      const closed = await request(app)
        .post(`/service-requests/${id}/close`)
        .set('Authorization', as('ana'))
        .send({ version: 2, reason: 'Answered' });
      expect(closed.status).toBe(200);
      expect(closed.body.status).toBe('Closed');

      const read = await request(app)
        .get(`/service-requests/${id}`)
        .set('Authorization', as('bo'));
      expect(read.status).toBe(200);
      expect(read.body.messages.map((m: any) => m.body)).toEqual([
        question.body,
        'Use the golden AMIs.',
        'Answered',
      ]);

      const again = await request(app)
        .post(`/service-requests/${id}/messages`)
        .set('Authorization', as('ana'))
        .send({ body: 'One more thing', version: 3 });
      expect(again.status).toBe(409);
      expect(notifier.sent).toHaveLength(2);
    });

    it('answers 404 to outsiders and for unknown requests', async () => {
      const { app } = await setup();
      const created = await request(app)
        .post('/service-requests')
        .set('Authorization', as('ana'))
        .send(question);
      const id = created.body.id;
      for (const res of [
        await request(app)
          .get(`/service-requests/${id}`)
          .set('Authorization', as('eve')),
        await request(app)
          .post(`/service-requests/${id}/messages`)
          .set('Authorization', as('eve'))
          .send({ body: 'hi', version: 1 }),
        await request(app)
          .get('/service-requests/SR-999999')
          .set('Authorization', as('chen')),
      ]) {
        expect(res.status).toBe(404);
      }
    });

    it('answers 403 without the create permission', async () => {
      const { app } = await setup();
      const res = await request(app)
        .post('/service-requests')
        .set('Authorization', as('frank'))
        .send(question);
      expect(res.status).toBe(403);
    });

    it('answers 400 with what to fix', async () => {
      const { app } = await setup();
      const cases: [string, string, object | undefined, RegExp][] = [
        ['post', '/service-requests', { ...question, title: 'ab' }, /title/],
        ['post', '/service-requests', { ...question, topic: 'x' }, /topic/],
        ['post', '/service-requests', { ...question, body: '' }, /body/],
        ['post', '/service-requests', { ...question, extra: 1 }, /extra/],
        [
          'post',
          '/service-requests',
          { ...question, entityRef: 'nope' },
          /entityRef/,
        ],
        [
          'post',
          '/service-requests',
          { ...question, team: 'group:default/search' },
          /team/,
        ],
        ['get', '/service-requests?status=Open', undefined, /status/],
        ['get', '/service-requests?limit=0', undefined, /limit/],
        ['get', '/service-requests?offset=-1', undefined, /offset/],
        ['get', '/service-requests?limit=abc', undefined, /limit/],
        ['get', '/service-requests/RFC-000001', undefined, /SR-000123/],
        [
          'post',
          '/service-requests/SR-000001/messages',
          { body: 'x' },
          /version/,
        ],
        [
          'post',
          '/service-requests/SR-000001/messages',
          { version: 1 },
          /body/,
        ],
        [
          'post',
          '/service-requests/SR-000001/close',
          { version: 'one' },
          /version/,
        ],
      ];
      for (const [method, path, body, message] of cases) {
        const req =
          method === 'get' ? request(app).get(path) : request(app).post(path);
        const res = await req.set('Authorization', as('ana')).send(body);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
    });
  },
);
