import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  ServiceFactoryTester,
  TestCaches,
} from '@backstage/backend-test-utils';
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import express from 'express';
import request from 'supertest';
import { createWriteRateLimit } from './rateLimit';

// The machine's Redis, when no other is named: the limit is shared by
// replicas through it.
process.env.BACKSTAGE_TEST_CACHE_REDIS7_CONNECTION_STRING ??=
  'redis://127.0.0.1:6379';

jest.setTimeout(60_000);

const caches = TestCaches.create({ ids: ['MEMORY', 'REDIS_7'] });

type RedisStore = {
  getClient(): Promise<unknown>;
  disconnect(): Promise<void>;
};

/**
 * Backstage's cache service opens a Redis connection for each cache it
 * creates and never closes it; an open one keeps the Jest worker from
 * exiting ("A worker process has failed to exit gracefully"). The stores it
 * opens are of the same class as the test cache's own, so they are noted
 * as they connect and closed after the tests. The test cache's own store
 * is closed by TestCaches.
 */
const openedStores = new Set<RedisStore>();
function noteRedisStores(testStore: RedisStore) {
  const proto = Object.getPrototypeOf(testStore) as RedisStore;
  if (jest.isMockFunction(proto.getClient)) return;
  const getClient = proto.getClient;
  jest
    .spyOn(proto, 'getClient')
    .mockImplementation(function noteStore(this: RedisStore) {
      if (this !== testStore) openedStores.add(this);
      return getClient.call(this);
    });
}
afterAll(async () => {
  await Promise.all([...openedStores].map(store => store.disconnect()));
});

async function cacheFor(id: Parameters<typeof caches.init>[0]) {
  const { store, connection, keyv } = await caches.init(id);
  if (store === 'redis') noteRedisStores(keyv.store as RedisStore);
  const tester = ServiceFactoryTester.from(cacheServiceFactory, {
    dependencies: [
      mockServices.rootConfig.factory({
        data: { backend: { cache: { store, connection } } },
      }),
    ],
  });
  return tester.getSubject('ops');
}

describe.each(caches.eachSupportedId())('write rate limit on %s', cacheId => {
  async function server(clock: { now: number }, replicas = 1) {
    const cache = await cacheFor(cacheId);
    // Several replicas: several routers sharing one cache.
    const apps = Array.from({ length: replicas }, () => {
      const app = express();
      app.use(
        createWriteRateLimit({
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.none(),
          }),
          cache,
          limit: { writesPerWindow: 3, windowSeconds: 60 },
          now: () => clock.now,
        }),
      );
      app.all('/rfcs', (_req, res) => {
        res.status(200).json({ ok: true });
      });
      app.use(mockErrorHandler());
      return app;
    });
    return apps;
  }

  const ana = mockCredentials.user.header('user:default/ana');
  const omar = mockCredentials.user.header('user:default/omar');

  it("refuses a caller's writes above the limit, with when to try again, and not others' or reads", async () => {
    const clock = {
      now:
        Date.UTC(2026, 11, 1, 12, 0, 15) +
        60_000 * Math.floor(Math.random() * 1e6),
    };
    const [app] = await server(clock);
    for (let i = 0; i < 3; i++) {
      await request(app).post('/rfcs').set('Authorization', ana).expect(200);
    }
    const refused = await request(app).post('/rfcs').set('Authorization', ana);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('45');
    expect(refused.body.error.message).toBe(
      'Too many changes: at most 3 writes per 60 s for each caller; try again in 45 s',
    );
    // Reads and other people are not limited by ana's writes.
    await request(app).get('/rfcs').set('Authorization', ana).expect(200);
    await request(app).put('/rfcs').set('Authorization', omar).expect(200);
    // The next window starts afresh.
    clock.now += 45_000;
    await request(app).delete('/rfcs').set('Authorization', ana).expect(200);
  });

  it('counts a caller once across replicas that share the cache', async () => {
    // Another window than the other tests: Redis outlives each test.
    const clock = { now: Date.UTC(2026, 11, 2, 9, 0, 0) + Math.random() * 1e9 };
    const [one, two] = await server(clock, 2);
    await request(one).post('/rfcs').set('Authorization', ana).expect(200);
    await request(two).post('/rfcs').set('Authorization', ana).expect(200);
    await request(one).post('/rfcs').set('Authorization', ana).expect(200);
    const fourth = await request(two).post('/rfcs').set('Authorization', ana);
    expect(fourth.status).toBe(429);
  });

  it('leaves requests without credentials to the routes', async () => {
    const clock = { now: Date.UTC(2026, 11, 1, 12, 0, 0) };
    const [app] = await server(clock);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await request(app).post('/rfcs')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });
});
