import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import { decodeJwt } from 'jose';
import demoAuthProvider from './demoAuthProvider';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'ana', namespace: 'default' },
    spec: { memberOf: ['payments'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/payments' }],
  },
];

async function startAuth(config: object) {
  const { server } = await startTestBackend({
    features: [
      authPlugin,
      demoAuthProvider,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: config,
        },
      }),
    ],
  });
  return server;
}

const development = {
  environment: 'development',
  providers: { demo: { development: {} } },
};

describe('demo sign-in provider', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('signs in as a catalog user, carrying their group memberships', async () => {
    const server = await startAuth(development);
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set('x-demo-user', 'ana');
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/ana',
      ownershipEntityRefs: ['user:default/ana', 'group:default/payments'],
    });
    const claims = decodeJwt(res.body.backstageIdentity.token);
    expect(claims.sub).toBe('user:default/ana');
  });

  // The sign-in page tells "on" from "off" by this 400 and the 404 below.
  it('answers 400 without a user name and 404 for a user not in the catalog', async () => {
    const server = await startAuth(development);
    const missing = await request(server).get('/api/auth/demo/refresh');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/x-demo-user/);
    const unknown = await request(server)
      .get('/api/auth/demo/refresh')
      .query({ user: 'mallory' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).not.toMatch(/auth provider/);
  });

  it.each([
    [
      'another auth environment',
      { environment: 'production', providers: { demo: { development: {} } } },
    ],
    ['no auth environment set', { providers: { demo: { development: {} } } }],
    ['no demo provider configured', { environment: 'development' }],
  ])('is absent with %s', async (_, config) => {
    const server = await startAuth(config);
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set('x-demo-user', 'ana');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/auth provider 'demo'/);
  });

  it('refuses to start when it is on and NODE_ENV is production', async () => {
    process.env.NODE_ENV = 'production';
    await expect(startAuth(development)).rejects.toThrow(
      /Refusing to start: demo sign-in \(auth\.providers\.demo\.development\)/,
    );
  });

  it('starts in production when it is off', async () => {
    process.env.NODE_ENV = 'production';
    const server = await startAuth({
      environment: 'production',
      providers: { demo: { development: {} } },
    });
    const res = await request(server).get('/api/auth/demo/refresh');
    expect(res.status).toBe(404);
  });
});
