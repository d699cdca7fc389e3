import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import type { NewRfc } from '../../database/RfcStore';
import { EntitySettingsService } from './EntitySettingsService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const STACK = 'resource:default/payments-stack';

const newRfc = (overrides: Partial<NewRfc>): NewRfc => ({
  changeTypeId: 'x',
  changeTypeVersion: '1.0',
  title: 't',
  description: 'd',
  targetEntityRef: STACK,
  parameters: {},
  ownerGroup: 'group:default/payments',
  origin: 'user',
  requester: 'user:default/ana',
  approvalRule: 'none',
  automation: 'automated',
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  risk: 'low',
  status: 'Success',
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'EntitySettingsService on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRfcStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    afterAll(async () => {
      await knex.destroy();
    });

    beforeEach(async () => {
      await knex('ops_rfc_events').delete();
      await knex('ops_rfcs').delete();
    });

    /** Creates an RFC that finished at `at`. */
    async function rfc(at: string, overrides: Partial<NewRfc>) {
      const created = await store.create(newRfc(overrides), []);
      await knex('ops_rfcs')
        .where({ seq: Number(created.id.slice(4)) })
        .update({ updated_at: at });
      return created.id;
    }

    it('derives the settings in force from successful RFCs of the entity', async () => {
      const service = new EntitySettingsService({
        store,
        now: () => new Date('2026-11-01T00:00:00Z'),
      });
      await rfc('2026-10-01T00:00:00.000Z', {
        operation: 'set-maintenance-window',
        parameters: { week: '2', weekday: 'TUE', startTime: '03:00' },
      });
      const latestWindow = await rfc('2026-10-05T00:00:00.000Z', {
        operation: 'set-maintenance-window',
        parameters: { week: '3', weekday: 'WED', startTime: '04:00' },
      });
      // Not in force: still scheduled, another entity, or no operation.
      await rfc('2026-10-09T00:00:00.000Z', {
        operation: 'set-maintenance-window',
        parameters: { week: '1', weekday: 'MON', startTime: '01:00' },
        status: 'Scheduled',
      });
      await rfc('2026-10-09T00:00:00.000Z', {
        operation: 'set-maintenance-window',
        parameters: { week: '1', weekday: 'MON', startTime: '01:00' },
        targetEntityRef: 'resource:default/orders-stack',
      });
      await rfc('2026-10-09T00:00:00.000Z', {
        parameters: { week: '1', weekday: 'MON', startTime: '01:00' },
      });
      const rejection = await rfc('2026-10-06T00:00:00.000Z', {
        operation: 'reject-update',
        parameters: { updateId: 'KB5039212' },
      });
      const backup = await rfc('2026-10-07T00:00:00.000Z', {
        operation: 'set-backup-schedule',
        parameters: {
          frequency: 'weekly',
          startTime: '02:00',
          retentionDays: 90,
        },
      });

      const settings = await service.getSettings(STACK);
      expect(settings).toEqual({
        maintenanceWindow: {
          week: 3,
          weekday: 'WED',
          startTime: '04:00',
          durationHours: 1,
          rfcId: latestWindow,
          at: '2026-10-05T00:00:00.000Z',
        },
        nextMaintenanceAt: '2026-11-18T04:00:00.000Z',
        patchingExclusion: null,
        rejectedUpdates: [
          {
            updateId: 'KB5039212',
            rfcId: rejection,
            at: '2026-10-06T00:00:00.000Z',
          },
        ],
        backupSchedule: {
          frequency: 'weekly',
          startTime: '02:00',
          retentionDays: 90,
          rfcId: backup,
          at: '2026-10-07T00:00:00.000Z',
        },
      });

      // A later apply lifts the rejection.
      await rfc('2026-10-08T00:00:00.000Z', {
        operation: 'apply-update',
        parameters: { updateId: 'KB5039212' },
      });
      expect((await service.getSettings(STACK)).rejectedUpdates).toEqual([]);
    });

    it('reads several entities at once, whatever the case of their refs', async () => {
      const service = new EntitySettingsService({
        store,
        now: () => new Date('2026-11-01T00:00:00Z'),
      });
      await rfc('2026-10-01T00:00:00.000Z', {
        operation: 'exclude-from-patching',
        parameters: { until: '2026-11-20', justification: 'freeze' },
        targetEntityRef: 'resource:default/Orders-Stack',
      });
      await rfc('2026-10-01T00:00:00.000Z', {
        operation: 'set-maintenance-window',
        parameters: { week: 'last', weekday: 'SUN', startTime: '05:00' },
      });
      const all = await service.getSettingsOf([
        'resource:default/orders-stack',
        STACK,
        'resource:default/unknown',
      ]);
      expect([...all.keys()].sort()).toEqual([
        'resource:default/orders-stack',
        STACK,
      ]);
      expect(
        all.get('resource:default/orders-stack')!.settings.patchingExclusion,
      ).toMatchObject({ until: '2026-11-20' });
      expect(all.get(STACK)!.settings.nextMaintenanceAt).toBe(
        '2026-11-29T05:00:00.000Z',
      );
      expect(
        (await service.getSettings('resource:default/orders-stack'))
          .patchingExclusion,
      ).toMatchObject({ until: '2026-11-20', justification: 'freeze' });
    });
  },
);
