import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { tokenHashOf } from './tokenOf';

/** How long a read is reused for the same token. */
export const DEFAULT_CATALOG_READ_TTL_MS = 10_000;
const DEFAULT_MAX_ENTRIES = 5_000;

/** The reads that are kept; every other method goes to the catalog. */
const CACHED_METHODS = new Set([
  'getEntityByRef',
  'getEntitiesByRefs',
  'getEntities',
]);

/**
 * The catalog service with its entity reads made on a user's behalf kept
 * for a few seconds per token, in this process. A change and its next
 * steps (create, submit, the schedule's checks) read the same target,
 * stacks, users and change types several times within moments; each read
 * is an HTTP round trip to the catalog with its own permission check.
 *
 * A read is only ever reused for the same token, and so for the same user
 * with the same visibility: nothing one user may see reaches another.
 * Reads without a token (the plugin's own credentials) and failed reads are
 * not kept; writes and every other method pass straight through. A catalog
 * change reaches a token's kept reads within the time to live.
 */
const copy = <T>(value: T): T =>
  value === undefined ? value : structuredClone(value);

export function cachedCatalogReads(
  catalog: CatalogService,
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): CatalogService {
  const ttl = options.ttlMs ?? DEFAULT_CATALOG_READ_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { until: number; value: Promise<unknown> }>();

  const read = (method: string, request: unknown, opts: unknown) => {
    const credentials = (opts as { credentials?: BackstageCredentials })
      ?.credentials;
    const token = credentials ? tokenHashOf(credentials) : undefined;
    const call = () =>
      (catalog as unknown as Record<string, Function>)[method].call(
        catalog,
        request,
        opts,
      ) as Promise<unknown>;
    if (!token) return call();
    const key = `${token}:${method}:${JSON.stringify(request)}`;
    const at = now();
    const kept = entries.get(key);
    // Each caller gets its own copy, so none can change what the next reads.
    if (kept && kept.until > at) return kept.value.then(copy);
    if (kept) entries.delete(key);
    const value = call();
    entries.set(key, { until: at + ttl, value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    // The oldest go first when full.
    while (entries.size > maxEntries) {
      entries.delete(entries.keys().next().value!);
    }
    return value.then(copy);
  };

  return new Proxy(catalog, {
    get(target, property, receiver) {
      if (typeof property === 'string' && CACHED_METHODS.has(property)) {
        return (request: unknown, opts: unknown) =>
          read(property, request, opts);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
