import { DateTime } from 'luxon';

/** "3 hours ago", or an em dash when there is no time. */
export function relativeTime(iso?: string | null, now?: Date): string {
  if (!iso) return '—';
  const t = DateTime.fromISO(iso);
  if (!t.isValid) return iso;
  return (
    t.toRelative({ base: now ? DateTime.fromJSDate(now) : undefined }) ?? iso
  );
}

/** A date and time in the reader's locale and zone. */
export function formatTime(iso?: string | null): string {
  if (!iso) return '—';
  const t = DateTime.fromISO(iso);
  return t.isValid ? t.toLocaleString(DateTime.DATETIME_MED) : iso;
}

/** Hours as "36 h" or "2.5 d". */
export function formatHours(hours: number): string {
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} d`;
}
