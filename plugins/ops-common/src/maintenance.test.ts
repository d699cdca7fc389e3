import {
  backupIntervalHours,
  backupScheduleToCron,
  classifyUpdate,
  cronToBackupSchedule,
  cronToMaintenanceWindow,
  deriveEntitySettings,
  maintenanceWindowToCron,
  nextMaintenanceWindow,
  SettingsRfc,
  validateOperationParameters,
} from './maintenance';
import type { MaintenanceWindow } from './patching';

const win = (
  week: MaintenanceWindow['week'],
  weekday: MaintenanceWindow['weekday'],
  startTime: string,
): MaintenanceWindow => ({ week, weekday, startTime, durationHours: 1 });

const next = (window: MaintenanceWindow, after: string) =>
  nextMaintenanceWindow(window, new Date(after)).toISOString();

describe('nextMaintenanceWindow', () => {
  const secondTuesday = win(2, 'TUE', '03:00');

  it('finds the nth weekday of the month', () => {
    expect(next(secondTuesday, '2026-11-01T00:00:00Z')).toBe(
      '2026-11-10T03:00:00.000Z',
    );
    expect(next(win(4, 'SAT', '00:00'), '2026-01-01T00:00:00Z')).toBe(
      '2026-01-24T00:00:00.000Z',
    );
  });

  it('returns a start equal to `after`, and the next month once it has begun', () => {
    expect(next(secondTuesday, '2026-11-10T03:00:00Z')).toBe(
      '2026-11-10T03:00:00.000Z',
    );
    expect(next(secondTuesday, '2026-11-10T03:01:00Z')).toBe(
      '2026-12-08T03:00:00.000Z',
    );
  });

  it('crosses month and year ends', () => {
    expect(next(secondTuesday, '2026-12-20T00:00:00Z')).toBe(
      '2027-01-12T03:00:00.000Z',
    );
    // 1 March 2026 is a Sunday: the first Sunday is the 1st.
    expect(next(win(1, 'SUN', '04:00'), '2026-02-02T00:00:00Z')).toBe(
      '2026-03-01T04:00:00.000Z',
    );
  });

  it('handles the last week, including short months', () => {
    const lastFriday = win('last', 'FRI', '22:30');
    expect(next(lastFriday, '2026-02-01T00:00:00Z')).toBe(
      '2026-02-27T22:30:00.000Z',
    );
    expect(next(lastFriday, '2026-02-27T23:00:00Z')).toBe(
      '2026-03-27T22:30:00.000Z',
    );
    // 30 November 2026 is the last day and a Monday.
    expect(next(win('last', 'MON', '01:00'), '2026-11-24T00:00:00Z')).toBe(
      '2026-11-30T01:00:00.000Z',
    );
    // 1 February 2027 is a Monday; the last Monday is the 22nd.
    expect(next(win('last', 'MON', '01:00'), '2027-02-01T02:00:00Z')).toBe(
      '2027-02-22T01:00:00.000Z',
    );
  });

  it('is in UTC, so a daylight saving change does not move it', () => {
    // Europe and the US change clocks on 29 March / 8 March 2026.
    expect(next(win('last', 'SUN', '01:30'), '2026-03-01T00:00:00Z')).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(next(win(2, 'SUN', '02:30'), '2026-03-01T00:00:00Z')).toBe(
      '2026-03-08T02:30:00.000Z',
    );
  });
});

describe('maintenanceWindowToCron', () => {
  it('writes SSM cron expressions', () => {
    expect(maintenanceWindowToCron(win(2, 'TUE', '03:00'))).toBe(
      'cron(0 3 ? * TUE#2 *)',
    );
    expect(maintenanceWindowToCron(win('last', 'FRI', '22:30'))).toBe(
      'cron(30 22 ? * 6L *)',
    );
    expect(maintenanceWindowToCron(win('last', 'SUN', '00:05'))).toBe(
      'cron(5 0 ? * 1L *)',
    );
  });
});

describe('cronToMaintenanceWindow', () => {
  const windows: MaintenanceWindow[] = [
    { week: 2, weekday: 'TUE', startTime: '03:00', durationHours: 1 },
    { week: 1, weekday: 'SUN', startTime: '00:05', durationHours: 1 },
    { week: 4, weekday: 'SAT', startTime: '23:59', durationHours: 1 },
    { week: 'last', weekday: 'FRI', startTime: '22:30', durationHours: 1 },
    { week: 'last', weekday: 'SUN', startTime: '01:00', durationHours: 1 },
    { week: 'last', weekday: 'SAT', startTime: '12:00', durationHours: 1 },
  ];
  it.each(windows)('reads back %o', window => {
    expect(cronToMaintenanceWindow(maintenanceWindowToCron(window))).toEqual(
      window,
    );
  });
  it.each([
    'cron(0 3 ? * TUE *)',
    'cron(0 3 ? * TUE#5 *)',
    'cron(61 3 ? * TUE#2 *)',
    'cron(0 24 ? * TUE#2 *)',
    'rate(7 days)',
    'cron(0 3 ? * 8L *)',
  ])('is undefined for a schedule the suite does not write: %s', cron => {
    expect(cronToMaintenanceWindow(cron)).toBeUndefined();
  });
});

describe('backupScheduleToCron and cronToBackupSchedule', () => {
  it.each([
    [{ frequency: 'daily', startTime: '01:00' }, 'cron(0 1 ? * * *)'],
    [{ frequency: 'weekly', startTime: '05:30' }, 'cron(30 5 ? * SUN *)'],
    // Twice a day from the hour given, whichever half of the day it is in.
    [
      { frequency: 'every-12-hours', startTime: '14:15' },
      'cron(15 2/12 ? * * *)',
    ],
    [
      { frequency: 'every-12-hours', startTime: '02:15' },
      'cron(15 2/12 ? * * *)',
    ],
  ] as const)('%o is %s', (schedule, cron) => {
    expect(backupScheduleToCron({ ...schedule, retentionDays: 7 })).toBe(cron);
  });
  it('reads a written schedule back with its retention', () => {
    for (const frequency of ['daily', 'weekly', 'every-12-hours'] as const) {
      const schedule = { frequency, startTime: '04:45', retentionDays: 30 };
      const read = cronToBackupSchedule(backupScheduleToCron(schedule), 30);
      expect(read).toEqual(
        frequency === 'every-12-hours'
          ? { ...schedule, startTime: '04:45' }
          : schedule,
      );
    }
  });
  it('is undefined for other schedules', () => {
    expect(cronToBackupSchedule('cron(0 1 ? * MON *)', 7)).toBeUndefined();
    expect(cronToBackupSchedule('cron(0 13/12 ? * * *)', 7)).toBeUndefined();
    expect(cronToBackupSchedule('rate(1 day)', 7)).toBeUndefined();
  });
});

describe('classifyUpdate', () => {
  it.each([
    ['SecurityUpdates', 'Critical', 'critical-security'],
    ['Security', 'Critical', 'critical-security'],
    ['SecurityUpdates', 'Important', 'important'],
    ['CriticalUpdates', 'Critical', 'important'],
    ['Bugfix', 'Important', 'important'],
    ['SecurityUpdates', 'Moderate', 'other'],
    ['Security', 'Medium', 'other'],
    ['Updates', 'Low', 'other'],
    ['Updates', 'Unspecified', 'other'],
  ])('%s rated %s is %s', (classification, severity, expected) => {
    expect(classifyUpdate(classification, severity)).toBe(expected);
  });
});

describe('backupIntervalHours', () => {
  it('follows the frequency', () => {
    expect(backupIntervalHours({ frequency: 'every-12-hours' })).toBe(12);
    expect(backupIntervalHours({ frequency: 'daily' })).toBe(24);
    expect(backupIntervalHours({ frequency: 'weekly' })).toBe(168);
  });
});

describe('validateOperationParameters', () => {
  const now = new Date('2026-11-01T12:00:00Z');

  it('accepts good maintenance windows, with the week as number or text', () => {
    for (const week of [1, '4', 'last']) {
      expect(
        validateOperationParameters(
          'set-maintenance-window',
          { week, weekday: 'TUE', startTime: '03:00' },
          now,
        ),
      ).toEqual([]);
    }
  });

  it('names every bad maintenance window field', () => {
    expect(
      validateOperationParameters(
        'set-maintenance-window',
        { week: 5, weekday: 'Tuesday', startTime: '3am' },
        now,
      ),
    ).toEqual([
      'parameters.week: must be 1, 2, 3, 4 or "last"',
      'parameters.weekday: must be one of MON, TUE, WED, THU, FRI, SAT, SUN',
      'parameters.startTime: must be a UTC time HH:MM such as 03:00',
    ]);
    expect(
      validateOperationParameters(
        'set-maintenance-window',
        { week: 1, weekday: 'MON', startTime: '24:00' },
        now,
      ),
    ).toEqual(['parameters.startTime: must be a UTC time HH:MM such as 03:00']);
  });

  it('bounds a patching exclusion to 90 days ahead', () => {
    const exclude = (until: unknown) =>
      validateOperationParameters(
        'exclude-from-patching',
        { until, justification: 'release freeze' },
        now,
      );
    expect(exclude('2026-12-15')).toEqual([]);
    expect(exclude('2027-01-30')).toEqual([]);
    expect(exclude('2027-01-31')).toEqual([
      'parameters.until: must be at most 90 days ahead, i.e. on or before 2027-01-30',
    ]);
    expect(exclude('2026-10-31')).toEqual([
      'parameters.until: 2026-10-31 has passed; choose a later date',
    ]);
    expect(exclude('next month')).toEqual([
      'parameters.until: must be a date such as 2026-12-31',
    ]);
    expect(exclude(undefined)).toEqual([
      'parameters.until: must be a date such as 2026-12-31',
    ]);
  });

  it('requires an update id to reject or apply', () => {
    for (const op of ['reject-update', 'apply-update'] as const) {
      expect(validateOperationParameters(op, { updateId: ' ' }, now)).toEqual([
        'parameters.updateId: is required, e.g. KB5039212 or ALAS2-2026-0412',
      ]);
      expect(
        validateOperationParameters(op, { updateId: 'KB5039212' }, now),
      ).toEqual([]);
    }
  });

  it('checks backup schedules', () => {
    expect(
      validateOperationParameters(
        'set-backup-schedule',
        { frequency: 'daily', startTime: '01:00', retentionDays: 35 },
        now,
      ),
    ).toEqual([]);
    expect(
      validateOperationParameters(
        'set-backup-schedule',
        { frequency: 'hourly', startTime: '1:00', retentionDays: 366 },
        now,
      ),
    ).toEqual([
      'parameters.frequency: must be one of every-12-hours, daily, weekly',
      'parameters.startTime: must be a UTC time HH:MM such as 01:00',
      'parameters.retentionDays: must be a whole number of days from 1 to 365',
    ]);
    expect(
      validateOperationParameters(
        'set-backup-schedule',
        { frequency: 'weekly', startTime: '01:00', retentionDays: 0 },
        now,
      ),
    ).toEqual([
      'parameters.retentionDays: must be a whole number of days from 1 to 365',
    ]);
  });

  it('requires a recovery point to restore from', () => {
    expect(
      validateOperationParameters('restore-from-recovery-point', {}, now),
    ).toEqual([
      'parameters.recoveryPointId: is required; pick a recovery point',
    ]);
    expect(
      validateOperationParameters(
        'restore-from-recovery-point',
        { recoveryPointId: 'snap-0abc' },
        now,
      ),
    ).toEqual([]);
    expect(validateOperationParameters('take-snapshot', {}, now)).toEqual([]);
    expect(validateOperationParameters('include-in-patching', {}, now)).toEqual(
      [],
    );
  });

  it('reads only parameters the RFC gave itself, never inherited ones', () => {
    // As if a request had replaced the parameters' prototype.
    const inherit = (values: Record<string, unknown>) =>
      Object.create(values) as Record<string, unknown>;
    expect(
      validateOperationParameters(
        'set-maintenance-window',
        inherit({ week: 2, weekday: 'TUE', startTime: '03:00' }),
        now,
      ),
    ).toHaveLength(3);
    expect(
      validateOperationParameters(
        'set-backup-schedule',
        inherit({ frequency: 'daily', startTime: '01:00', retentionDays: 35 }),
        now,
      ),
    ).toHaveLength(3);
    for (const op of ['reject-update', 'apply-update'] as const) {
      expect(
        validateOperationParameters(op, inherit({ updateId: 'KB1' }), now),
      ).toEqual([
        'parameters.updateId: is required, e.g. KB5039212 or ALAS2-2026-0412',
      ]);
    }
    expect(
      validateOperationParameters(
        'restore-from-recovery-point',
        inherit({ recoveryPointId: 'snap-0abc' }),
        now,
      ),
    ).toEqual([
      'parameters.recoveryPointId: is required; pick a recovery point',
    ]);
    // Names Object.prototype has are no parameters either.
    expect(
      validateOperationParameters(
        'set-maintenance-window',
        JSON.parse('{"week":"last","weekday":"MON","startTime":"03:00"}'),
        now,
      ),
    ).toEqual([]);
    expect(
      validateOperationParameters(
        'exclude-from-patching',
        inherit({ until: '2026-12-15' }),
        now,
      ),
    ).toEqual(['parameters.until: must be a date such as 2026-12-31']);
  });
});

describe('deriveEntitySettings', () => {
  const now = new Date('2026-11-01T12:00:00Z');
  let seq = 0;
  const rfc = (
    operation: SettingsRfc['operation'],
    parameters: Record<string, unknown>,
    updatedAt: string,
    status: SettingsRfc['status'] = 'Success',
  ): SettingsRfc => {
    seq += 1;
    return {
      id: `RFC-${String(seq).padStart(6, '0')}`,
      operation,
      parameters,
      status,
      updatedAt,
    };
  };

  it('has no settings without successful RFCs', () => {
    expect(
      deriveEntitySettings(
        [
          rfc(
            'set-maintenance-window',
            { week: 1, weekday: 'MON', startTime: '02:00' },
            '2026-10-01T00:00:00.000Z',
            'Scheduled',
          ),
          rfc(undefined, { week: 1 }, '2026-10-01T00:00:00.000Z'),
        ],
        now,
      ),
    ).toEqual({
      maintenanceWindow: null,
      nextMaintenanceAt: null,
      patchingExclusion: null,
      rejectedUpdates: [],
      backupSchedule: null,
    });
  });

  it('takes the latest successful RFC of each kind, whatever the input order', () => {
    const newer = rfc(
      'set-maintenance-window',
      { week: 'last', weekday: 'SAT', startTime: '23:00' },
      '2026-10-20T08:00:00.000Z',
    );
    const older = rfc(
      'set-maintenance-window',
      { week: '2', weekday: 'TUE', startTime: '03:00' },
      '2026-10-01T08:00:00.000Z',
    );
    const failed = rfc(
      'set-maintenance-window',
      { week: 1, weekday: 'MON', startTime: '01:00' },
      '2026-10-25T08:00:00.000Z',
      'Failure',
    );
    const backup = rfc(
      'set-backup-schedule',
      { frequency: 'every-12-hours', startTime: '01:00', retentionDays: '14' },
      '2026-10-02T08:00:00.000Z',
    );
    const settings = deriveEntitySettings([newer, backup, failed, older], now);
    expect(settings.maintenanceWindow).toEqual({
      week: 'last',
      weekday: 'SAT',
      startTime: '23:00',
      durationHours: 1,
      rfcId: newer.id,
      at: newer.updatedAt,
    });
    // The last Saturday of November 2026 is the 28th.
    expect(settings.nextMaintenanceAt).toBe('2026-11-28T23:00:00.000Z');
    expect(settings.backupSchedule).toEqual({
      frequency: 'every-12-hours',
      startTime: '01:00',
      retentionDays: 14,
      rfcId: backup.id,
      at: backup.updatedAt,
    });
  });

  it('ends an exclusion at its date or when an inclusion follows it', () => {
    const excluded = rfc(
      'exclude-from-patching',
      { until: '2026-11-01', justification: 'release freeze' },
      '2026-10-10T00:00:00.000Z',
    );
    // In force through the whole of its last day.
    expect(deriveEntitySettings([excluded], now).patchingExclusion).toEqual({
      until: '2026-11-01',
      justification: 'release freeze',
      rfcId: excluded.id,
      at: excluded.updatedAt,
    });
    expect(
      deriveEntitySettings([excluded], new Date('2026-11-02T00:00:00Z'))
        .patchingExclusion,
    ).toBeNull();

    const included = rfc('include-in-patching', {}, '2026-10-11T00:00:00.000Z');
    expect(
      deriveEntitySettings([included, excluded], now).patchingExclusion,
    ).toBeNull();
    const excludedAgain = rfc(
      'exclude-from-patching',
      { until: '2026-12-01', justification: 'second freeze' },
      '2026-10-12T00:00:00.000Z',
    );
    expect(
      deriveEntitySettings([excluded, included, excludedAgain], now)
        .patchingExclusion?.rfcId,
    ).toBe(excludedAgain.id);
  });

  it('lifts a rejection when the update is applied later, not earlier', () => {
    const applyEarly = rfc(
      'apply-update',
      { updateId: 'KB5039212' },
      '2026-10-01T00:00:00.000Z',
    );
    const reject = rfc(
      'reject-update',
      { updateId: 'KB5039212' },
      '2026-10-05T00:00:00.000Z',
    );
    const rejectOther = rfc(
      'reject-update',
      { updateId: 'ALAS2-2026-0412' },
      '2026-10-06T00:00:00.000Z',
    );
    expect(
      deriveEntitySettings([applyEarly, reject, rejectOther], now)
        .rejectedUpdates,
    ).toEqual([
      { updateId: 'KB5039212', rfcId: reject.id, at: reject.updatedAt },
      {
        updateId: 'ALAS2-2026-0412',
        rfcId: rejectOther.id,
        at: rejectOther.updatedAt,
      },
    ]);
    const apply = rfc(
      'apply-update',
      { updateId: 'KB5039212' },
      '2026-10-07T00:00:00.000Z',
    );
    expect(
      deriveEntitySettings([reject, rejectOther, apply], now).rejectedUpdates,
    ).toEqual([
      {
        updateId: 'ALAS2-2026-0412',
        rfcId: rejectOther.id,
        at: rejectOther.updatedAt,
      },
    ]);
  });

  it('breaks ties on the finishing time by RFC number and skips bad parameters', () => {
    const first = rfc(
      'set-backup-schedule',
      { frequency: 'daily', startTime: '01:00', retentionDays: 7 },
      '2026-10-01T00:00:00.000Z',
    );
    const second = rfc(
      'set-backup-schedule',
      { frequency: 'weekly', startTime: '02:00', retentionDays: 30 },
      '2026-10-01T00:00:00.000Z',
    );
    const broken = rfc(
      'set-backup-schedule',
      { frequency: 'hourly' },
      '2026-10-03T00:00:00.000Z',
    );
    expect(
      deriveEntitySettings([second, broken, first], now).backupSchedule?.rfcId,
    ).toBe(second.id);
  });
});
