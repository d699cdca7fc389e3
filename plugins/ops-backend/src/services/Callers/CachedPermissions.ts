import type {
  CacheService,
  PermissionsService,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type AuthorizePermissionRequest,
  type AuthorizePermissionResponse,
  type QueryPermissionRequest,
  type QueryPermissionResponse,
} from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import { tokenHashOf } from './tokenOf';

/** How long a decision is reused for the same token. */
export const DEFAULT_DECISION_TTL_MS = 10_000;

/**
 * The permission service, with a token's decisions on basic permissions
 * (no resource) and its conditional decisions kept for a few seconds in the
 * cache service, so that a page's burst of requests (the Operations tab, a
 * list, a change's create, submit and approve) asks the permission backend
 * once per permission rather than once per request.
 *
 * What is kept is only ever reused for the same token, and so for the same
 * user: decisions stay per user. Decisions about one resource by its ref and
 * requests without a token go to the permission backend every time. A
 * policy change reaches a token's kept decisions within the time to live.
 */
export class CachedPermissions implements PermissionsService {
  constructor(
    private readonly options: {
      permissions: PermissionsService;
      cache: CacheService;
      ttlMs?: number;
    },
  ) {}

  async authorize(
    requests: AuthorizePermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    const cacheable = requests.every(
      r => r.permission.type === 'basic' && r.resourceRef === undefined,
    );
    return this.each(
      'decision',
      cacheable,
      requests,
      options,
      missing => this.options.permissions.authorize(missing, options),
      answer =>
        answer.result === AuthorizeResult.ALLOW ||
        answer.result === AuthorizeResult.DENY,
    );
  }

  /**
   * Conditional decisions (the policy's conditions for this user on a
   * resource type) are kept the same way: they are the user's own, with
   * their identity in the conditions' parameters, and are applied to each
   * resource by the caller.
   */
  async authorizeConditional(
    requests: QueryPermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<QueryPermissionResponse[]> {
    return this.each(
      'conditional',
      true,
      requests,
      options,
      missing =>
        this.options.permissions.authorizeConditional(missing, options),
      answer =>
        answer.result === AuthorizeResult.ALLOW ||
        answer.result === AuthorizeResult.DENY ||
        answer.result === AuthorizeResult.CONDITIONAL,
    );
  }

  /**
   * Answers each request from the cache where this token's decision is
   * kept, and the rest with one batched call, keeping what it returns.
   */
  private async each<R extends { permission: { name: string } }, A>(
    kind: string,
    cacheable: boolean,
    requests: R[],
    options: PermissionsServiceRequestOptions,
    ask: (missing: R[]) => Promise<A[]>,
    keep: (answer: A) => boolean,
  ): Promise<A[]> {
    const token = tokenHashOf(options.credentials);
    if (!cacheable || token === undefined) return ask(requests);
    const keys = requests.map(r => `${kind}:${token}:${r.permission.name}`);
    const cached = (await Promise.all(keys.map(key => this.get(key)))) as
      | (A | undefined)[];
    const missing = requests.filter((_, i) => cached[i] === undefined);
    if (missing.length === 0) return cached as A[];
    const fresh = await ask(missing);
    let next = 0;
    const answers = requests.map((_, i) => cached[i] ?? fresh[next++]);
    await Promise.all(
      answers.map((answer, i) =>
        cached[i] === undefined && keep(answer)
          ? this.set(keys[i], answer)
          : undefined,
      ),
    );
    return answers;
  }

  private async get(key: string): Promise<unknown> {
    try {
      const value = await this.options.cache.get(key);
      return typeof value === 'object' && value !== null && 'result' in value
        ? value
        : undefined;
    } catch {
      return undefined;
    }
  }

  private async set(key: string, answer: unknown) {
    try {
      await this.options.cache.set(key, answer as JsonObject, {
        ttl: this.options.ttlMs ?? DEFAULT_DECISION_TTL_MS,
      });
    } catch {
      // Not kept: the next request asks again.
    }
  }
}
