import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import type { AuditLog } from '../services/Audit';
import { DatabaseAuditLog } from '../services/Audit';
import { createAuditRoutes } from './auditRoutes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const migrationsDir = resolvePackagePath(
  '@cloud-ops/plugin-ops-backend',
  'migrations',
);

function app(
  audit: AuditLog,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const permissions = mockServices.permissions.mock({
    authorize: jest.fn(async requests =>
      requests.map(() => ({ result })),
    ) as any,
  });
  const server = express();
  server.use(
    createAuditRoutes({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.none(),
      }),
      permissions,
      audit,
    }),
  );
  server.use(mockErrorHandler());
  return { server, permissions };
}

const auditor = mockCredentials.user.header('user:default/audrey');

describe.each(databases.eachSupportedId())('audit routes on %s', databaseId => {
  const rfcId = 'RFC-000001';
  let audit: DatabaseAuditLog;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrationsDir });
    // One minute apart, from 08:00.
    const times = [0, 1, 2].map(m => new Date(Date.UTC(2026, 1, 10, 8, m)));
    const log = new DatabaseAuditLog({ db: knex, now: () => times.shift()! });
    audit = log;
    for (const action of ['create', 'submit', 'approve'] as const) {
      const input = {
        subject: `rfc:${rfcId}`,
        actor: 'user:default/ana',
        action,
        before: null,
        after: { status: action },
      };
      await knex.transaction(tx => log.append(tx, input));
    }
  });

  it('verifies the log for a user or a service with ops.audit.read', async () => {
    const { server, permissions } = app(audit);
    const res = await request(server)
      .get('/audit/verify')
      .set('Authorization', auditor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, checked: 3 });
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: expect.objectContaining({ name: 'ops.audit.read' }) }],
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({
            userEntityRef: 'user:default/audrey',
          }),
        }),
      },
    );
    const asService = await request(server)
      .get('/audit/verify')
      .set('Authorization', mockCredentials.service.header());
    expect(asService.status).toBe(200);
  });

  it.each([
    ['/audit/verify'],
    ['/audit/export?from=2026-02-01&to=2026-03-01'],
    ['/audit/entries?subject=rfc:RFC-000001'],
  ])('refuses %s without credentials or without the permission', async path => {
    await expect(request(app(audit).server).get(path)).resolves.toMatchObject({
      status: 401,
    });
    const denied = await request(app(audit, AuthorizeResult.DENY).server)
      .get(path)
      .set('Authorization', auditor);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('not allowed: ops.audit.read');
  });

  it('downloads a period as JSON Lines', async () => {
    const res = await request(app(audit).server)
      .get('/audit/export?from=2026-02-10T08:01:00Z&to=2026-02-11')
      .set('Authorization', auditor);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/x-ndjson; charset=utf-8',
    );
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="ops-audit_2026-02-10T080100Z_2026-02-11T000000Z.jsonl"',
    );
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(lines.map(l => l.action)).toEqual(['submit', 'approve']);
  });

  it('downloads a period as CSV', async () => {
    const res = await request(app(audit).server)
      .get('/audit/export?from=2026-02-01&to=2026-03-01&format=csv')
      .set('Authorization', auditor);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/\.csv"$/);
    expect(res.text.split('\r\n')).toHaveLength(5);
  });

  it('serves one subject’s chain with its check', async () => {
    const res = await request(app(audit).server)
      .get(`/audit/entries?subject=rfc:${rfcId}`)
      .set('Authorization', auditor);
    expect(res.status).toBe(200);
    expect(res.body.subject).toBe(`rfc:${rfcId}`);
    expect(res.body.items.map((e: any) => e.subjectSeq)).toEqual([1, 2, 3]);
    expect(res.body.verification).toMatchObject({ ok: true, checked: 3 });
  });
});

describe('audit routes input', () => {
  const unused = {
    verify: jest.fn(),
    export: jest.fn(),
    subjectChain: jest.fn(),
  } as unknown as AuditLog;

  it.each([
    ['to=2026-03-01', 'from: must be an ISO 8601 date or date-time'],
    [
      'from=yesterday&to=2026-03-01',
      'from: must be an ISO 8601 date or date-time',
    ],
    [
      'from=2026-02-01&to=2026-02-30',
      'to: must be an ISO 8601 date or date-time',
    ],
    [
      'from=2026-02-01&to=2026-03-01&format=xml',
      'format: must be one of jsonl, csv',
    ],
    ['from=2026-03-01&to=2026-02-01', 'to: must not be before from'],
    [
      'from=2025-01-01&to=2026-01-03',
      'to: must be at most 366 days after from',
    ],
    ['from=2026-02-01&to=2026-03-01&limit=5', 'unknown field(s) limit'],
  ])('answers 400 for %s, naming the field', async (qs, message) => {
    const res = await request(app(unused).server)
      .get(`/audit/export?${qs}`)
      .set('Authorization', auditor);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(unused.export).not.toHaveBeenCalled();
  });

  it('accepts a leap year’s 366 days', async () => {
    const audit = {
      ...unused,
      export: jest.fn(async function* lines() {
        yield '';
      }),
    } as unknown as AuditLog;
    const res = await request(app(audit).server)
      .get('/audit/export?from=2028-01-01&to=2029-01-01')
      .set('Authorization', auditor);
    expect(res.status).toBe(200);
    expect(audit.export).toHaveBeenCalledWith({
      from: new Date('2028-01-01T00:00:00.000Z'),
      to: new Date('2029-01-01T00:00:00.000Z'),
      format: 'jsonl',
    });
  });

  it('cuts the download short when reading fails part way', async () => {
    const audit = {
      ...unused,
      export: async function* lines() {
        yield '{"id":1}\n';
        throw new Error('database went away');
      },
    } as unknown as AuditLog;
    await expect(
      request(app(audit).server)
        .get('/audit/export?from=2026-02-01&to=2026-03-01')
        .set('Authorization', auditor),
    ).rejects.toThrow();
  });

  it('answers 400 for a missing or malformed subject', async () => {
    for (const qs of ['', '?subject=RFC-000001']) {
      const res = await request(app(unused).server)
        .get(`/audit/entries${qs}`)
        .set('Authorization', auditor);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Invalid query: subject: /);
    }
  });
});
