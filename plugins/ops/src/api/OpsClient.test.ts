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

  it('sends several statuses as repeated keys and leaves out empty filters', async () => {
    let url: URL | undefined;
    server.use(
      http.get('http://backend/api/ops/rfcs', ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ items: [], nextCursor: 'c2' });
      }),
    );
    await expect(
      client.listRfcs({
        status: ['PendingApproval', 'Scheduled'],
        owner: '',
        targetEntityRef: 'component:default/payments-api',
        cursor: 'c1',
      }),
    ).resolves.toEqual({ items: [], nextCursor: 'c2' });
    expect(url!.searchParams.getAll('status')).toEqual([
      'PendingApproval',
      'Scheduled',
    ]);
    expect(url!.searchParams.has('owner')).toBe(false);
    expect(url!.searchParams.get('targetEntityRef')).toBe(
      'component:default/payments-api',
    );
    expect(url!.searchParams.get('cursor')).toBe('c1');
  });

  it('posts decisions with the version the user saw', async () => {
    const posted: unknown[] = [];
    server.use(
      http.post(
        'http://backend/api/ops/rfcs/RFC-000001/reject',
        async ({ request }) => {
          posted.push({
            type: request.headers.get('content-type'),
            body: await request.json(),
          });
          return HttpResponse.json({ id: 'RFC-000001', status: 'Rejected' });
        },
      ),
    );
    await client.decideRfc('RFC-000001', 4, {
      action: 'reject',
      comment: 'no test plan',
    });
    expect(posted).toEqual([
      {
        type: 'application/json',
        body: { version: 4, comment: 'no test plan' },
      },
    ]);
  });

  it('reads the Operations tab of an entity in one request, with the ref lower-cased', async () => {
    const seen: string[] = [];
    server.use(
      http.get(
        'http://backend/api/ops/entities/:kind/:namespace/:name/operations',
        ({ request }) => {
          seen.push(new URL(request.url).pathname);
          return HttpResponse.json({
            entityRef: 'component:default/payments-api',
          });
        },
      ),
    );
    await client.getEntityOperations({
      kind: 'Component',
      namespace: 'default',
      name: 'payments-api',
    });
    expect(seen).toEqual([
      '/api/ops/entities/component/default/payments-api/operations',
    ]);
  });

  it('unwraps item lists of events, calendar, entity history and change types', async () => {
    server.use(
      http.get('http://backend/api/ops/rfcs/RFC-000001/events', () =>
        HttpResponse.json({ items: [{ id: 1 }] }),
      ),
      http.get('http://backend/api/ops/calendar', ({ request }) => {
        const q = new URL(request.url).searchParams;
        return HttpResponse.json({
          items: [{ from: q.get('from'), to: q.get('to') }],
        });
      }),
      http.get(
        'http://backend/api/ops/entities/component/default/storefront/rfcs',
        () => HttpResponse.json({ items: [{ id: 'RFC-000002' }] }),
      ),
      http.get('http://backend/api/ops/change-types', () =>
        HttpResponse.json({ items: [{ id: 's3-bucket' }] }),
      ),
    );
    await expect(client.listRfcEvents('RFC-000001')).resolves.toEqual([
      { id: 1 },
    ]);
    await expect(
      client.getCalendar({
        from: '2026-03-01T00:00:00Z',
        to: '2026-04-01T00:00:00Z',
      }),
    ).resolves.toEqual([
      { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    ]);
    await expect(
      client.listEntityRfcs({
        kind: 'component',
        namespace: 'default',
        name: 'storefront',
      }),
    ).resolves.toEqual([{ id: 'RFC-000002' }]);
    await expect(client.listChangeTypes()).resolves.toEqual([
      { id: 's3-bucket' },
    ]);
  });
});
