import type {
  BackstageCredentials,
  BackstageUserInfo,
  CacheService,
  CacheServiceSetOptions,
} from '@backstage/backend-plugin-api';
import { CachedUserInfo } from './CachedUserInfo';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

/** A cache in memory that honours each entry's time to live on a clock. */
function clockCache(clock: { now: number }) {
  const entries = new Map<string, { value: unknown; until: number }>();
  const ttls: number[] = [];
  const cache: CacheService = {
    async get(key) {
      const entry = entries.get(key);
      if (!entry || entry.until <= clock.now) return undefined;
      return entry.value as any;
    },
    async set(key, value, options?: CacheServiceSetOptions) {
      const ttl = Number(options?.ttl ?? Infinity);
      ttls.push(ttl);
      entries.set(key, { value, until: clock.now + ttl });
    },
    async delete(key) {
      entries.delete(key);
    },
    withOptions() {
      return cache;
    },
  };
  return { cache, entries, ttls };
}

/** Credentials as Backstage makes them: the token is a hidden property. */
function credentialsOf(
  userEntityRef: string,
  token: string,
  expiresAt = new Date(NOW + 3600_000),
): BackstageCredentials {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    version: 'v1',
    expiresAt,
    principal: { type: 'user', userEntityRef },
  };
  Object.defineProperty(credentials, 'token', {
    value: token,
    enumerable: false,
  });
  return credentials as BackstageCredentials;
}

describe('CachedUserInfo', () => {
  function setup() {
    const clock = { now: NOW };
    const { cache, entries, ttls } = clockCache(clock);
    // The auth backend's answer: group membership as of the lookup.
    const groups = new Map<string, string[]>([
      ['user:default/ana', ['group:default/payments']],
      ['user:default/wei', ['group:default/web']],
    ]);
    const lookUp = jest.fn(
      async (credentials: BackstageCredentials): Promise<BackstageUserInfo> => {
        const ref = (credentials.principal as any).userEntityRef as string;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [ref, ...(groups.get(ref) ?? [])],
        };
      },
    );
    const userInfo = new CachedUserInfo({
      userInfo: { getUserInfo: lookUp },
      cache,
      now: () => clock.now,
    });
    return { clock, entries, ttls, groups, lookUp, userInfo };
  }

  it('looks a token up once and keeps the answer for the rest of its lifetime', async () => {
    const { lookUp, userInfo, ttls, clock } = setup();
    const ana = credentialsOf(
      'user:default/ana',
      'token-ana-1',
      new Date(NOW + 20 * 60_000),
    );
    const first = await userInfo.getUserInfo(ana);
    const second = await userInfo.getUserInfo(ana);
    expect(second).toEqual(first);
    expect(first.ownershipEntityRefs).toContain('group:default/payments');
    expect(lookUp).toHaveBeenCalledTimes(1);
    expect(ttls).toEqual([20 * 60_000]);

    // After the token's end the same token is looked up again.
    clock.now += 20 * 60_000;
    await userInfo.getUserInfo(ana);
    expect(lookUp).toHaveBeenCalledTimes(2);
  });

  it('never serves one user the answer looked up for another', async () => {
    const { userInfo, lookUp } = setup();
    const ana = await userInfo.getUserInfo(
      credentialsOf('user:default/ana', 'token-ana'),
    );
    const wei = await userInfo.getUserInfo(
      credentialsOf('user:default/wei', 'token-wei'),
    );
    expect(ana.userEntityRef).toBe('user:default/ana');
    expect(wei).toEqual({
      userEntityRef: 'user:default/wei',
      ownershipEntityRefs: ['user:default/wei', 'group:default/web'],
    });
    expect(lookUp).toHaveBeenCalledTimes(2);
  });

  it('sees a change of group membership with the next token', async () => {
    const { userInfo, groups } = setup();
    const before = await userInfo.getUserInfo(
      credentialsOf('user:default/ana', 'token-ana-1'),
    );
    expect(before.ownershipEntityRefs).toContain('group:default/payments');

    // Ana moves to web; her next sign-in refresh gives her a new token.
    groups.set('user:default/ana', ['group:default/web']);
    const after = await userInfo.getUserInfo(
      credentialsOf('user:default/ana', 'token-ana-2'),
    );
    expect(after.ownershipEntityRefs).toEqual([
      'user:default/ana',
      'group:default/web',
    ]);
  });

  it('keys the cache by a hash, not by the token', async () => {
    const { userInfo, entries } = setup();
    await userInfo.getUserInfo(
      credentialsOf('user:default/ana', 'secret-token-value'),
    );
    const [key] = [...entries.keys()];
    expect(key).toMatch(/^user-info:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('secret-token-value');
  });

  it('ignores a cached answer that names another user or is not a user info', async () => {
    const { userInfo, entries, lookUp } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    await userInfo.getUserInfo(ana);
    const [key] = [...entries.keys()];
    for (const forged of [
      { userEntityRef: 'user:default/wei', ownershipEntityRefs: [] },
      { userEntityRef: 'user:default/ana', ownershipEntityRefs: 'group' },
      'not an object',
    ]) {
      entries.set(key, { value: forged, until: Infinity });
      const info = await userInfo.getUserInfo(ana);
      expect(info.ownershipEntityRefs).toContain('group:default/payments');
    }
    expect(lookUp).toHaveBeenCalledTimes(4);
  });

  it('does not cache credentials without a token or about to expire', async () => {
    const { userInfo, lookUp, entries } = setup();
    const noToken = {
      $$type: '@backstage/BackstageCredentials',
      expiresAt: new Date(NOW + 3600_000),
      principal: { type: 'user', userEntityRef: 'user:default/ana' },
    } as unknown as BackstageCredentials;
    await userInfo.getUserInfo(noToken);
    await userInfo.getUserInfo(noToken);
    const ending = credentialsOf(
      'user:default/ana',
      'token-ending',
      new Date(NOW + 500),
    );
    await userInfo.getUserInfo(ending);
    await userInfo.getUserInfo(ending);
    expect(lookUp).toHaveBeenCalledTimes(4);
    expect(entries.size).toBe(0);
  });

  it('still answers when the cache fails', async () => {
    const { lookUp } = setup();
    const broken: CacheService = {
      get: jest.fn().mockRejectedValue(new Error('redis down')),
      set: jest.fn().mockRejectedValue(new Error('redis down')),
      delete: jest.fn(),
      withOptions: () => broken,
    };
    const userInfo = new CachedUserInfo({
      userInfo: { getUserInfo: lookUp },
      cache: broken,
      now: () => NOW,
    });
    const info = await userInfo.getUserInfo(
      credentialsOf('user:default/ana', 'token-ana'),
    );
    expect(info.userEntityRef).toBe('user:default/ana');
  });
});
