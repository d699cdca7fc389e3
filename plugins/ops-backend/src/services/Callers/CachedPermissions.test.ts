import type {
  BackstageCredentials,
  CacheService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { CachedPermissions } from './CachedPermissions';

const read = createPermission({ name: 'ops.rfc.read', attributes: {} });
const create = createPermission({
  name: 'ops.rfc.create',
  attributes: { action: 'create' },
});
const resourceRead = createPermission({
  name: 'ops.rfc.approve',
  attributes: {},
  resourceType: 'ops-rfc',
});

function memoryCache() {
  const entries = new Map<string, unknown>();
  const cache: CacheService = {
    get: async key => entries.get(key) as any,
    set: async (key, value) => {
      entries.set(key, value);
    },
    delete: async key => {
      entries.delete(key);
    },
    withOptions: () => cache,
  };
  return { cache, entries };
}

function credentialsOf(user: string, token: string): BackstageCredentials {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    version: 'v1',
    principal: { type: 'user', userEntityRef: user },
  };
  Object.defineProperty(credentials, 'token', { value: token });
  return credentials as BackstageCredentials;
}

describe('CachedPermissions', () => {
  function setup() {
    // The policy: ana may read and create, wei may only read.
    const allowed = new Map<string, string[]>([
      ['user:default/ana', ['ops.rfc.read', 'ops.rfc.create']],
      ['user:default/wei', ['ops.rfc.read']],
    ]);
    const authorize = jest.fn(
      async (requests: any[], { credentials }: any) =>
        requests.map(r => ({
          result: allowed
            .get(credentials.principal.userEntityRef)
            ?.includes(r.permission.name)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        })) as any,
    );
    const authorizeConditional = jest.fn(async (requests: any[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    ) as any;
    const inner: PermissionsService = { authorize, authorizeConditional };
    const { cache, entries } = memoryCache();
    const permissions = new CachedPermissions({ permissions: inner, cache });
    return { permissions, authorize, authorizeConditional, entries, allowed };
  }

  it('asks once per token and permission, in one batch for what is not known', async () => {
    const { permissions, authorize } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    expect(
      await permissions.authorize([{ permission: read }], { credentials: ana }),
    ).toEqual([{ result: AuthorizeResult.ALLOW }]);
    expect(
      await permissions.authorize(
        [{ permission: read }, { permission: create }],
        { credentials: ana },
      ),
    ).toEqual([
      { result: AuthorizeResult.ALLOW },
      { result: AuthorizeResult.ALLOW },
    ]);
    expect(authorize).toHaveBeenCalledTimes(2);
    expect(authorize.mock.calls[1][0]).toEqual([{ permission: create }]);
    await permissions.authorize(
      [{ permission: create }, { permission: read }],
      { credentials: ana },
    );
    expect(authorize).toHaveBeenCalledTimes(2);
  });

  it("keeps each user's decisions apart", async () => {
    const { permissions } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    const wei = credentialsOf('user:default/wei', 'token-wei');
    await permissions.authorize([{ permission: create }], { credentials: ana });
    expect(
      await permissions.authorize([{ permission: create }], {
        credentials: wei,
      }),
    ).toEqual([{ result: AuthorizeResult.DENY }]);
    expect(
      await permissions.authorize([{ permission: create }], {
        credentials: ana,
      }),
    ).toEqual([{ result: AuthorizeResult.ALLOW }]);
  });

  it('asks again for a new token, so a changed decision is seen with it', async () => {
    const { permissions, allowed } = setup();
    const first = credentialsOf('user:default/wei', 'token-wei-1');
    await permissions.authorize([{ permission: create }], {
      credentials: first,
    });
    allowed.set('user:default/wei', ['ops.rfc.read', 'ops.rfc.create']);
    const second = credentialsOf('user:default/wei', 'token-wei-2');
    expect(
      await permissions.authorize([{ permission: create }], {
        credentials: second,
      }),
    ).toEqual([{ result: AuthorizeResult.ALLOW }]);
  });

  it('never keeps decisions about one resource, or those without a token', async () => {
    const { permissions, authorize, entries } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    for (let i = 0; i < 2; i++) {
      await permissions.authorize(
        [{ permission: resourceRead, resourceRef: 'RFC-000001' }],
        { credentials: ana },
      );
      await permissions.authorize([{ permission: read }], {
        credentials: {
          $$type: '@backstage/BackstageCredentials',
          principal: { type: 'user', userEntityRef: 'user:default/ana' },
        } as BackstageCredentials,
      });
    }
    expect(authorize).toHaveBeenCalledTimes(4);
    expect(entries.size).toBe(0);
  });

  it("keeps a token's conditional decision, and only for that token", async () => {
    const { permissions, authorizeConditional } = setup();
    authorizeConditional.mockImplementation(async (requests: any[], o: any) =>
      requests.map(() => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'ops',
        resourceType: 'ops-rfc',
        conditions: {
          not: {
            rule: 'IS_REQUESTER',
            resourceType: 'ops-rfc',
            params: { userEntityRef: o.credentials.principal.userEntityRef },
          },
        },
      })),
    );
    const ana = credentialsOf('user:default/ana', 'token-ana');
    const omar = credentialsOf('user:default/omar', 'token-omar');
    const first = await permissions.authorizeConditional(
      [{ permission: resourceRead }],
      { credentials: ana },
    );
    const again = await permissions.authorizeConditional(
      [{ permission: resourceRead }],
      { credentials: ana },
    );
    expect(again).toEqual(first);
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
    const other = await permissions.authorizeConditional(
      [{ permission: resourceRead }],
      { credentials: omar },
    );
    expect(authorizeConditional).toHaveBeenCalledTimes(2);
    expect((other[0] as any).conditions.not.params.userEntityRef).toBe(
      'user:default/omar',
    );
  });

  it('keys decisions by a hash of the token, with a time to live', async () => {
    const set = jest.fn(async () => {});
    const inner: PermissionsService = {
      authorize: async () => [{ result: AuthorizeResult.ALLOW }],
      authorizeConditional: async () => [],
    };
    const cache = {
      get: async () => undefined,
      set,
      delete: async () => {},
      withOptions: () => cache,
    } as unknown as CacheService;
    const permissions = new CachedPermissions({
      permissions: inner,
      cache,
      ttlMs: 5000,
    });
    await permissions.authorize([{ permission: read }], {
      credentials: credentialsOf('user:default/ana', 'very-secret-token'),
    });
    expect(set).toHaveBeenCalledWith(
      expect.stringMatching(/^decision:[A-Za-z0-9_-]{43}:ops\.rfc\.read$/),
      { result: AuthorizeResult.ALLOW },
      { ttl: 5000 },
    );
    expect(JSON.stringify(set.mock.calls)).not.toContain('very-secret-token');
  });
});
