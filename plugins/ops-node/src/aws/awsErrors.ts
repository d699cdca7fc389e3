import type { AwsLocation } from './AwsClientFactory';

const THROTTLING = /throttl|toomanyrequests|requestlimitexceeded|slowdown/i;
const ACCESS =
  /accessdenied|unauthorizedoperation|authorization|notauthorized|expiredtoken|invalidclienttokenid/i;
const TIMEOUT = /timeout|timed out|etimedout|econnreset|econnrefused/i;
/** The SDK's note on a response body it could not parse. */
const UNREADABLE = /\s*Deserialization error: to see the raw response.*$/s;

/**
 * The credentials for an account could not be had: the `aws` integration
 * config names no way into it, or the role could not be assumed. Raised
 * before any AWS call is made, so the message says so rather than naming
 * the call that needed them.
 *
 * @public
 */
export class AwsCredentialsError extends Error {
  override readonly name = 'AwsCredentialsError';
  override readonly cause?: unknown;

  /** @param account - the account, or undefined for the main account. */
  constructor(readonly account: string | undefined, cause: unknown) {
    super(
      `could not get credentials for ${
        account ? `account ${account}` : 'the main account'
      }: ${errorText(cause)}`,
    );
    this.cause = cause;
  }
}

/**
 * An AWS call failed. The message names the call, the account and region,
 * and what AWS said; `awsErrorName` is AWS's error code for callers that
 * handle some of them.
 *
 * When the call was one of several writes, `done` lists those made before
 * it, and the message ends with them, so a half-done change says how far it
 * got.
 *
 * @public
 */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  override readonly cause?: unknown;
  readonly awsErrorName: string;

  constructor(
    readonly operation: string,
    readonly location: AwsLocation,
    cause: unknown,
    readonly done: readonly string[] = [],
  ) {
    super(
      `${describeAwsError(cause, operation, location)}${
        done.length ? `; already done: ${done.join(', ')}` : ''
      }`,
    );
    this.awsErrorName = awsErrorName(cause);
    this.cause = cause;
  }
}

/**
 * AWS answered a call with something the caller cannot use, e.g. a create
 * without the id of what it created, or a page listing an item without its
 * id. Raised as the cause of an {@link AwsCallError} naming the call.
 */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponse';
}

/**
 * A field of an AWS answer the caller needs; without it the call fails as
 * a {@link MalformedResponseError}, e.g. `ssm:CreateMaintenanceWindow in
 * 111122223333/eu-west-1 failed: MalformedResponse: the answer has no
 * WindowId`.
 */
export function requiredField<T>(
  value: T | undefined | null,
  field: string,
  operation: string,
  location: AwsLocation,
): T {
  if (value === undefined || value === null || value === '') {
    throw new AwsCallError(
      operation,
      location,
      new MalformedResponseError(`the answer has no ${field}`),
    );
  }
  return value;
}

/**
 * One line about a failed AWS call: which call, where, what AWS said, and a
 * hint where the error is a common one.
 *
 * @param operation - the IAM action, e.g. `ssm:UpdateMaintenanceWindow`.
 * @param location - where the call went; an empty account is the
 *   integration's main account.
 * @public
 */
export function describeAwsError(
  error: unknown,
  operation: string,
  location: AwsLocation,
): string {
  const name = awsErrorName(error);
  const err = error as { code?: string; message?: string };
  const text = `${name} ${err?.code ?? ''} ${err?.message ?? ''}`;
  let hint = '';
  if (THROTTLING.test(text)) {
    hint = ' (AWS throttled the call; try again later)';
  } else if (ACCESS.test(text)) {
    hint = ` (allow ${operation} for the role the portal uses in ${
      location.account ? `account ${location.account}` : 'the main account'
    })`;
  } else if (TIMEOUT.test(text)) {
    hint = ' (AWS did not answer in time)';
  } else if (UNREADABLE.test(text)) {
    hint = ' (the answer from AWS could not be read)';
  }
  const where = location.account
    ? `${location.account}/${location.region}`
    : `${location.region} of the main account`;
  return `${operation} in ${where} failed: ${errorText(error)}${hint}`;
}

/** AWS's error code (`name` in SDK v3), e.g. `DoesNotExistException`. */
export function awsErrorName(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && name ? name : 'Error';
}

function errorText(error: unknown): string {
  const message = (error as { message?: unknown })?.message;
  const text =
    typeof message === 'string' && message
      ? message.replace(UNREADABLE, '')
      : String(error);
  return `${awsErrorName(error)}: ${text}`;
}

/**
 * Runs one AWS call and turns its failure into an {@link AwsCallError}
 * naming the call. A credentials failure is passed on as it is: it is not
 * the call's fault.
 *
 * @public
 */
export async function callAws<T>(
  operation: string,
  location: AwsLocation,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AwsCredentialsError) throw error;
    throw new AwsCallError(operation, location, error);
  }
}
