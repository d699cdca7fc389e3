import type {
  EntityOpsSettings,
  StackSettingsInForce,
} from '@cloud-ops/plugin-ops-common';
import { compareSettings, describeBackupSchedule } from './settingsDrift';

const NOW = new Date('2026-11-21T12:00:00.000Z');

/** What RFC-000012 (window), -13 (exclusion), -14 (rejection) and -15 (backups) set. */
const RFCS: EntityOpsSettings = {
  maintenanceWindow: {
    week: 2,
    weekday: 'TUE',
    startTime: '03:00',
    durationHours: 1,
    rfcId: 'RFC-000012',
    at: '2026-11-01T00:00:00.000Z',
  },
  nextMaintenanceAt: '2026-12-08T03:00:00.000Z',
  patchingExclusion: {
    until: '2026-11-30',
    justification: 'Quarter-end freeze',
    rfcId: 'RFC-000013',
    at: '2026-11-02T00:00:00.000Z',
  },
  rejectedUpdates: [
    {
      updateId: 'KB5040000',
      rfcId: 'RFC-000014',
      at: '2026-11-03T00:00:00.000Z',
    },
  ],
  backupSchedule: {
    frequency: 'daily',
    startTime: '02:00',
    retentionDays: 35,
    rfcId: 'RFC-000015',
    at: '2026-11-04T00:00:00.000Z',
  },
};

/** AWS holding exactly what the RFCs set. */
const MATCHING: StackSettingsInForce = {
  maintenanceWindow: {
    id: 'mw-0123456789abcdef0',
    name: 'cloud-ops-orders-db',
    schedule: 'cron(0 3 ? * TUE#2 *)',
    window: { week: 2, weekday: 'TUE', startTime: '03:00', durationHours: 1 },
    enabled: false,
    excludedUntil: '2026-11-30',
    rfcId: 'RFC-000013',
  },
  rejectedUpdates: [
    { updateId: 'KB5040000', baselineId: 'pb-1', rfcId: 'RFC-000014' },
  ],
  backupPlan: {
    id: 'plan-1',
    name: 'cloud-ops-orders-db',
    schedule: 'cron(0 2 ? * * *)',
    backupSchedule: {
      frequency: 'daily',
      startTime: '02:00',
      retentionDays: 35,
    },
    rfcId: 'RFC-000015',
  },
};

const NOTHING: StackSettingsInForce = {
  maintenanceWindow: null,
  rejectedUpdates: [],
  backupPlan: null,
};

const NO_RFC_SETTINGS: EntityOpsSettings = {
  maintenanceWindow: null,
  nextMaintenanceAt: null,
  patchingExclusion: null,
  rejectedUpdates: [],
  backupSchedule: null,
};

const compare = (
  expected: EntityOpsSettings | undefined,
  inForce: StackSettingsInForce,
  source: 'aws' | 'sandbox' = 'aws',
) => compareSettings({ expected, inForce, source, now: NOW });

describe('compareSettings', () => {
  it('finds no drift when AWS holds what the RFCs set', () => {
    expect(compare(RFCS, MATCHING)).toEqual([]);
  });

  it('finds no drift for an entity without settings in either place', () => {
    expect(compare(undefined, NOTHING)).toEqual([]);
    expect(compare(NO_RFC_SETTINGS, NOTHING)).toEqual([]);
  });

  it('accepts a plain exclusion date and the end of that day as the same end', () => {
    const inForce: StackSettingsInForce = {
      ...MATCHING,
      maintenanceWindow: {
        ...MATCHING.maintenanceWindow!,
        excludedUntil: '2026-12-01T00:00:00.000Z',
      },
    };
    expect(compare(RFCS, inForce)).toEqual([]);
  });

  it('reads a window whose schedule the reader did not parse', () => {
    const { window: _window, ...unparsed } = MATCHING.maintenanceWindow!;
    expect(compare(RFCS, { ...MATCHING, maintenanceWindow: unparsed })).toEqual(
      [],
    );
  });

  describe('a setting that differs', () => {
    it('reports a maintenance window changed in AWS', () => {
      const drift = compare(RFCS, {
        ...MATCHING,
        maintenanceWindow: {
          ...MATCHING.maintenanceWindow!,
          schedule: 'cron(0 2 ? * SUN#1 *)',
          window: {
            week: 1,
            weekday: 'SUN',
            startTime: '02:00',
            durationHours: 1,
          },
        },
      });
      expect(drift).toEqual([
        {
          setting: 'maintenanceWindow',
          expected:
            'the second Tuesday of each month, 03:00 UTC, for 1 hour (RFC-000012)',
          actual:
            'the first Sunday of each month, 02:00 UTC, for 1 hour (RFC-000013)',
          rfcId: 'RFC-000012',
          message: expect.stringContaining('changed outside the portal'),
        },
      ]);
    });

    it('reports a window AWS holds on a schedule the suite does not write', () => {
      const [drift] = compare(RFCS, {
        ...MATCHING,
        maintenanceWindow: {
          ...MATCHING.maintenanceWindow!,
          schedule: 'rate(7 days)',
          window: undefined,
          rfcId: undefined,
        },
      });
      expect(drift).toMatchObject({
        setting: 'maintenanceWindow',
        actual: 'schedule rate(7 days)',
      });
    });

    it('reports an exclusion with another end date', () => {
      const drift = compare(RFCS, {
        ...MATCHING,
        maintenanceWindow: {
          ...MATCHING.maintenanceWindow!,
          excludedUntil: '2026-12-31',
        },
      });
      expect(drift).toEqual([
        {
          setting: 'patchingExclusion',
          expected: 'excluded until 2026-11-30 (RFC-000013)',
          actual: 'excluded until 2026-12-31 (RFC-000013)',
          rfcId: 'RFC-000013',
          message: expect.stringContaining('changed outside the portal'),
        },
      ]);
    });

    it('reports a backup plan changed in AWS', () => {
      const drift = compare(RFCS, {
        ...MATCHING,
        backupPlan: {
          ...MATCHING.backupPlan!,
          schedule: 'cron(0 2 ? * * *)',
          backupSchedule: {
            frequency: 'daily',
            startTime: '02:00',
            retentionDays: 7,
          },
        },
      });
      expect(drift).toEqual([
        {
          setting: 'backupSchedule',
          expected: 'daily from 02:00 UTC, kept 35 days (RFC-000015)',
          actual: 'daily from 02:00 UTC, kept 7 days (RFC-000015)',
          rfcId: 'RFC-000015',
          message: expect.stringContaining('changed outside the portal'),
        },
      ]);
    });

    it('reports a backup rule the suite cannot read back by its raw schedule', () => {
      const [drift] = compare(RFCS, {
        ...MATCHING,
        backupPlan: {
          ...MATCHING.backupPlan!,
          schedule: 'cron(30 4 1 * ? *)',
          backupSchedule: undefined,
        },
      });
      expect(drift).toMatchObject({
        setting: 'backupSchedule',
        actual:
          'backup plan cloud-ops-orders-db, schedule cron(30 4 1 * ? *) (RFC-000015)',
      });
    });
  });

  describe('a setting only AWS has', () => {
    it('reports each one, with no expected value and no RFC', () => {
      const drift = compare(undefined, MATCHING);
      expect(drift).toEqual([
        {
          setting: 'maintenanceWindow',
          expected: null,
          actual:
            'the second Tuesday of each month, 03:00 UTC, for 1 hour (RFC-000013)',
          message:
            'AWS has a maintenance window that no successful RFC set: it was set outside the portal.',
        },
        {
          setting: 'patchingExclusion',
          expected: null,
          actual: 'excluded until 2026-11-30 (RFC-000013)',
          message: expect.stringContaining('no successful RFC excludes it'),
        },
        {
          setting: 'rejectedUpdate',
          updateId: 'KB5040000',
          expected: null,
          actual: 'KB5040000 rejected by patch baseline pb-1 (RFC-000014)',
          message: expect.stringContaining('rejected outside the portal'),
        },
        {
          setting: 'backupSchedule',
          expected: null,
          actual: 'daily from 02:00 UTC, kept 35 days (RFC-000015)',
          message: expect.stringContaining('set outside the portal'),
        },
      ]);
    });

    it('counts a disabled window as an exclusion, and one whose end has passed', () => {
      const disabled = compare(
        { ...RFCS, patchingExclusion: null },
        {
          ...MATCHING,
          maintenanceWindow: {
            ...MATCHING.maintenanceWindow!,
            excludedUntil: undefined,
          },
        },
      );
      expect(disabled).toEqual([
        expect.objectContaining({
          setting: 'patchingExclusion',
          expected: null,
          actual: 'maintenance window disabled, with no end date (RFC-000013)',
        }),
      ]);

      // The RFCs' exclusion has ended; AWS still does not patch.
      const ended = compare(
        { ...RFCS, patchingExclusion: null },
        {
          ...MATCHING,
          maintenanceWindow: {
            ...MATCHING.maintenanceWindow!,
            excludedUntil: '2026-11-10',
          },
        },
      );
      expect(ended).toEqual([
        expect.objectContaining({
          setting: 'patchingExclusion',
          actual: 'excluded until 2026-11-10 (RFC-000013)',
        }),
      ]);
    });

    it('says "the sandbox" for sandbox data', () => {
      const [drift] = compare(
        NO_RFC_SETTINGS,
        { ...NOTHING, backupPlan: MATCHING.backupPlan },
        'sandbox',
      );
      expect(drift.message).toBe(
        'The sandbox has a backup plan for the stack that no successful RFC set: it was set outside the portal.',
      );
    });
  });

  describe('a setting only the RFCs have', () => {
    it('reports each one with the RFC that set it and no actual value', () => {
      const drift = compare(RFCS, NOTHING);
      expect(drift).toEqual([
        {
          setting: 'maintenanceWindow',
          expected:
            'the second Tuesday of each month, 03:00 UTC, for 1 hour (RFC-000012)',
          actual: null,
          rfcId: 'RFC-000012',
          message:
            'RFC-000012 set a maintenance window, but AWS has none: the change was not carried out, or the window was deleted outside the portal.',
        },
        {
          setting: 'patchingExclusion',
          expected: 'excluded until 2026-11-30 (RFC-000013)',
          actual: null,
          rfcId: 'RFC-000013',
          message: expect.stringContaining('still patches it'),
        },
        {
          setting: 'rejectedUpdate',
          updateId: 'KB5040000',
          expected: 'KB5040000 rejected (RFC-000014)',
          actual: null,
          rfcId: 'RFC-000014',
          message: expect.stringContaining(
            'it is installed in the next window',
          ),
        },
        {
          setting: 'backupSchedule',
          expected: 'daily from 02:00 UTC, kept 35 days (RFC-000015)',
          actual: null,
          rfcId: 'RFC-000015',
          message: expect.stringContaining('no backup plan'),
        },
      ]);
    });

    it('reports an exclusion whose window AWS still runs', () => {
      const drift = compare(RFCS, {
        ...MATCHING,
        maintenanceWindow: {
          ...MATCHING.maintenanceWindow!,
          enabled: true,
          excludedUntil: undefined,
        },
      });
      expect(drift).toEqual([
        expect.objectContaining({
          setting: 'patchingExclusion',
          expected: 'excluded until 2026-11-30 (RFC-000013)',
          actual: 'not excluded: the maintenance window is enabled',
        }),
      ]);
    });
  });
});

describe('describeBackupSchedule', () => {
  it('names each frequency', () => {
    expect(
      describeBackupSchedule({
        frequency: 'every-12-hours',
        startTime: '01:00',
        retentionDays: 7,
      }),
    ).toBe('every 12 hours from 01:00 UTC, kept 7 days');
    expect(
      describeBackupSchedule({
        frequency: 'weekly',
        startTime: '01:00',
        retentionDays: 90,
      }),
    ).toBe('weekly on Sundays from 01:00 UTC, kept 90 days');
  });
});
