import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';

/**
 * A hash of the token behind verified credentials (Backstage keeps the
 * token out of sight on them), to key what is cached per token without
 * storing the token; undefined when the credentials carry none.
 */
export function tokenHashOf(
  credentials: BackstageCredentials,
): string | undefined {
  const token = (credentials as { token?: unknown }).token;
  return typeof token === 'string' && token
    ? createHash('sha256').update(token).digest('base64url')
    : undefined;
}
