/** Rounds to one decimal place. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The `q` quantile (0..1) of `values` with linear interpolation between the
 * closest ranks, so the median of an even count is the mean of the middle two.
 */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Median and 90th percentile in hours, rounded to 0.1; null when empty. */
export function summarizeHours(hours: number[]): {
  median: number | null;
  p90: number | null;
} {
  const median = quantile(hours, 0.5);
  const p90 = quantile(hours, 0.9);
  return {
    median: median === null ? null : round1(median),
    p90: p90 === null ? null : round1(p90),
  };
}

/** Hours from one ISO time to another. */
export function hoursBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 3_600_000;
}

/** `part / whole` as a percentage rounded to 0.1, or null when `whole` is 0. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : round1((part / whole) * 100);
}
