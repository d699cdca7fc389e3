import { parseEntityRef } from '@backstage/catalog-model';
import { DateTime } from 'luxon';
import { formatHours } from '../shared/time';

/** Hours as "36 h", or an em dash when nothing was measured. */
export const hours = (value: number | null) =>
  value === null ? '—' : formatHours(value);

/** 0..100 as "97.5 %", or an em dash. */
export const percent = (value: number | null) =>
  value === null ? '—' : `${Math.round(value * 10) / 10} %`;

/** The current month in UTC, as reports count them: `YYYY-MM`. */
export const currentMonth = (now = new Date()) =>
  DateTime.fromJSDate(now, { zone: 'utc' }).toFormat('yyyy-MM');

/** The last `count` months, newest first, as `YYYY-MM`. */
export function recentMonths(count: number, now = new Date()): string[] {
  const start = DateTime.fromJSDate(now, { zone: 'utc' }).startOf('month');
  return Array.from({ length: count }, (_, i) =>
    start.minus({ months: i }).toFormat('yyyy-MM'),
  );
}

/** "February 2026" for `2026-02`. */
export const monthLabel = (month: string) => {
  const t = DateTime.fromFormat(month, 'yyyy-MM', { zone: 'utc' });
  return t.isValid ? t.toFormat('LLLL yyyy') : month;
};

/** The team part of a group ref, safe in a file name. */
export function teamSlug(team: string): string {
  let name = team;
  try {
    name = parseEntityRef(team, { defaultKind: 'group' }).name;
  } catch {
    // keep the raw value
  }
  return name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** `service-report-<team>-<month>.csv` */
export const csvFileName = (team: string, month: string) =>
  `service-report-${teamSlug(team)}-${month}.csv`;

/** Offers text, or a downloaded body, as a file download in the browser. */
export function saveTextFile(
  text: string | Blob,
  fileName: string,
  type: string,
) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
