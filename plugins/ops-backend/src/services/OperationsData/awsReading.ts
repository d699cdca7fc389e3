import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  AwsCallError,
  AwsClientFactory,
  AwsCredentialsError,
  AwsLocation,
  callAws,
  describeAwsError,
} from '@cloud-ops/plugin-ops-node';

/**
 * What the per-source readers of `AwsOperationsReader` share: the API
 * limits, paging that notices a page AWS should not have sent, and how a
 * failure is described.
 */

/** Each API's largest page or batch. */
export const AWS_LIMITS = {
  getResourcesPerPage: 100,
  tagFilterValues: 20,
  describeAlarmsNames: 100,
  describeInstancePatchStatesIds: 50,
  describeInstancePatchesPageSize: 50,
  maintenanceWindowsPerPage: 100,
  protectedResourcesPerPage: 1000,
  recoveryPointsPerPage: 1000,
  ec2FilterValues: 200,
  describeVolumesPageSize: 500,
  describeSnapshotsPageSize: 1000,
  rdsFilterValues: 50,
  rdsPageSize: 100,
} as const;

/**
 * More pages than any account of this size holds: past it the token is
 * taken to be broken rather than followed for the rest of the refresh.
 */
export const MAX_PAGES = 10_000;

/** One source's calls in one account and region. */
export type AwsReadContext = {
  clients: AwsClientFactory;
  at: AwsLocation;
  logger: LoggerService;
};

/** An entity's resource found by tag, with its ARN taken apart. */
export type Resource = {
  arn: string;
  tags: Record<string, string>;
  service: string;
  type: string;
  id: string;
};

/**
 * AWS answered with something the reader cannot use: an item without the
 * field that identifies it, or pages that never end. Failing the source
 * keeps its last good data instead of storing a partial read as complete.
 */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponse';
}

/** The identifying field of an item in a page; missing, the page is malformed. */
export function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '') {
    throw new MalformedResponseError(`an item without ${what}`);
  }
  return value;
}

/**
 * Every page of a paged call, each call named by `operation` when it fails.
 * A token that comes back again, or more than {@link MAX_PAGES} pages, fail
 * the call: AWS never ends its pages that way.
 */
export async function followPages<T>(
  operation: string,
  at: AwsLocation,
  fetchPage: (
    token: string | undefined,
  ) => Promise<{ items?: T[]; next?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const current = token;
    const { items, next } = await callAws(operation, at, () =>
      fetchPage(current),
    );
    all.push(...(items ?? []));
    if (!next) return all;
    if (seen.has(next) || page >= MAX_PAGES) {
      throw new AwsCallError(
        operation,
        at,
        new MalformedResponseError(
          seen.has(next)
            ? `the next token ${JSON.stringify(
                next,
              )} came back again after ${page} pages; the pages never end`
            : `still more pages after ${MAX_PAGES}; the pages never end`,
        ),
      );
    }
    seen.add(next);
    token = next;
  }
}

/** The message stored for a failed source: which step, where, what AWS said. */
export function failureMessage(
  error: unknown,
  operation: string,
  at: AwsLocation,
): string {
  if (error instanceof AwsCallError || error instanceof AwsCredentialsError) {
    return error.message;
  }
  return describeAwsError(error, operation, at);
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker),
  );
}

export function iso(value?: Date | string): string | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
