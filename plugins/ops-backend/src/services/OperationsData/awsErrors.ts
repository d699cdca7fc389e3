import type { AwsLocation } from './types';

const THROTTLING = /throttl|toomanyrequests|requestlimitexceeded|slowdown/i;
const ACCESS =
  /accessdenied|unauthorizedoperation|authorization|notauthorized|expiredtoken|invalidclienttokenid/i;
const TIMEOUT = /timeout|timed out|etimedout|econnreset/i;

/**
 * Turns an SDK error into the message stored on a snapshot: which call, where,
 * what AWS said, and what to do about it.
 */
export function describeAwsError(
  error: unknown,
  operation: string,
  location: AwsLocation,
): string {
  const err = error as { name?: string; message?: string; code?: string };
  const name = err?.name ?? 'Error';
  const message = err?.message ?? String(error);
  const text = `${name} ${err?.code ?? ''} ${message}`;
  let hint: string;
  if (THROTTLING.test(text)) {
    hint =
      'AWS throttled the read; the last good data is shown until the next refresh succeeds';
  } else if (ACCESS.test(text)) {
    hint = `allow ${operation} for the role the portal uses in account ${location.accountId}`;
  } else if (TIMEOUT.test(text)) {
    hint =
      'AWS did not answer in time; the last good data is shown until the next refresh succeeds';
  } else {
    hint = 'the last good data is shown until the next refresh succeeds';
  }
  return `${operation} in ${location.accountId}/${location.region} failed: ${name}: ${message} (${hint})`;
}
