import { AUDIT_EXPORT_MAX_DAYS } from '@cloud-ops/plugin-ops-common';
import { DateTime } from 'luxon';

/** Today as `YYYY-MM-DD`, in UTC as the audit log keeps time. */
export const todayUtc = (now = new Date()) =>
  DateTime.fromJSDate(now, { zone: 'utc' }).toISODate()!;

/** The first day of this month as `YYYY-MM-DD`, in UTC. */
export const monthStartUtc = (now = new Date()) =>
  DateTime.fromJSDate(now, { zone: 'utc' }).startOf('month').toISODate()!;

/**
 * The instants to export for the days `from` to `to`, both included (UTC),
 * or why they cannot be exported: the server takes `to` as exclusive.
 */
export function exportPeriod(
  from: string,
  to: string,
): { from: string; to: string } | { problem: string } {
  const start = DateTime.fromISO(from, { zone: 'utc' });
  const last = DateTime.fromISO(to, { zone: 'utc' });
  if (!from || !start.isValid) return { problem: 'Pick the first day' };
  if (!to || !last.isValid) return { problem: 'Pick the last day' };
  const end = last.plus({ days: 1 });
  if (last < start) return { problem: 'The last day is before the first' };
  if (end.diff(start, 'days').days > AUDIT_EXPORT_MAX_DAYS) {
    return {
      problem: `At most ${AUDIT_EXPORT_MAX_DAYS} days at once; export a longer period in parts`,
    };
  }
  return { from: start.toISO()!, to: end.toISO()! };
}
