import type {
  BackstageCredentials,
  BackstageUserInfo,
  CacheService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { tokenHashOf } from './tokenOf';

/** Longest a lookup is kept, whatever the token's own lifetime. */
const MAX_TTL_MS = 60 * 60 * 1000;
/** A token this close to its end is looked up afresh. */
const MIN_TTL_MS = 1000;

/**
 * The user-info lookup (who the user is, which groups they belong to), kept
 * per token for the token's remaining lifetime in the cache service: memory
 * on one process, Redis shared by replicas in production. A user token
 * carries no group claims, so without this each request of a tab would ask
 * the auth backend again.
 *
 * The key is a hash of the token itself, so an answer only ever serves the
 * token it was looked up for: another user, or the same user with a newer
 * token (issued after a change of group membership), is looked up anew, as
 * Backstage's own services see membership changes at the next token.
 */
export class CachedUserInfo implements UserInfoService {
  constructor(
    private readonly options: {
      userInfo: UserInfoService;
      cache: CacheService;
      now?: () => number;
    },
  ) {}

  async getUserInfo(
    credentials: BackstageCredentials,
  ): Promise<BackstageUserInfo> {
    const token = tokenHashOf(credentials);
    const expiresAt = credentials.expiresAt?.getTime();
    const now = this.options.now?.() ?? Date.now();
    const ttl =
      expiresAt === undefined ? 0 : Math.min(expiresAt - now, MAX_TTL_MS);
    if (!token || ttl < MIN_TTL_MS) {
      return this.options.userInfo.getUserInfo(credentials);
    }
    const key = `user-info:${token}`;
    const subject = (credentials.principal as { userEntityRef?: string })
      .userEntityRef;
    const cached = asUserInfo(await this.get(key));
    if (cached && cached.userEntityRef === subject) return cached;
    const info = await this.options.userInfo.getUserInfo(credentials);
    try {
      await this.options.cache.set(
        key,
        {
          userEntityRef: info.userEntityRef,
          ownershipEntityRefs: info.ownershipEntityRefs,
        },
        { ttl },
      );
    } catch {
      // A cache that cannot be written costs the next request a lookup.
    }
    return info;
  }

  private async get(key: string): Promise<unknown> {
    try {
      return await this.options.cache.get(key);
    } catch {
      return undefined;
    }
  }
}

function asUserInfo(value: unknown): BackstageUserInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { userEntityRef, ownershipEntityRefs } = value as Record<
    string,
    unknown
  >;
  if (
    typeof userEntityRef !== 'string' ||
    !Array.isArray(ownershipEntityRefs) ||
    !ownershipEntityRefs.every(ref => typeof ref === 'string')
  ) {
    return undefined;
  }
  return { userEntityRef, ownershipEntityRefs };
}
