/**
 * Readable record ids such as `RFC-000123`: a prefix and a sequence number,
 * zero-padded to at least six digits.
 */

/**
 * The largest sequence number a record can have, and the largest version a
 * record can reach: the database keeps both in 32-bit integer columns. An id
 * with a larger number names no record.
 *
 * @public
 */
export const MAX_RECORD_SEQUENCE = 2_147_483_647;

/**
 * The sequence number in `<prefix>-<digits>` (at least six digits), or
 * undefined when the id is not one or its number is 0 or above
 * {@link MAX_RECORD_SEQUENCE}.
 *
 * @public
 */
export function parseSequenceId(
  prefix: string,
  id: string,
): number | undefined {
  if (typeof id !== 'string' || !id.startsWith(`${prefix}-`)) {
    return undefined;
  }
  const digits = id.slice(prefix.length + 1);
  if (!/^\d{6,}$/.test(digits)) return undefined;
  const n = Number(digits);
  return n > 0 && n <= MAX_RECORD_SEQUENCE ? n : undefined;
}

/**
 * Whether an id is shaped like `<prefix>-<digits>` but its number is above
 * {@link MAX_RECORD_SEQUENCE}, so that it can be answered "out of range"
 * rather than "not an id".
 *
 * @public
 */
export function isSequenceIdOutOfRange(prefix: string, id: string): boolean {
  if (typeof id !== 'string' || !id.startsWith(`${prefix}-`)) return false;
  const digits = id.slice(prefix.length + 1);
  return /^\d+$/.test(digits) && Number(digits) > MAX_RECORD_SEQUENCE;
}
