import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseOperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { AwsOperationsReader } from './AwsOperationsReader';
import { OperationsRefresher } from './OperationsRefresher';
import {
  FakeAwsAccount,
  fakeClientProvider,
  mockAwsAccount,
} from './__testUtils__/fakeAws';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      owner: 'group:default/payments',
      lifecycle: 'production',
    },
  };
}

const mapped = (app: string) =>
  component(app, {
    'cloud-ops.io/aws-tag-selector': `app=${app}`,
    'cloud-ops.io/aws-account': '111122223333',
    'cloud-ops.io/aws-region': 'eu-west-1',
  });

describe.each(databases.eachSupportedId())(
  'OperationsRefresher on %p',
  databaseId => {
    let aws: ReturnType<typeof mockAwsAccount>;
    afterEach(() => aws?.restore());

    async function setup(entities: Entity[]) {
      const knex = await databases.init(databaseId);
      const store = await DatabaseOperationsSnapshotStore.create({
        database: { getClient: async () => knex },
      });
      const account = new FakeAwsAccount({
        entities: 3,
        alarmsPerEntity: 1,
        instancesPerEntity: 1,
      });
      aws = mockAwsAccount(account);
      let now = new Date('2026-11-21T12:00:00.000Z');
      const refresher = new OperationsRefresher({
        reader: new AwsOperationsReader({
          clients: fakeClientProvider,
          logger: mockServices.logger.mock(),
          now: () => now,
        }),
        store,
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        now: () => now,
      });
      return { store, refresher, setNow: (d: string) => (now = new Date(d)) };
    }

    it('stores a snapshot per mapped entity and kind, skipping unmapped ones', async () => {
      const { store, refresher } = await setup([
        mapped('app-0'),
        mapped('app-1'),
        component('plain', {}),
      ]);
      const summary = await refresher.refreshAll();
      expect(summary).toEqual({
        entities: 2,
        snapshots: 6,
        failures: 0,
        removed: 0,
      });
      expect((await store.listEntityRefs()).sort()).toEqual([
        'component:default/app-0',
        'component:default/app-1',
      ]);
      const rows = await store.getSnapshots('component:default/app-0');
      expect(rows.map(r => r.kind).sort()).toEqual([
        'alarms',
        'backups',
        'patch',
      ]);
      expect(
        rows.every(
          r =>
            r.source === 'aws' &&
            !r.stale &&
            r.refreshedAt === '2026-11-21T12:00:00.000Z',
        ),
      ).toBe(true);
    });

    it('keeps the last good snapshot, marked stale with the error, when AWS throttles', async () => {
      const { store, refresher, setNow } = await setup([mapped('app-0')]);
      await refresher.refreshAll();
      const before = (await store.getSnapshots('component:default/app-0')).find(
        r => r.kind === 'alarms',
      )!;
      expect(before.payload).toMatchObject({
        alarms: [{ name: 'app-0-alarm-0' }],
      });

      aws.mocks.cloudwatch.on(DescribeAlarmsCommand).rejects(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
        }),
      );
      setNow('2026-11-21T12:15:00.000Z');
      await expect(refresher.refreshAll()).resolves.toMatchObject({
        failures: 1,
      });

      const rows = await store.getSnapshots('component:default/app-0');
      const alarms = rows.find(r => r.kind === 'alarms')!;
      expect(alarms).toMatchObject({
        payload: before.payload,
        refreshedAt: '2026-11-21T12:00:00.000Z',
        attemptedAt: '2026-11-21T12:15:00.000Z',
        stale: true,
        error: expect.stringContaining('ThrottlingException'),
      });
      expect(rows.find(r => r.kind === 'patch')).toMatchObject({
        stale: false,
        refreshedAt: '2026-11-21T12:15:00.000Z',
      });
    });

    it('records a misconfigured annotation as the error of every kind', async () => {
      const broken = component('broken', {
        'cloud-ops.io/aws-tag-selector': 'app',
        'cloud-ops.io/aws-account': '111122223333',
        'cloud-ops.io/aws-region': 'eu-west-1',
      });
      const { store, refresher } = await setup([broken]);
      await refresher.refreshAll();
      const rows = await store.getSnapshots('component:default/broken');
      expect(rows).toHaveLength(3);
      expect(
        rows.every(
          r =>
            r.stale &&
            /"app" in the tag selector is not key=value/.test(r.error!),
        ),
      ).toBe(true);
    });

    it('removes snapshots of entities that are no longer mapped', async () => {
      const { store, refresher } = await setup([mapped('app-0')]);
      await store.saveReads([
        {
          entityRef: 'component:default/gone',
          kind: 'alarms',
          source: 'aws',
          at: '2026-11-20T00:00:00.000Z',
          ok: true,
          payload: { alarms: [] },
        },
      ]);
      await expect(refresher.refreshAll()).resolves.toMatchObject({
        removed: 1,
      });
      expect(await store.listEntityRefs()).toEqual(['component:default/app-0']);
    });

    it('refreshes one entity on demand', async () => {
      const { store, refresher } = await setup([
        mapped('app-0'),
        mapped('app-1'),
      ]);
      await refresher.refreshEntity(mapped('app-1'));
      expect(await store.listEntityRefs()).toEqual(['component:default/app-1']);
    });

    it('keeps a stack-found entity stale, not deleted, when the stack search fails', async () => {
      const { store, refresher } = await setup([
        mapped('app-0'),
        component('owner-of-stack', {}),
      ]);
      await store.saveReads([
        {
          entityRef: 'component:default/owner-of-stack',
          kind: 'alarms',
          source: 'aws',
          at: '2026-11-21T11:00:00.000Z',
          ok: true,
          payload: { alarms: [{ name: 'from-a-stack' }] },
        },
      ]);
      aws.mocks.tagging.on(GetResourcesCommand).rejects(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
        }),
      );
      await expect(refresher.refreshAll()).resolves.toMatchObject({
        removed: 0,
      });
      const [alarms] = (
        await store.getSnapshots('component:default/owner-of-stack')
      ).filter(r => r.kind === 'alarms');
      expect(alarms).toMatchObject({
        payload: { alarms: [{ name: 'from-a-stack' }] },
        stale: true,
        error: expect.stringContaining('ThrottlingException'),
      });
    });
  },
);
