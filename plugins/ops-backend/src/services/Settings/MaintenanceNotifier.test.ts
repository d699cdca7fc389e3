import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  PatchSnapshot,
  SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import type { NewRfc } from '../../database/RfcStore';
import { BackstageOpsNotifier } from '../Notifications';
import { MaintenanceNotifier } from './MaintenanceNotifier';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const newRfc = (overrides: Partial<NewRfc>): NewRfc => ({
  changeTypeId: 'x',
  changeTypeVersion: '1.0',
  title: 't',
  description: 'd',
  targetEntityRef: 'resource:default/payments-stack',
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

// The second Tuesday of November 2026 is the 10th.
const SECOND_TUESDAY = { week: '2', weekday: 'TUE', startTime: '03:00' };

describe.each(databases.eachSupportedId())(
  'MaintenanceNotifier on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRfcStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    afterEach(async () => {
      await knex.destroy();
    });

    /** `inForce`: settings snapshots by entity ref, as the last refresh stored them. */
    async function setup(
      now: { value: Date },
      inForce: Record<string, SettingsSnapshot> = {},
    ) {
      const send = jest.fn();
      const notifications = { send } as unknown as NotificationService;
      const opsNotifier = await BackstageOpsNotifier.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
        notifications,
        logger: mockServices.logger.mock(),
        now: () => now.value,
      });
      const patch: PatchSnapshot = {
        unmanagedInstanceIds: [],
        instances: [
          {
            instanceId: 'i-1',
            installed: 10,
            missing: 3,
            failed: 0,
            criticalMissing: 1,
            securityMissing: 2,
            compliant: false,
            pendingUpdates: [
              {
                id: 'KB5039212',
                title: 'Cumulative update',
                classification: 'SecurityUpdates',
                severity: 'Important',
                updateClass: 'important',
              },
              {
                id: 'KB5040000',
                title: 'Rejected update',
                classification: 'CriticalUpdates',
                severity: 'Critical',
                updateClass: 'important',
              },
              {
                id: 'KB5041111',
                title: 'Out-of-band fix',
                classification: 'SecurityUpdates',
                severity: 'Critical',
                updateClass: 'critical-security',
              },
            ],
          },
        ],
      };
      const notifier = new MaintenanceNotifier({
        store,
        notifier: opsNotifier,
        logger: mockServices.logger.mock(),
        snapshots: {
          getSnapshots: async ref =>
            ref === 'resource:default/payments-stack'
              ? [
                  {
                    entityRef: ref,
                    kind: 'patch',
                    source: 'sandbox',
                    payload: patch,
                    refreshedAt: '2026-11-07T00:00:00.000Z',
                    attemptedAt: '2026-11-07T00:00:00.000Z',
                    error: null,
                    stale: false,
                  },
                ]
              : [],
          listSnapshots: async ({ kind, entityRefs }) =>
            kind === 'settings'
              ? entityRefs
                  .filter(ref => inForce[ref])
                  .map(ref => ({
                    entityRef: ref,
                    kind: 'settings',
                    source: 'sandbox',
                    payload: inForce[ref],
                    refreshedAt: '2026-11-07T00:00:00.000Z',
                    attemptedAt: '2026-11-07T00:00:00.000Z',
                    error: null,
                    stale: false,
                  }))
              : [],
        },
        notifyBeforeHours: 72,
        now: () => now.value,
      });
      return { notifier, send };
    }

    it('tells the owner once per window occurrence, within the notice period', async () => {
      const now = { value: new Date('2026-11-06T00:00:00Z') };
      const { notifier, send } = await setup(now);
      await store.create(
        newRfc({
          operation: 'set-maintenance-window',
          parameters: SECOND_TUESDAY,
          ownerGroup: 'group:default/old-owner',
        }),
        [],
      );
      await store.create(
        newRfc({
          operation: 'reject-update',
          parameters: { updateId: 'KB5040000' },
        }),
        [],
      );

      // More than 72 hours before 10 November 03:00.
      expect(await notifier.run()).toBe(0);
      expect(send).not.toHaveBeenCalled();

      now.value = new Date('2026-11-07T04:00:00Z');
      expect(await notifier.run()).toBe(1);
      expect(send).toHaveBeenCalledTimes(1);
      const [{ recipients, payload }] = send.mock.calls[0];
      // The owner of the latest RFC.
      expect(recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/payments'],
      });
      expect(payload).toMatchObject({
        topic: 'maintenance-upcoming',
        link: '/catalog/default/resource/payments-stack/operations',
        title:
          'Maintenance of resource:default/payments-stack on 2026-11-10 03:00 UTC',
      });
      expect(payload.description).toContain(
        'the second Tuesday of each month, 03:00 UTC, for 1 hour',
      );
      // Pending Important updates, without the rejected one or critical security ones.
      expect(payload.description).toContain(
        '1 Important Update is pending: KB5039212.',
      );

      // Later runs for the same occurrence send nothing more.
      now.value = new Date('2026-11-09T00:00:00Z');
      expect(await notifier.run()).toBe(0);
      expect(send).toHaveBeenCalledTimes(1);

      // The December occurrence (the 8th) is a new one.
      now.value = new Date('2026-12-05T12:00:00Z');
      expect(await notifier.run()).toBe(1);
      expect(send).toHaveBeenCalledTimes(2);
      expect(send.mock.calls[1][0].payload.title).toContain('2026-12-08 03:00');
    });

    it('leaves out stacks excluded from patching at the window', async () => {
      const now = { value: new Date('2026-11-08T00:00:00Z') };
      const { notifier, send } = await setup(now);
      for (const stack of ['excluded', 'resumes-before', 'included']) {
        await store.create(
          newRfc({
            targetEntityRef: `resource:default/${stack}`,
            operation: 'set-maintenance-window',
            parameters: SECOND_TUESDAY,
          }),
          [],
        );
      }
      await store.create(
        newRfc({
          targetEntityRef: 'resource:default/excluded',
          operation: 'exclude-from-patching',
          parameters: { until: '2026-11-30', justification: 'freeze' },
        }),
        [],
      );
      // Excluded now, but the exclusion ends before the window starts.
      await store.create(
        newRfc({
          targetEntityRef: 'resource:default/resumes-before',
          operation: 'exclude-from-patching',
          parameters: { until: '2026-11-08', justification: 'freeze' },
        }),
        [],
      );
      // A window set but never successfully: no notice.
      await store.create(
        newRfc({
          targetEntityRef: 'resource:default/pending',
          operation: 'set-maintenance-window',
          parameters: SECOND_TUESDAY,
          status: 'Scheduled',
        }),
        [],
      );

      expect(await notifier.run()).toBe(2);
      const links = send.mock.calls.map(c => c[0].payload.link).sort();
      expect(links).toEqual([
        '/catalog/default/resource/included/operations',
        '/catalog/default/resource/resumes-before/operations',
      ]);
      // Without a patch read, the pending updates are not mentioned.
      expect(send.mock.calls[0][0].payload.description).not.toContain(
        'pending',
      );
    });

    it('announces the window in force in AWS rather than the one the RFCs set', async () => {
      // The RFCs say the second Tuesday (8 December); AWS holds the first
      // Sunday at 02:00 (6 December), changed outside the portal.
      const now = { value: new Date('2026-12-04T00:00:00Z') };
      const inForce = (
        overrides: Partial<
          NonNullable<SettingsSnapshot['maintenanceWindow']>
        > = {},
      ): SettingsSnapshot => ({
        maintenanceWindow: {
          id: 'mw-1',
          name: 'cloud-ops-payments-stack',
          schedule: 'cron(0 2 ? * SUN#1 *)',
          enabled: true,
          ...overrides,
        },
        rejectedUpdates: [
          { updateId: 'KB5039212', baselineId: 'pb-1', rfcId: 'RFC-000002' },
        ],
        backupPlan: null,
        drift: [],
      });
      const { notifier, send } = await setup(now, {
        'resource:default/payments-stack': inForce(),
        'resource:default/disabled': inForce({ enabled: false }),
        // Its exclusion ended, but the window was never enabled again.
        'resource:default/still-disabled': inForce({
          enabled: false,
          excludedUntil: '2026-12-01',
        }),
        // Excluded until after this occurrence.
        'resource:default/excluded': inForce({
          enabled: false,
          excludedUntil: '2026-12-31',
        }),
        'resource:default/no-window': { ...inForce(), maintenanceWindow: null },
      });
      for (const stack of [
        'payments-stack',
        'disabled',
        'still-disabled',
        'excluded',
        'no-window',
        'not-read',
      ]) {
        await store.create(
          newRfc({
            targetEntityRef: `resource:default/${stack}`,
            operation: 'set-maintenance-window',
            parameters: SECOND_TUESDAY,
          }),
          [],
        );
      }

      expect(await notifier.run()).toBe(1);
      const [{ payload }] = send.mock.calls[0];
      expect(payload).toMatchObject({
        link: '/catalog/default/resource/payments-stack/operations',
        title:
          'Maintenance of resource:default/payments-stack on 2026-12-06 02:00 UTC',
      });
      expect(payload.description).toContain(
        'the first Sunday of each month, 02:00 UTC, for 1 hour',
      );
      // AWS rejects KB5039212, so it is not announced as pending.
      expect(payload.description).toContain(
        '1 Important Update is pending: KB5040000.',
      );

      // Without a settings snapshot, the RFCs' window (8 December) is announced.
      now.value = new Date('2026-12-06T12:00:00Z');
      expect(await notifier.run()).toBe(1);
      expect(send.mock.calls[1][0].payload.link).toBe(
        '/catalog/default/resource/not-read/operations',
      );
    });
  },
);
