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

describe('demo sign-in provider', () => {
  it('signs in as a catalog user, carrying their group memberships', async () => {
    const server = await startAuth({ providers: { demo: { development: {} } } });
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

  it('answers 400 without a user name and 404 for a user not in the catalog', async () => {
    const server = await startAuth({ providers: { demo: { development: {} } } });
    const missing = await request(server).get('/api/auth/demo/refresh');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/x-demo-user/);
    const unknown = await request(server)
      .get('/api/auth/demo/refresh')
      .query({ user: 'mallory' });
    expect(unknown.status).toBe(404);
  });

  it('is off in an auth environment that does not enable it', async () => {
    const server = await startAuth({
      environment: 'production',
      providers: { demo: { development: {} } },
    });
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set('x-demo-user', 'ana');
    expect(res.status).toBe(403);
  });
});
