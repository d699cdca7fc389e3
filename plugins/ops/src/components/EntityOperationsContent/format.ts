import type {
  BackupSchedule,
  MaintenanceWindow,
  Weekday,
} from '@cloud-ops/plugin-ops-common';
import { DateTime } from 'luxon';
import { formatHours } from '../shared/time';

const WEEKDAYS: Record<Weekday, string> = {
  MON: 'Monday',
  TUE: 'Tuesday',
  WED: 'Wednesday',
  THU: 'Thursday',
  FRI: 'Friday',
  SAT: 'Saturday',
  SUN: 'Sunday',
};

const ORDINALS: Record<MaintenanceWindow['week'], string> = {
  1: '1st',
  2: '2nd',
  3: '3rd',
  4: '4th',
  last: 'Last',
};

/** "03:00" plus hours, on a 24-hour clock. */
function addHours(hhmm: string, hours: number): string {
  const [h, m] = hhmm.split(':').map(Number);
  const minutes = (((h * 60 + m + hours * 60) % 1440) + 1440) % 1440;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, '0');
  return `${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/** "2nd Tuesday, 03:00–04:00 UTC" */
export function formatMaintenanceWindow(window: MaintenanceWindow): string {
  const end = addHours(window.startTime, window.durationHours || 1);
  return `${ORDINALS[window.week] ?? window.week} ${
    WEEKDAYS[window.weekday] ?? window.weekday
  }, ${window.startTime}–${end} UTC`;
}

const FREQUENCIES: Record<BackupSchedule['frequency'], string> = {
  'every-12-hours': 'Every 12 hours',
  daily: 'Daily',
  weekly: 'Weekly',
};

/** "Daily from 02:00 UTC, kept 35 days" */
export function formatBackupSchedule(schedule: BackupSchedule): string {
  return `${FREQUENCIES[schedule.frequency] ?? schedule.frequency} from ${
    schedule.startTime
  } UTC, kept ${schedule.retentionDays} days`;
}

/** The time between two instants as "45 min", "3 h" or "2.5 d". */
export function formatDuration(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return formatHours(ms / 3_600_000);
}

/** "5.0 GB" */
export function formatBytes(bytes?: number): string | undefined {
  if (bytes === undefined) return undefined;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A date and time in the reader's zone, naming the zone: "Tue, Mar 10, 2026, 4:00 AM GMT+1". */
export function formatLocalWithZone(iso?: string | null): string {
  if (!iso) return '—';
  const t = DateTime.fromISO(iso);
  return t.isValid
    ? t.toLocaleString({
        ...DateTime.DATETIME_MED_WITH_WEEKDAY,
        timeZoneName: 'short',
      })
    : iso;
}

/** A date in the reader's locale: "Mar 10, 2026". */
export function formatDate(iso?: string | null): string {
  if (!iso) return '—';
  const t = DateTime.fromISO(iso);
  return t.isValid ? t.toLocaleString(DateTime.DATE_MED) : iso;
}
