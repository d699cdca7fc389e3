import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  EntityOpsSettings,
  SettingsSnapshot,
  StackSettingsInForce,
} from '@cloud-ops/plugin-ops-common';
import { DatabaseOperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { AwsOperationsReader } from './AwsOperationsReader';
import { OperationsRefresher } from './OperationsRefresher';
import {
  FakeAwsAccount,
  fakeClientProvider,
  mockAwsAccount,
} from './__testUtils__/fakeAws';
import {
  FakeSettingsReader,
  fakeRfcSettings,
} from './__testUtils__/fakeSettings';

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

    async function setup(
      entities: Entity[],
      settings?: {
        settingsReader: FakeSettingsReader;
        rfcSettings: ReturnType<typeof fakeRfcSettings>;
      },
    ) {
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
        ...settings,
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

    describe('with a settings reader', () => {
      const WINDOW_IN_AWS: StackSettingsInForce = {
        maintenanceWindow: {
          id: 'mw-0aaa',
          name: 'cloud-ops-app-0',
          schedule: 'cron(0 2 ? * SUN#1 *)',
          window: {
            week: 1,
            weekday: 'SUN',
            startTime: '02:00',
            durationHours: 1,
          },
          enabled: true,
          nextExecutionAt: '2026-12-06T02:00:00.000Z',
        },
        rejectedUpdates: [],
        backupPlan: null,
      };
      const WINDOW_BY_RFC: EntityOpsSettings = {
        maintenanceWindow: {
          week: 2,
          weekday: 'TUE',
          startTime: '03:00',
          durationHours: 1,
          rfcId: 'RFC-000012',
          at: '2026-11-01T00:00:00.000Z',
        },
        nextMaintenanceAt: '2026-12-08T03:00:00.000Z',
        patchingExclusion: null,
        rejectedUpdates: [],
        backupSchedule: null,
      };

      function withSettings() {
        const settingsReader = new FakeSettingsReader('sandbox');
        const rfcSettings = fakeRfcSettings({
          'component:default/app-0': WINDOW_BY_RFC,
        });
        return { settingsReader, rfcSettings };
      }

      const settingsOf = async (
        store: DatabaseOperationsSnapshotStore,
        ref: string,
      ) => (await store.getSnapshots(ref)).find(r => r.kind === 'settings');

      it('stores a settings snapshot per target, with its drift, from one batched read', async () => {
        const settings = withSettings();
        settings.settingsReader.settings.set(
          'component:default/app-0',
          WINDOW_IN_AWS,
        );
        // A field the reader may still return, not part of the snapshot.
        settings.settingsReader.extraFields = { restoreJobs: [] };
        const { store, refresher } = await setup(
          [mapped('app-0'), mapped('app-1'), component('plain', {})],
          settings,
        );
        await expect(refresher.refreshAll()).resolves.toMatchObject({
          entities: 2,
          snapshots: 8,
          failures: 0,
        });

        expect(settings.settingsReader.calls).toEqual([
          [
            {
              account: '111122223333',
              region: 'eu-west-1',
              entityRef: 'component:default/app-0',
              selector: { app: 'app-0' },
            },
            {
              account: '111122223333',
              region: 'eu-west-1',
              entityRef: 'component:default/app-1',
              selector: { app: 'app-1' },
            },
          ],
        ]);
        expect(settings.rfcSettings.getSettingsOf).toHaveBeenCalledTimes(1);
        expect(settings.rfcSettings.getSettingsOf).toHaveBeenCalledWith([
          'component:default/app-0',
          'component:default/app-1',
        ]);

        const app0 = await settingsOf(store, 'component:default/app-0');
        expect(app0).toMatchObject({
          source: 'sandbox',
          stale: false,
          error: null,
          refreshedAt: '2026-11-21T12:00:00.000Z',
        });
        expect(app0!.payload).toEqual({
          ...WINDOW_IN_AWS,
          drift: [
            {
              setting: 'maintenanceWindow',
              expected:
                'the second Tuesday of each month, 03:00 UTC, for 1 hour (RFC-000012)',
              actual: 'the first Sunday of each month, 02:00 UTC, for 1 hour',
              rfcId: 'RFC-000012',
              message: expect.stringContaining('changed outside the portal'),
            },
          ],
        } satisfies SettingsSnapshot);
        expect(
          (await settingsOf(store, 'component:default/app-1'))!.payload,
        ).toEqual({
          maintenanceWindow: null,
          rejectedUpdates: [],
          backupPlan: null,
          drift: [],
        });
        // The other kinds still come from the operations reader.
        const kinds = (await store.getSnapshots('component:default/app-0'))
          .map(r => `${r.kind}:${r.source}`)
          .sort();
        expect(kinds).toEqual([
          'alarms:aws',
          'backups:aws',
          'patch:aws',
          'settings:sandbox',
        ]);
      });

      it('keeps the last good settings, marked stale with the error, when the read fails, and leaves the other kinds alone', async () => {
        const settings = withSettings();
        settings.settingsReader.settings.set(
          'component:default/app-0',
          WINDOW_IN_AWS,
        );
        const { store, refresher, setNow } = await setup(
          [mapped('app-0')],
          settings,
        );
        await refresher.refreshAll();
        const before = await settingsOf(store, 'component:default/app-0');

        settings.settingsReader.error = Object.assign(
          new Error('Rate exceeded'),
          { name: 'ThrottlingException' },
        );
        setNow('2026-11-21T12:15:00.000Z');
        await expect(refresher.refreshAll()).resolves.toMatchObject({
          failures: 1,
          removed: 0,
        });

        expect(await settingsOf(store, 'component:default/app-0')).toEqual({
          ...before,
          attemptedAt: '2026-11-21T12:15:00.000Z',
          stale: true,
          error: 'Settings in force could not be read: Rate exceeded',
        });
        for (const row of await store.getSnapshots('component:default/app-0')) {
          if (row.kind === 'settings') continue;
          expect(row).toMatchObject({
            stale: false,
            error: null,
            refreshedAt: '2026-11-21T12:15:00.000Z',
          });
        }
      });

      it('drops data of an entity no longer found when only the settings read failed', async () => {
        const settings = withSettings();
        settings.settingsReader.error = new Error('Rate exceeded');
        const { store, refresher } = await setup(
          [mapped('app-0'), component('owner-of-stack', {})],
          settings,
        );
        // Found through a stack last time; the stack search worked this
        // time and did not find it, so a settings failure is no reason to keep it.
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
        await expect(refresher.refreshAll()).resolves.toMatchObject({
          removed: 1,
        });
        expect(await store.listEntityRefs()).toEqual([
          'component:default/app-0',
        ]);
      });

      it("records one entity's failed read on that entity only", async () => {
        const settings = withSettings();
        settings.settingsReader.failures.set(
          'component:default/app-1',
          'AccessDeniedException: ssm:DescribeMaintenanceWindows',
        );
        const { store, refresher } = await setup(
          [mapped('app-0'), mapped('app-1')],
          settings,
        );
        await refresher.refreshAll();
        expect(
          await settingsOf(store, 'component:default/app-1'),
        ).toMatchObject({
          payload: null,
          stale: true,
          error: 'AccessDeniedException: ssm:DescribeMaintenanceWindows',
        });
        expect(
          await settingsOf(store, 'component:default/app-0'),
        ).toMatchObject({ stale: false, error: null });
      });

      it('does not store settings without drift when the RFCs cannot be read', async () => {
        const settings = withSettings();
        settings.rfcSettings.getSettingsOf.mockRejectedValue(
          new Error('connection refused'),
        );
        const { store, refresher } = await setup([mapped('app-0')], settings);
        await refresher.refreshAll();
        expect(
          await settingsOf(store, 'component:default/app-0'),
        ).toMatchObject({
          payload: null,
          stale: true,
          error: expect.stringContaining('connection refused'),
        });
      });

      it('records a misconfigured annotation on the settings too', async () => {
        const { store, refresher } = await setup(
          [
            component('broken', {
              'cloud-ops.io/aws-tag-selector': 'app',
              'cloud-ops.io/aws-account': '111122223333',
              'cloud-ops.io/aws-region': 'eu-west-1',
            }),
          ],
          withSettings(),
        );
        await refresher.refreshAll();
        expect(
          await settingsOf(store, 'component:default/broken'),
        ).toMatchObject({
          source: 'sandbox',
          stale: true,
          error: expect.stringContaining('is not key=value'),
        });
      });

      it('reads the settings of the one entity refreshed on demand', async () => {
        const settings = withSettings();
        const { store, refresher } = await setup(
          [mapped('app-0'), mapped('app-1')],
          settings,
        );
        await refresher.refreshEntity(mapped('app-1'));
        expect(settings.settingsReader.calls).toEqual([
          [expect.objectContaining({ entityRef: 'component:default/app-1' })],
        ]);
        expect(
          await settingsOf(store, 'component:default/app-1'),
        ).toMatchObject({ stale: false });
        expect(
          await settingsOf(store, 'component:default/app-0'),
        ).toBeUndefined();
      });

      it('refuses a settings reader with nothing to compare it with', async () => {
        const { store } = await setup([]);
        expect(
          () =>
            new OperationsRefresher({
              reader: { source: 'aws', read: async () => [] },
              store,
              catalog: catalogServiceMock({ entities: [] }),
              auth: mockServices.auth(),
              logger: mockServices.logger.mock(),
              settingsReader: new FakeSettingsReader(),
            }),
        ).toThrow('a settingsReader needs rfcSettings');
      });
    });
  },
);
