import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { cachedCatalogReads } from './CachedCatalogReads';

const api: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'group:default/payments' },
};

function credentialsOf(user: string, token?: string): BackstageCredentials {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    version: 'v1',
    principal: { type: 'user', userEntityRef: user },
  };
  if (token) Object.defineProperty(credentials, 'token', { value: token });
  return credentials as BackstageCredentials;
}

describe('cachedCatalogReads', () => {
  function setup() {
    const clock = { now: 0 };
    // Only ana may see payments-api, as a permission policy would decide.
    const inner = catalogServiceMock({ entities: [api] });
    const getEntityByRef = jest.fn(async (ref: any, options: any) =>
      options.credentials.principal.userEntityRef === 'user:default/ana'
        ? inner.getEntityByRef(ref, options)
        : undefined,
    );
    const catalog = catalogServiceMock.mock({
      getEntityByRef,
      getEntitiesByRefs: jest.fn(inner.getEntitiesByRefs.bind(inner)),
      addLocation: jest.fn(async () => ({} as any)),
    });
    const cached = cachedCatalogReads(catalog, {
      ttlMs: 10_000,
      now: () => clock.now,
    });
    return { clock, catalog, cached, getEntityByRef };
  }
  const ref = 'component:default/payments-api';

  it('reads once per token within the time to live, then again', async () => {
    const { cached, getEntityByRef, clock } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    expect(await cached.getEntityByRef(ref, { credentials: ana })).toEqual(api);
    clock.now = 9_000;
    expect(await cached.getEntityByRef(ref, { credentials: ana })).toEqual(api);
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    clock.now = 10_001;
    await cached.getEntityByRef(ref, { credentials: ana });
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
  });

  it('never gives one user what was read for another', async () => {
    const { cached } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    const wei = credentialsOf('user:default/wei', 'token-wei');
    expect(await cached.getEntityByRef(ref, { credentials: ana })).toEqual(api);
    expect(
      await cached.getEntityByRef(ref, { credentials: wei }),
    ).toBeUndefined();
    // And the other way round.
    const { cached: fresh } = setup();
    expect(
      await fresh.getEntityByRef(ref, { credentials: wei }),
    ).toBeUndefined();
    expect(await fresh.getEntityByRef(ref, { credentials: ana })).toEqual(api);
  });

  it('keeps reads apart by request, and hands out copies', async () => {
    const { cached, catalog } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    const first = await cached.getEntitiesByRefs(
      { entityRefs: [ref], fields: ['kind'] },
      { credentials: ana },
    );
    const whole = await cached.getEntitiesByRefs(
      { entityRefs: [ref] },
      { credentials: ana },
    );
    expect(first.items[0]).toEqual({ kind: 'Component' });
    expect(whole.items[0]).toEqual(api);
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(2);
    (whole.items[0] as any).spec.owner = 'group:default/web';
    const again = await cached.getEntitiesByRefs(
      { entityRefs: [ref] },
      { credentials: ana },
    );
    expect((again.items[0] as any).spec.owner).toBe('group:default/payments');
  });

  it('does not keep reads without a token, or failed ones', async () => {
    const { cached, getEntityByRef } = setup();
    const own = credentialsOf('user:default/ana');
    await cached.getEntityByRef(ref, { credentials: own });
    await cached.getEntityByRef(ref, { credentials: own });
    expect(getEntityByRef).toHaveBeenCalledTimes(2);

    const ana = credentialsOf('user:default/ana', 'token-ana');
    getEntityByRef.mockRejectedValueOnce(new Error('catalog down'));
    await expect(
      cached.getEntityByRef(ref, { credentials: ana }),
    ).rejects.toThrow('catalog down');
    expect(await cached.getEntityByRef(ref, { credentials: ana })).toEqual(api);
  });

  it('passes writes and other methods straight through', async () => {
    const { cached, catalog } = setup();
    const ana = credentialsOf('user:default/ana', 'token-ana');
    const location = { type: 'url', target: 'https://example.com/x.yaml' };
    await cached.addLocation(location, { credentials: ana });
    await cached.addLocation(location, { credentials: ana });
    expect(catalog.addLocation).toHaveBeenCalledTimes(2);
  });

  it('forgets the oldest reads when full', async () => {
    const inner = catalogServiceMock({ entities: [api] });
    const getEntityByRef = jest.fn(inner.getEntityByRef.bind(inner));
    const cached = cachedCatalogReads(
      catalogServiceMock.mock({ getEntityByRef }),
      { maxEntries: 2 },
    );
    const ana = credentialsOf('user:default/ana', 'token-ana');
    for (const name of ['a', 'b', 'c']) {
      await cached.getEntityByRef(`component:default/${name}`, {
        credentials: ana,
      });
    }
    await cached.getEntityByRef('component:default/c', { credentials: ana });
    expect(getEntityByRef).toHaveBeenCalledTimes(3);
    await cached.getEntityByRef('component:default/a', { credentials: ana });
    expect(getEntityByRef).toHaveBeenCalledTimes(4);
  });
});
