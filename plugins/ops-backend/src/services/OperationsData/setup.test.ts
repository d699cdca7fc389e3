import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { DatabaseOperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { opsPlugin } from '../../plugin';
import { createOperationsData } from './index';
import { NO_SETTINGS } from './OperationsService';
import type { SandboxOperationsReaderOptions } from './SandboxOperationsReader';
import {
  FakeSettingsReader,
  fakeRfcSettings,
} from './__testUtils__/fakeSettings';

jest.setTimeout(60_000);

function load(file: string): Entity[] {
  return parseAllDocuments(
    fs.readFileSync(
      path.resolve(__dirname, '../../../../../examples', file),
      'utf8',
    ),
  ).map(d => d.toJSON() as Entity);
}

describe('operations data in the ops plugin, sandbox', () => {
  const entities = [...load('org.yaml'), ...load('entities.yaml')];
  const components = entities.filter(e => e.kind === 'Component');

  it('answers the operations request for every example component with coherent sandbox data', async () => {
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            ops: {
              centralIt: { group: 'group:default/central-it' },
              aws: { implementation: 'sandbox' },
              tagPolicy: {
                rules: [
                  {
                    kind: 'Component',
                    required: ['cost-center', 'environment'],
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    const auth = mockCredentials.user.header('user:default/ana');
    expect(components.length).toBeGreaterThanOrEqual(4);
    const states = new Set<string>();
    for (const c of components) {
      const base = `/api/ops/entities/component/default/${c.metadata.name}/operations`;
      const refreshed = await request(server)
        .post(`${base}/refresh`)
        .set('Authorization', auth);
      expect(refreshed.status).toBe(200);
      const res = await request(server).get(base).set('Authorization', auth);
      expect(res.status).toBe(200);
      for (const kind of ['alarms', 'patch', 'backups']) {
        expect(res.body[kind]).toMatchObject({
          source: 'sandbox',
          stale: false,
        });
        expect(res.body[kind].data).not.toBeNull();
      }
      // Alarms belong to the component's own stack.
      for (const a of res.body.alarms.data.alarms) {
        expect(a.name.startsWith(c.metadata.name)).toBe(true);
        states.add(`alarm:${a.state}`);
      }
      for (const i of res.body.patch.data.instances)
        states.add(i.compliant ? 'patched' : 'unpatched');
      for (const b of res.body.backups.data.resources)
        states.add(b.overdue ? 'overdue' : 'backed-up');
      expect(res.body.raci).toBeUndefined();
      expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(8192);
      expect(res.body.tagCompliance.violations).toEqual(expect.any(Array));
      // Wired to the RFC store; no RFCs exist yet in this backend.
      expect(res.body.recentRfcs).toEqual({ available: true, items: [] });
    }
    // The RACI matrix, resolved per entity by the tab, is its own request.
    const raci = await request(server)
      .get('/api/ops/raci')
      .set('Authorization', auth);
    expect(raci.status).toBe(200);
    expect(raci.body).toEqual({
      centralItGroup: 'group:default/central-it',
      overrides: null,
    });
    expect(states).toEqual(
      new Set([
        'alarm:ALARM',
        'alarm:OK',
        'patched',
        'unpatched',
        'overdue',
        'backed-up',
      ]),
    );
  });

  it('shows a stack the sandbox Service Catalog provisioned on the stack and on its component', async () => {
    const arn =
      'arn:aws:servicecatalog:eu-west-1:111122223333:stack/payments-cache/pp-3kq7x2m4abcde';
    const stack: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'payments-cache',
        namespace: 'default',
        annotations: {
          'cloud-ops.io/aws-tag-selector': `aws:servicecatalog:provisionedProductArn=${arn}`,
          'cloud-ops.io/aws-account': '111122223333',
          'cloud-ops.io/aws-region': 'eu-west-1',
          'cloud-ops.io/provisioned-product-id': 'pp-3kq7x2m4abcde',
        },
      },
      spec: {
        type: 'stack',
        owner: 'group:default/payments',
        dependencyOf: ['component:default/payments-ledger'],
      },
    };
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        catalogServiceMock.factory({ entities: [...entities, stack] }),
        mockServices.rootConfig.factory({
          data: { ops: { aws: { implementation: 'sandbox' } } },
        }),
      ],
    });
    const auth = mockCredentials.user.header('user:default/ana');
    const read = async (entityPath: string) => {
      await request(server)
        .post(`/api/ops/entities/${entityPath}/operations/refresh`)
        .set('Authorization', auth);
      return (
        await request(server)
          .get(`/api/ops/entities/${entityPath}/operations`)
          .set('Authorization', auth)
      ).body;
    };
    const ownInstances = (
      await read('resource/default/payments-cache')
    ).patch.data.instances.map((i: any) => i.instanceId);
    expect(ownInstances).toHaveLength(1);
    const component = await read('component/default/payments-ledger');
    const componentInstances = component.patch.data.instances.map(
      (i: any) => i.instanceId,
    );
    // The component's own sandbox stack, plus the provisioned one.
    expect(componentInstances).toEqual([
      'i-0b6e2f3a4d5c60001',
      ownInstances[0],
    ]);
    expect(component.alarms.data.alarms.map((a: any) => a.name)).toContain(
      'pp-3kq7x2m4abcde-cpu-high',
    );
  });
});

describe('createOperationsData', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const entities = load('entities.yaml');

  it('reads the settings in force on each refresh with the settings reader, and gives the sandbox reader the sandbox account', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseOperationsSnapshotStore.create({
      database: { getClient: async () => knex },
    });
    const settingsReader = new FakeSettingsReader('sandbox');
    const rfcSettings = fakeRfcSettings();
    // Whatever the sandbox reader asks of the account, it answers "nothing set".
    const asked = new Set<PropertyKey>();
    const sandboxAccount = new Proxy(
      {},
      {
        get: (_target, property) => {
          asked.add(property);
          return () => undefined;
        },
      },
    ) as SandboxOperationsReaderOptions['account'];
    const operations = createOperationsData({
      config: new ConfigReader({ ops: { aws: { implementation: 'sandbox' } } }),
      logger: mockServices.logger.mock(),
      auth: mockServices.auth(),
      catalog: catalogServiceMock({ entities }),
      store,
      settings: { getSettings: async () => NO_SETTINGS, ...rfcSettings },
      settingsReader,
      sandboxAccount,
      listProvisionedStacks: async () => [],
    });

    await operations.refresher.refreshAll();
    expect(settingsReader.calls).toHaveLength(1);
    expect(settingsReader.calls[0].map(s => s.entityRef)).toContain(
      'component:default/payments-api',
    );
    expect(asked.size).toBeGreaterThan(0);
    const view = await operations.service.getEntityOperations(
      { kind: 'component', namespace: 'default', name: 'payments-api' },
      mockCredentials.user('user:default/ana'),
    );
    expect(view.settingsInForce).toMatchObject({
      source: 'sandbox',
      stale: false,
      data: { maintenanceWindow: null, drift: [] },
    });
  });
});
