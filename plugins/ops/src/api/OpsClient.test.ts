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

  it('unwraps item lists of events, entity history and change types, and asks for a schedule', async () => {
    server.use(
      http.get('http://backend/api/ops/rfcs/RFC-000001/events', () =>
        HttpResponse.json({ items: [{ id: 1 }] }),
      ),
      http.get('http://backend/api/ops/schedule', ({ request }) => {
        const q = new URL(request.url).searchParams;
        return HttpResponse.json({
          from: q.get('from'),
          to: q.get('to'),
          owner: q.get('owner'),
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
      client.getSchedule({
        from: '2026-03-01T00:00:00Z',
        to: '2026-04-01T00:00:00Z',
        owner: 'group:default/payments',
      }),
    ).resolves.toEqual({
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-01T00:00:00Z',
      owner: 'group:default/payments',
    });
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

describe('OpsClient.getRaciConfig', () => {
  const config = {
    centralItGroup: 'group:default/central-it',
    overrides: { 'change-management.approve-user-rfc': { team: 'C' } },
  };
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  const clientWith = (fetch: jest.Mock) =>
    new OpsClient({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/ops' },
      fetchApi: { fetch },
    });

  it('asks once per client, however many ask and whenever', async () => {
    const fetch = jest.fn(async () => json(config));
    const client = clientWith(fetch);
    const [first, second] = await Promise.all([
      client.getRaciConfig(),
      client.getRaciConfig(),
    ]);
    await expect(client.getRaciConfig()).resolves.toEqual(config);
    expect(first).toEqual(config);
    expect(second).toBe(first);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith('http://backend/api/ops/raci', {
      method: 'GET',
    });
  });

  it('does not keep a failed answer, so the next call asks again', async () => {
    const fetch = jest
      .fn()
      .mockResolvedValueOnce(
        json({ error: { name: 'Error', message: 'down' } }, 503),
      )
      .mockResolvedValueOnce(json(config));
    const client = clientWith(fetch);
    await expect(client.getRaciConfig()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 503,
    });
    await expect(client.getRaciConfig()).resolves.toEqual(config);
    await expect(client.getRaciConfig()).resolves.toEqual(config);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('OpsClient incidents, problems, service requests and reports', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const base = 'http://backend/api/ops';
  const client = new OpsClient({
    discoveryApi: { getBaseUrl: async () => base },
    fetchApi: new MockFetchApi({
      injectIdentityAuth: { token: 'user-token' },
    }),
  });

  /** Records every request as method, path with query, and JSON body. */
  function record(reply: Record<string, unknown> = {}) {
    const seen: { method: string; url: string; body?: unknown }[] = [];
    server.use(
      http.all(`${base}/*`, async ({ request }) => {
        const url = new URL(request.url);
        const text = await request.text();
        seen.push({
          method: request.method,
          url: `${url.pathname.replace('/api/ops', '')}${url.search}`,
          ...(text && { body: JSON.parse(text) }),
        });
        return HttpResponse.json(reply);
      }),
    );
    return seen;
  }

  it('lists incidents with only the filters given, and reads one', async () => {
    const seen = record({ items: [{ id: 'INC-000001' }], totalCount: 7 });
    await expect(
      client.listIncidents({
        status: 'Open',
        priority: 'P1',
        team: 'group:default/payments',
        entityRef: '',
        limit: 50,
        offset: 100,
      }),
    ).resolves.toEqual({ items: [{ id: 'INC-000001' }], totalCount: 7 });
    await client.getIncident('INC-000001');
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/incidents?status=Open&priority=P1&team=group%3Adefault%2Fpayments&limit=50&offset=100',
      },
      { method: 'GET', url: '/incidents/INC-000001' },
    ]);
  });

  it('resolves an incident with notes', async () => {
    const seen = record({ id: 'INC-000001', status: 'Resolved' });
    await expect(
      client.resolveIncident('INC-000001', 'Restarted the task'),
    ).resolves.toMatchObject({ status: 'Resolved' });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/incidents/INC-000001/resolve',
        body: { notes: 'Restarted the task' },
      },
    ]);
  });

  it('lists, reads and patches problems with the version', async () => {
    const seen = record({ items: [{ id: 'PRB-000001' }] });
    await expect(client.listProblems({ status: 'Open' })).resolves.toEqual([
      { id: 'PRB-000001' },
    ]);
    await client.getProblem('PRB-000001');
    await client.updateProblem('PRB-000001', {
      version: 3,
      status: 'RootCauseIdentified',
      rootCause: 'Pool too small',
    });
    expect(seen).toEqual([
      { method: 'GET', url: '/problems?status=Open' },
      { method: 'GET', url: '/problems/PRB-000001' },
      {
        method: 'PATCH',
        url: '/problems/PRB-000001',
        body: {
          version: 3,
          status: 'RootCauseIdentified',
          rootCause: 'Pool too small',
        },
      },
    ]);
  });

  it('creates, lists, reads, replies to and closes service requests', async () => {
    const seen = record({ id: 'SR-000001', items: [], totalCount: 0 });
    await client.createServiceRequest({
      title: 'Backups',
      topic: 'managed-environment',
      body: 'How long are backups kept?',
      team: 'group:default/payments',
    });
    await client.listServiceRequests({ status: 'AwaitingTeam', offset: 20 });
    await client.getServiceRequest('SR-000001');
    await client.replyToServiceRequest('SR-000001', 2, 'Thanks');
    await client.closeServiceRequest('SR-000001', 3, 'Answered');
    await client.closeServiceRequest('SR-000001', 4);
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/service-requests',
        body: {
          title: 'Backups',
          topic: 'managed-environment',
          body: 'How long are backups kept?',
          team: 'group:default/payments',
        },
      },
      { method: 'GET', url: '/service-requests?status=AwaitingTeam&offset=20' },
      { method: 'GET', url: '/service-requests/SR-000001' },
      {
        method: 'POST',
        url: '/service-requests/SR-000001/messages',
        body: { body: 'Thanks', version: 2 },
      },
      {
        method: 'POST',
        url: '/service-requests/SR-000001/close',
        body: { version: 3, reason: 'Answered' },
      },
      {
        method: 'POST',
        url: '/service-requests/SR-000001/close',
        body: { version: 4 },
      },
    ]);
  });

  it('reads report teams, the monthly report, and the report as CSV text', async () => {
    const queries: string[] = [];
    server.use(
      http.get(`${base}/reports/teams`, () =>
        HttpResponse.json({ items: ['group:default/payments'] }),
      ),
      http.get(`${base}/reports/monthly`, ({ request }) => {
        const url = new URL(request.url);
        queries.push(url.search);
        if (url.searchParams.get('format') === 'csv') {
          if (request.headers.get('authorization') !== 'Bearer user-token') {
            return new HttpResponse(null, { status: 401 });
          }
          return new HttpResponse('section,metric,value\nrfcs,total,3\n', {
            headers: { 'content-type': 'text/csv' },
          });
        }
        return HttpResponse.json({ team: url.searchParams.get('team') });
      }),
    );
    await expect(client.listReportTeams()).resolves.toEqual([
      'group:default/payments',
    ]);
    await expect(
      client.getMonthlyReport('group:default/payments', '2026-02'),
    ).resolves.toEqual({ team: 'group:default/payments' });
    await expect(
      client.getMonthlyReportCsv('group:default/payments', '2026-02'),
    ).resolves.toBe('section,metric,value\nrfcs,total,3\n');
    expect(queries).toEqual([
      '?team=group%3Adefault%2Fpayments&month=2026-02',
      '?team=group%3Adefault%2Fpayments&month=2026-02&format=csv',
    ]);
  });

  it('turns a failed CSV download into a ResponseError', async () => {
    server.use(
      http.get(`${base}/reports/monthly`, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'not your team' } },
          { status: 403 },
        ),
      ),
    );
    await expect(
      client.getMonthlyReportCsv('group:default/web', '2026-02'),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 403 });
  });

  it('verifies the audit log and reads one subject’s chain', async () => {
    let subject: string | null = null;
    server.use(
      http.get(`${base}/audit/verify`, () =>
        HttpResponse.json({
          ok: false,
          checked: 4,
          firstBroken: { id: 5, chain: 'global', reason: 'entry 5 is missing' },
        }),
      ),
      http.get(`${base}/audit/entries`, ({ request }) => {
        subject = new URL(request.url).searchParams.get('subject');
        return HttpResponse.json({
          subject,
          items: [],
          verification: { ok: true, checked: 0 },
        });
      }),
    );
    await expect(client.verifyAudit()).resolves.toMatchObject({
      ok: false,
      firstBroken: { id: 5 },
    });
    await expect(client.getAuditChain('rfc:RFC-000007')).resolves.toEqual({
      subject: 'rfc:RFC-000007',
      items: [],
      verification: { ok: true, checked: 0 },
    });
    expect(subject).toBe('rfc:RFC-000007');
  });

  it('downloads an audit export with the token, under the server’s file name', async () => {
    let query: URLSearchParams | undefined;
    server.use(
      http.get(`${base}/audit/export`, ({ request }) => {
        if (request.headers.get('authorization') !== 'Bearer user-token') {
          return new HttpResponse(null, { status: 401 });
        }
        query = new URL(request.url).searchParams;
        return new HttpResponse('id,at\r\n1,2026-02-01\r\n', {
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition':
              'attachment; filename="ops-audit_2026-02-01T000000Z_2026-03-01T000000Z.csv"',
          },
        });
      }),
    );
    const file = await client.exportAudit({
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
      format: 'csv',
    });
    expect(file.fileName).toBe(
      'ops-audit_2026-02-01T000000Z_2026-03-01T000000Z.csv',
    );
    expect(await file.blob.text()).toBe('id,at\r\n1,2026-02-01\r\n');
    expect(Object.fromEntries(query!)).toEqual({
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
      format: 'csv',
    });
  });

  it('turns a refused audit export into a ResponseError with the server message', async () => {
    server.use(
      http.get(`${base}/audit/export`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message: 'Invalid query: to: must not be before from',
            },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await expect(
      client.exportAudit({
        from: '2026-03-01',
        to: '2026-02-01',
        format: 'jsonl',
      }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      body: {
        error: { message: 'Invalid query: to: must not be before from' },
      },
    });
  });
});
