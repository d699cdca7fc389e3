import { MockFetchApi } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { OpsClient } from './OpsClient';

const server = setupServer();

describe('OpsClient', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const client = new OpsClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/ops' },
    fetchApi: new MockFetchApi({
      injectIdentityAuth: { token: 'user-token' },
    }),
  });

  it('calls the ops backend with the user token', async () => {
    server.use(
      http.get('http://backend/api/ops/health', ({ request }) =>
        request.headers.get('authorization') === 'Bearer user-token'
          ? HttpResponse.json({ status: 'ok', database: 'ok' })
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    await expect(client.getHealth()).resolves.toEqual({
      status: 'ok',
      database: 'ok',
    });
  });

  it('turns error responses into ResponseErrors with the server message', async () => {
    server.use(
      http.get('http://backend/api/ops/health', () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'nope' } },
          { status: 403 },
        ),
      ),
    );
    await expect(client.getHealth()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });
});
