import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { opsPlugin } from './plugin';

describe('opsPlugin', () => {
  it('serves /api/ops/health to authenticated callers only', async () => {
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });

    const ok = await request(server)
      .get('/api/ops/health')
      .set('Authorization', 'Bearer mock-user-token');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok', database: 'ok' });

    const anonymous = await request(server).get('/api/ops/health');
    expect(anonymous.status).toBe(401);
  });

  it('mounts incidents, problems, service requests and reports behind authentication', async () => {
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    for (const path of [
      '/api/ops/incidents',
      '/api/ops/problems',
      '/api/ops/service-requests',
      '/api/ops/reports/teams',
    ]) {
      const anonymous = await request(server).get(path);
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      const signedIn = await request(server)
        .get(path)
        .set('Authorization', 'Bearer mock-user-token');
      expect({ path, status: signedIn.status }).toEqual({ path, status: 200 });
    }
  });
});
