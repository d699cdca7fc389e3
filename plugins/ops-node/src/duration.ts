/**
 * A duration as Backstage config reads it (`readDurationFromConfig`).
 *
 * @public
 */
export type DurationParts = Partial<
  Record<
    | 'years'
    | 'months'
    | 'weeks'
    | 'days'
    | 'hours'
    | 'minutes'
    | 'seconds'
    | 'milliseconds',
    number
  >
>;

const MS: Record<keyof DurationParts, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 7 * 86_400_000,
  // Calendar units are approximated; config durations here are timeouts.
  months: 30 * 86_400_000,
  years: 365 * 86_400_000,
};

/** Milliseconds in a config duration. @public */
export function durationToMs(duration: DurationParts): number {
  return Object.entries(duration).reduce(
    (sum, [unit, value]) =>
      sum + (value ?? 0) * (MS[unit as keyof DurationParts] ?? 0),
    0,
  );
}
