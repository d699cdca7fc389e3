import {
  GetResourcesCommand,
  ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { AwsClientFactory, callAws } from '../../aws';
import { paginate } from '../../aws/paginate';
import type { StackTarget } from '../types';
import { fromTagList, selectorPairs } from './naming';

/** GetResources returns at most 100 resources per page. */
const RESOURCES_PER_PAGE = 100;

/** A resource of a stack with its tags. */
export type TaggedResource = { arn: string; tags: Record<string, string> };

/**
 * The stack's resources: those carrying every pair of its tag selector (the
 * Tagging API ANDs its tag filters), of the given types or of all types.
 */
export async function findStackResources(
  clients: AwsClientFactory,
  stack: StackTarget,
  resourceTypes?: string[],
): Promise<TaggedResource[]> {
  const tagFilters = selectorPairs(stack).map(([Key, value]) => ({
    Key,
    Values: [value],
  }));
  const tagging = clients.tagging(stack);
  const mappings: ResourceTagMapping[] = [];
  const pages = paginate(
    PaginationToken =>
      callAws('tag:GetResources', stack, () =>
        tagging.send(
          new GetResourcesCommand({
            TagFilters: tagFilters,
            ResourceTypeFilters: resourceTypes,
            ResourcesPerPage: RESOURCES_PER_PAGE,
            PaginationToken,
          }),
        ),
      ),
    page => page.PaginationToken,
  );
  for await (const page of pages) {
    mappings.push(...(page.ResourceTagMappingList ?? []));
  }
  return mappings.flatMap(m =>
    m.ResourceARN ? [{ arn: m.ResourceARN, tags: fromTagList(m.Tags) }] : [],
  );
}

/**
 * Maps with at most `limit` calls in flight, so a large stack or account
 * does not run into AWS's rate limits. After a call fails no further one
 * starts, and the rejection (the first failure) waits for the calls in
 * flight, so that nothing is still being written once it is reported.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  if (failure) throw failure.error;
  return results;
}
