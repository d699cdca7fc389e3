import { Duration } from 'luxon';

/** How long a change is assumed to take when nothing says so. @public */
export const DEFAULT_CHANGE_DURATION_MINUTES = 60;

/**
 * The window an RFC asks for: from its requested start (or `now`, for one
 * that starts as soon as it may) to its requested end, or else its start
 * plus the change type's expected duration.
 *
 * @public
 */
export function rfcWindow(
  rfc: {
    requestedStartTime?: string;
    requestedEndTime?: string;
    expectedDuration?: string;
  },
  now: Date,
): { start: Date; end: Date } {
  const start = rfc.requestedStartTime ? new Date(rfc.requestedStartTime) : now;
  if (rfc.requestedEndTime) {
    const end = new Date(rfc.requestedEndTime);
    if (end.getTime() > start.getTime()) return { start, end };
  }
  const duration = rfc.expectedDuration
    ? Duration.fromISO(rfc.expectedDuration)
    : undefined;
  const ms =
    duration?.isValid && duration.as('milliseconds') > 0
      ? duration.as('milliseconds')
      : DEFAULT_CHANGE_DURATION_MINUTES * 60_000;
  return { start, end: new Date(start.getTime() + ms) };
}

/** True when `[a.start, a.end)` and `[b.start, b.end)` share a moment. @public */
export function windowsOverlap(
  a: { start: Date; end: Date },
  b: { start: Date; end: Date },
): boolean {
  return (
    a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime()
  );
}
