import {
  formatBackupSchedule,
  formatBytes,
  formatDuration,
  formatMaintenanceWindow,
} from './format';

describe('format', () => {
  it('states a maintenance window the way people say it', () => {
    expect(
      formatMaintenanceWindow({
        week: 2,
        weekday: 'TUE',
        startTime: '03:00',
        durationHours: 1,
      }),
    ).toBe('2nd Tuesday, 03:00–04:00 UTC');
    expect(
      formatMaintenanceWindow({
        week: 'last',
        weekday: 'SUN',
        startTime: '23:30',
        durationHours: 1,
      }),
    ).toBe('Last Sunday, 23:30–00:30 UTC');
  });

  it('states a backup schedule', () => {
    expect(
      formatBackupSchedule({
        frequency: 'every-12-hours',
        startTime: '01:00',
        retentionDays: 7,
      }),
    ).toBe('Every 12 hours from 01:00 UTC, kept 7 days');
  });

  it('states durations and sizes', () => {
    expect(formatDuration('2026-03-01T10:00:00Z', '2026-03-01T10:45:00Z')).toBe(
      '45 min',
    );
    expect(formatDuration('2026-03-01T10:00:00Z', '2026-03-01T13:00:00Z')).toBe(
      '3 h',
    );
    expect(formatDuration('2026-03-01T10:00:00Z', '2026-03-04T10:00:00Z')).toBe(
      '3 d',
    );
    expect(formatDuration('2026-03-01T10:00:00Z', 'never')).toBe('—');
    expect(formatBytes(5_368_709_120)).toBe('5.0 GB');
    expect(formatBytes(undefined)).toBeUndefined();
  });
});
