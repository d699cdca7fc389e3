import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  compileTagPolicy,
  resolveEntityRaci,
} from '@cloud-ops/plugin-ops-common';
import express from 'express';
import request from 'supertest';
import { DatabaseOperationsSnapshotStore } from '../database/OperationsSnapshotStore';
import {
  OperationsRefresher,
  OperationsService,
  SandboxOperationsReader,
} from '../services/OperationsData';
import { createOperationsRouter } from './operations';
import type { RecentRfcsSource } from '../services/OperationsData';
import { NotAllowedError } from '@backstage/errors';
import {
  FakeSettingsReader,
  fakeRfcSettings,
} from '../services/OperationsData/__testUtils__/fakeSettings';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'cloud-ops.io/aws-tag-selector': 'app=payments-api',
      'cloud-ops.io/aws-account': '111122223333',
      'cloud-ops.io/aws-region': 'eu-west-1',
      'tags.cloud-ops.io/environment': 'production',
      'cloud-ops.io/raci-overrides':
        '{"patch-management.apply-updates":{"team":"C"}}',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  },
};
const paymentsGroup: Entity = {
  apiVersion: 'backstage.io/v1',
  kind: 'Group',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('operations routes', () => {
  const wei = mockCredentials.user('user:default/wei');

  async function setup(
    recentRfcs?: RecentRfcsSource,
    settings?: {
      settingsReader: FakeSettingsReader;
      rfcSettings: ReturnType<typeof fakeRfcSettings>;
    },
    extraEntities?: Entity[],
  ) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseOperationsSnapshotStore.create({
      database: { getClient: async () => knex },
    });
    // A catalog in which only ana (payments) can see payments-api.
    const inner = catalogServiceMock({
      entities: [paymentsApi, paymentsGroup, ...(extraEntities ?? [])],
    });
    const hidden = (ref: unknown, options: unknown) => {
      const principal = (options as any)?.credentials?.principal;
      const visible =
        principal?.userEntityRef === 'user:default/ana' ||
        principal?.type === 'service';
      return (
        !visible &&
        String(typeof ref === 'string' ? ref : (ref as any).name).includes(
          'payments-api',
        )
      );
    };
    const catalog = catalogServiceMock.mock({
      getEntityByRef: jest.fn(async (ref, options) =>
        hidden(ref, options) ? undefined : inner.getEntityByRef(ref, options!),
      ),
      getEntitiesByRefs: jest.fn(async (byRefs, options) => {
        const { items } = await inner.getEntitiesByRefs(byRefs, options!);
        return {
          items: items.map((item, i) =>
            hidden(byRefs.entityRefs[i], options) ? undefined : item,
          ),
        };
      }),
      getEntities: inner.getEntities.bind(inner),
    });
    const sandbox = new SandboxOperationsReader({
      now: () => new Date('2026-11-21T12:00:00.000Z'),
    });
    const read = jest.spyOn(sandbox, 'read');
    const refresher = new OperationsRefresher({
      reader: sandbox,
      store,
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      now: () => new Date('2026-11-21T12:00:00.000Z'),
      ...settings,
    });
    const service = new OperationsService({
      catalog,
      auth: mockServices.auth(),
      store,
      refresher,
      centralItGroup: 'group:default/central-it',
      raciOverrides: {
        'continuity-management.backup-schedule': { centralIt: 'C' },
      },
      tagPolicy: compileTagPolicy({
        rules: [
          { kind: 'Component', required: ['cost-center', 'environment'] },
        ],
      }),
      refreshIntervalMs: 60_000,
      recentRfcs,
      now: () => new Date('2026-11-21T12:00:00.000Z'),
    });
    const app = express();
    app.use(
      await createOperationsRouter({
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.none(),
        }),
        operations: service,
      }),
    );
    app.use(mockErrorHandler());
    return { app, store, catalog, refresher, read, service };
  }

  const path = '/entities/component/default/payments-api/operations';

  it('rejects unauthenticated requests', async () => {
    const { app } = await setup();
    expect((await request(app).get(path)).status).toBe(401);
    expect((await request(app).post(`${path}/refresh`)).status).toBe(401);
  });

  it('answers 404 for an entity the caller cannot see, reading the catalog as the caller', async () => {
    const { app, catalog } = await setup();
    const res = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.user.header('user:default/wei'));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('component:default/payments-api');
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledWith(
      {
        entityRefs: ['component:default/payments-api'],
        fields: expect.arrayContaining(['kind', 'metadata.annotations']),
      },
      { credentials: wei },
    );
  });

  it('answers 400 for a malformed entity ref', async () => {
    const { app } = await setup();
    const res = await request(app)
      .get('/entities/component/default/bad%20name/operations')
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('is not an entity name');
  });

  it('serves stored snapshots, tag compliance and RFC availability without reading AWS', async () => {
    const { app, refresher, read } = await setup();
    await refresher.refreshAll();
    read.mockClear();

    const res = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(res.status).toBe(200);
    expect(read).not.toHaveBeenCalled();
    expect(res.body.entityRef).toBe('component:default/payments-api');
    for (const kind of ['alarms', 'patch', 'backups']) {
      expect(res.body[kind]).toMatchObject({
        refreshedAt: '2026-11-21T12:00:00.000Z',
        stale: false,
        source: 'sandbox',
      });
      expect(res.body[kind].error).toBeUndefined();
    }
    expect(res.body.alarms.data.alarms.map((a: any) => a.state)).toContain(
      'ALARM',
    );
    expect(res.body.tagCompliance).toEqual({
      compliant: false,
      violations: [
        expect.objectContaining({
          rule: 'required-tag',
          key: 'cost-center',
          severity: 'error',
        }),
      ],
    });
    expect(res.body.recentRfcs).toEqual({ available: false, items: [] });
    // The RACI matrix is its own request, not part of every answer.
    expect(res.body.raci).toBeUndefined();
  });

  it('reads the entity once as the caller, with only the fields it needs, and the owner group as itself, once a minute', async () => {
    const { app, catalog, refresher } = await setup();
    await refresher.refreshAll();
    catalog.getEntitiesByRefs.mockClear();
    catalog.getEntityByRef.mockClear();
    const ana = mockCredentials.user('user:default/ana');
    for (let i = 0; i < 3; i++) {
      const res = await request(app)
        .get(path)
        .set('Authorization', mockCredentials.user.header('user:default/ana'));
      expect(res.status).toBe(200);
      expect(res.body.tagCompliance.violations).not.toContainEqual(
        expect.objectContaining({ rule: 'owner' }),
      );
    }
    const calls = catalog.getEntitiesByRefs.mock.calls;
    const principalType = (options: unknown) =>
      (options as any)?.credentials?.principal?.type;
    const asCaller = calls.filter(([, o]) => principalType(o) !== 'service');
    expect(asCaller).toHaveLength(3);
    for (const [req, options] of asCaller) {
      expect(req.entityRefs).toEqual(['component:default/payments-api']);
      expect(req.fields).not.toContain('spec');
      expect(req.fields).not.toContain('relations');
      expect(options).toEqual({ credentials: ana });
    }
    const asBackend = calls.filter(([, o]) => principalType(o) === 'service');
    expect(asBackend).toHaveLength(1);
    expect(asBackend[0][0].entityRefs).toEqual(['group:default/payments']);
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });

  it('flags an owner that is no Group in the catalog, whoever asks', async () => {
    const orphan: Entity = {
      ...paymentsApi,
      metadata: { ...paymentsApi.metadata, name: 'orphan-api' },
      spec: { ...paymentsApi.spec, owner: 'group:default/gone' },
    };
    const { app } = await setup(undefined, undefined, [orphan]);
    const res = await request(app)
      .get('/entities/component/default/orphan-api/operations')
      .set('Authorization', mockCredentials.user.header('user:default/wei'));
    expect(res.status).toBe(200);
    expect(res.body.tagCompliance.violations).toContainEqual(
      expect.objectContaining({
        rule: 'owner',
        message:
          'Owner "group:default/gone" is not an existing Group in the catalog',
      }),
    );
  });

  it('answers the Operations tab in at most 8 KB', async () => {
    const { app, refresher, store } = await setup();
    await refresher.refreshAll();
    const res = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(8192);
    // The latest recovery points of each resource; the snapshot keeps more.
    const [stored] = (
      await store.getSnapshots('component:default/payments-api')
    ).filter(s => s.kind === 'backups');
    const storedPoints = (stored.payload as any).resources.map(
      (r: any) => r.recoveryPoints?.length ?? 0,
    );
    expect(Math.max(...storedPoints)).toBeGreaterThan(8);
    for (const [i, resource] of res.body.backups.data.resources.entries()) {
      expect(resource.recoveryPoints?.length ?? 0).toBe(
        Math.min(8, storedPoints[i]),
      );
    }
  });

  it('serves the RACI config once for every entity, with a validator the browser revalidates against', async () => {
    const { app } = await setup();
    expect((await request(app).get('/raci')).status).toBe(401);
    const res = await request(app)
      .get('/raci')
      .set('Authorization', mockCredentials.user.header('user:default/wei'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      centralItGroup: 'group:default/central-it',
      overrides: {
        'continuity-management.backup-schedule': { centralIt: 'C' },
      },
    });
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    const etag = res.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await request(app)
      .get('/raci')
      .set('Authorization', mockCredentials.user.header('user:default/wei'))
      .set('If-None-Match', `W/${etag}`);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const other = await request(app)
      .get('/raci')
      .set('Authorization', mockCredentials.user.header('user:default/wei'))
      .set('If-None-Match', '"something-else"');
    expect(other.status).toBe(200);

    // What the tab then shows for the entity: config first, then its annotation.
    const raci = resolveEntityRaci(paymentsApi, res.body);
    const activity = (id: string) => raci.activities.find(a => a.id === id);
    expect(activity('patch-management.apply-updates')).toMatchObject({
      team: 'C',
      responsible: ['group:default/central-it'],
      consulted: ['group:default/payments'],
    });
    expect(activity('continuity-management.backup-schedule')).toMatchObject({
      centralIt: 'C',
      consulted: ['group:default/central-it'],
    });
    expect(raci.warnings).toEqual([]);
  });

  it('returns empty sections before the first refresh', async () => {
    const { app } = await setup();
    const res = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(res.body.patch).toEqual({
      data: null,
      refreshedAt: null,
      stale: false,
      source: null,
    });
    expect(res.body.settingsInForce).toEqual({
      data: null,
      refreshedAt: null,
      stale: false,
      source: null,
    });
  });

  it('serves the settings in force and their drift from the last refresh, reading neither AWS nor RFCs', async () => {
    const settingsReader = new FakeSettingsReader('sandbox');
    settingsReader.settings.set('component:default/payments-api', {
      maintenanceWindow: null,
      rejectedUpdates: [
        { updateId: 'KB5040000', baselineId: 'pb-1', rfcId: 'RFC-000014' },
      ],
      backupPlan: null,
    });
    const rfcSettings = fakeRfcSettings();
    const { app, refresher } = await setup(undefined, {
      settingsReader,
      rfcSettings,
    });
    await refresher.refreshAll();
    expect(settingsReader.calls).toHaveLength(1);
    rfcSettings.getSettingsOf.mockClear();

    const res = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(res.status).toBe(200);
    expect(res.body.settingsInForce).toEqual({
      data: {
        maintenanceWindow: null,
        rejectedUpdates: [
          { updateId: 'KB5040000', baselineId: 'pb-1', rfcId: 'RFC-000014' },
        ],
        backupPlan: null,
        drift: [
          expect.objectContaining({
            setting: 'rejectedUpdate',
            updateId: 'KB5040000',
            expected: null,
          }),
        ],
      },
      refreshedAt: '2026-11-21T12:00:00.000Z',
      stale: false,
      source: 'sandbox',
    });
    expect(settingsReader.calls).toHaveLength(1);
    expect(rfcSettings.getSettingsOf).not.toHaveBeenCalled();
  });

  it('refreshes on demand once per interval, then answers 429 with Retry-After', async () => {
    const { app, read } = await setup();
    const first = await request(app)
      .post(`${path}/refresh`)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(first.status).toBe(200);
    expect(first.body.alarms.source).toBe('sandbox');
    expect(read).toHaveBeenCalledTimes(1);

    const second = await request(app)
      .post(`${path}/refresh`)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('60');
    expect(second.body.error.message).toContain('try again in 60 s');
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('does not let a caller who cannot see the entity refresh it', async () => {
    const { app, read, store } = await setup();
    const res = await request(app)
      .post(`${path}/refresh`)
      .set('Authorization', mockCredentials.user.header('user:default/wei'));
    expect(res.status).toBe(404);
    expect(read).not.toHaveBeenCalled();
    // No rate-limit slot was used up either.
    expect(
      await store.claimRefresh(
        'component:default/payments-api',
        new Date(),
        60_000,
      ),
    ).toEqual({
      claimed: true,
    });
  });

  it('includes recent RFCs read as the caller, and hides them from callers who may not read RFCs', async () => {
    const items = [
      {
        id: 'RFC-000007',
        title: 'Restore payments-db',
        status: 'Success',
        updatedAt: '2026-11-20T09:00:00.000Z',
      },
    ];
    const listRecentRfcs = jest.fn(
      async (_ref: string, _limit: number, credentials: any) => {
        if (credentials.principal.userEntityRef !== 'user:default/ana') {
          throw new NotAllowedError('not allowed: ops.rfc.read');
        }
        return items;
      },
    );
    const { app } = await setup({ listRecentRfcs });
    const ana = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.user.header('user:default/ana'));
    expect(ana.body.recentRfcs).toEqual({ available: true, items });
    expect(listRecentRfcs).toHaveBeenCalledWith(
      'component:default/payments-api',
      5,
      mockCredentials.user('user:default/ana'),
    );

    const service = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(200);
    expect(service.body.recentRfcs).toEqual({ available: false, items: [] });
  });
});
