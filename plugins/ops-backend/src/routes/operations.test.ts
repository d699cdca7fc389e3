import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { compileTagPolicy } from '@cloud-ops/plugin-ops-common';
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
  ) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseOperationsSnapshotStore.create({
      database: { getClient: async () => knex },
    });
    // A catalog in which only ana (payments) can see payments-api.
    const inner = catalogServiceMock({
      entities: [paymentsApi, paymentsGroup],
    });
    const catalog = catalogServiceMock.mock({
      getEntityByRef: jest.fn(async (ref, options) => {
        const principal = (options as any)?.credentials?.principal;
        const visible =
          principal?.userEntityRef === 'user:default/ana' ||
          principal?.type === 'service';
        if (
          !visible &&
          String(typeof ref === 'string' ? ref : ref.name).includes(
            'payments-api',
          )
        ) {
          return undefined;
        }
        return inner.getEntityByRef(ref, options!);
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
    expect(catalog.getEntityByRef).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'payments-api' },
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

  it('serves stored snapshots, tag compliance, RACI and RFC availability without reading AWS', async () => {
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
    const activity = (id: string) =>
      res.body.raci.activities.find((a: any) => a.id === id);
    // Entity annotation override: the team is now Consulted on applying updates.
    expect(activity('patch-management.apply-updates')).toMatchObject({
      team: 'C',
      responsible: ['group:default/central-it'],
      consulted: ['group:default/payments'],
    });
    // Config override.
    expect(activity('continuity-management.backup-schedule')).toMatchObject({
      centralIt: 'C',
      consulted: ['group:default/central-it'],
    });
    expect(res.body.raci.warnings).toEqual([]);
    expect(res.body.recentRfcs).toEqual({ available: false, items: [] });
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

  it('serializes the same view as the service builds, with the cached RACI spliced in', async () => {
    const { service, refresher } = await setup();
    await refresher.refreshAll();
    const ref = {
      kind: 'component',
      namespace: 'default',
      name: 'payments-api',
    };
    const credentials = mockCredentials.user('user:default/ana');
    const json = await service.getEntityOperationsJson(ref, credentials);
    expect(JSON.parse(json)).toEqual(
      await service.getEntityOperations(ref, credentials),
    );
    // Served twice from the cache, still identical.
    expect(await service.getEntityOperationsJson(ref, credentials)).toBe(json);
  });
});
