/**
 * Hours between runs of a backup schedule expression, as AWS Backup writes
 * them: `cron(min hour day-of-month month day-of-week year)` or
 * `rate(N unit)`. Returns undefined when the expression is not understood.
 */
export function scheduleIntervalHours(expression?: string): number | undefined {
  if (!expression) return undefined;
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(
    expression.trim(),
  );
  if (rate) {
    const n = Number(rate[1]);
    if (rate[2].startsWith('minute')) return n / 60;
    if (rate[2].startsWith('hour')) return n;
    return n * 24;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) return undefined;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [, hours, dayOfMonth, , dayOfWeek] = fields;
  const any = (f: string) => f === '*' || f === '?';
  if (!any(dayOfMonth)) return 24 * 30;
  if (!any(dayOfWeek)) {
    const days = dayOfWeek.includes('-') ? 5 : dayOfWeek.split(',').length;
    return (24 * 7) / days;
  }
  const step = /\/(\d+)$/.exec(hours);
  if (step) return Number(step[1]);
  if (hours === '*') return 1;
  if (hours.includes(',')) return 24 / hours.split(',').length;
  return 24;
}
