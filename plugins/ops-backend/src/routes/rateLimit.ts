import type {
  BackstageCredentials,
  CacheService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CustomErrorBase } from '@backstage/errors';
import type { RequestHandler } from 'express';

/** 429: the caller made more writes in the window than the limit allows. */
class TooManyRequestsError extends CustomErrorBase {
  readonly statusCode = 429;
}

/** What the limiter allows; `writesPerWindow: 0` turns it off. */
export type WriteRateLimit = {
  writesPerWindow: number;
  windowSeconds: number;
};

/** The default: 300 writes a minute per person or service. */
export const DEFAULT_WRITE_RATE_LIMIT: WriteRateLimit = {
  writesPerWindow: 300,
  windowSeconds: 60,
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whose budget a request spends: the user, also when a plugin acts for them. */
function principalOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return `user:${principal.userEntityRef}`;
  }
  return `${principal.type}:${principal.subject ?? 'unknown'}`;
}

/**
 * Limits the writes of each caller (every POST, PUT, PATCH and DELETE,
 * the on-demand refresh included) to `writesPerWindow` in a fixed window,
 * counted in Backstage's cache service: in memory on one replica, shared
 * through Redis when `backend.cache` is Redis. The cache has no atomic
 * increment, so writes racing on several replicas in the same instant may
 * be counted once: the limit is approximate by a few requests, never
 * looser by more than one per replica and instant. Reads are not limited.
 * Unauthenticated requests are left to the routes (the calendar feed is a
 * GET).
 */
export function createWriteRateLimit(options: {
  httpAuth: HttpAuthService;
  cache: CacheService;
  limit: WriteRateLimit;
  now?: () => number;
}): RequestHandler {
  const { httpAuth, cache, limit } = options;
  const now = options.now ?? Date.now;
  const windowMs = limit.windowSeconds * 1000;
  return async (req, res, next) => {
    if (limit.writesPerWindow <= 0 || !WRITE_METHODS.has(req.method)) {
      next();
      return;
    }
    let credentials: BackstageCredentials;
    try {
      credentials = await httpAuth.credentials(req);
    } catch {
      // The route's own authentication answers 401.
      next();
      return;
    }
    if ((credentials.principal as { type: string }).type === 'none') {
      // Only routes open without sign-in get here so; they limit themselves.
      next();
      return;
    }
    const at = now();
    const windowStart = Math.floor(at / windowMs) * windowMs;
    const key = `write-rate:${principalOf(credentials)}:${windowStart}`;
    let count = 0;
    try {
      count = Number((await cache.get<number>(key)) ?? 0);
      if (count < limit.writesPerWindow) {
        await cache.set(key, count + 1, { ttl: windowMs });
      }
    } catch {
      // A cache that cannot be reached does not stop the work it guards.
      count = 0;
    }
    if (count >= limit.writesPerWindow) {
      const retryAfter = Math.max(
        1,
        Math.ceil((windowStart + windowMs - at) / 1000),
      );
      res.setHeader('Retry-After', String(retryAfter));
      next(
        new TooManyRequestsError(
          `Too many changes: at most ${limit.writesPerWindow} writes per ${limit.windowSeconds} s for each caller; try again in ${retryAfter} s`,
        ),
      );
      return;
    }
    next();
  };
}
