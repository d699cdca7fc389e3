import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { TagPolicy } from '@cloud-ops/plugin-ops-common';
import express from 'express';
import request from 'supertest';
import {
  createTagComplianceRouter,
  TagComplianceService,
} from './tagCompliance';

const policy: TagPolicy = {
  rules: [
    {
      kind: 'Component',
      required: ['cost-center'],
      keys: { environment: { allowed: ['production'], severity: 'warning' } },
    },
  ],
  owner: { severity: 'error' },
};

function component(
  name: string,
  owner: string,
  tags: Record<string, string>,
): Entity {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    annotations[`tags.cloud-ops.io/${k}`] = v;
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
    relations: [
      {
        type: 'ownedBy',
        targetRef: owner.includes(':') ? owner : `group:default/${owner}`,
      },
    ],
  };
}

function group(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  };
}

const paymentsApi = component('payments-api', 'group:default/payments', {
  'cost-center': 'CC-1001',
  environment: 'production',
});
const paymentsLedger = component('payments-ledger', 'payments', {
  environment: 'prod',
});
const storefront = component('storefront', 'group:default/web', {
  'cost-center': 'CC-2001',
});
const orphan = component('orphan', 'group:default/gone', {
  'cost-center': 'CC-3001',
});
const personal = component('scratch', 'user:default/ana', {
  'cost-center': 'CC-4001',
});

const ana = mockCredentials.user('user:default/ana');
const wei = mockCredentials.user('user:default/wei');

/**
 * A catalog with per-user visibility: ana (payments) sees payments entities,
 * wei (web) sees web entities; both see the groups except payments, which
 * only ana sees.
 */
function catalogFor() {
  const everything = [
    paymentsApi,
    paymentsLedger,
    storefront,
    orphan,
    personal,
    group('payments'),
    group('web'),
  ];
  const byUser: Record<string, Entity[]> = {
    'user:default/ana': everything.filter(
      e => e.metadata.name !== 'storefront' && e.metadata.name !== 'web',
    ),
    'user:default/wei': everything.filter(
      e => !e.metadata.name.startsWith('payments') && e !== personal,
    ),
  };
  // The catalog service is always called with credentials by this route.
  const view = (options: unknown) => {
    const { credentials } = options as { credentials: BackstageCredentials };
    const user = (credentials.principal as { userEntityRef?: string })
      .userEntityRef;
    return catalogServiceMock({ entities: byUser[user ?? ''] ?? [] });
  };
  return catalogServiceMock.mock({
    getEntityByRef: jest.fn((ref, options) =>
      view(options).getEntityByRef(ref, options),
    ),
    queryEntities: jest.fn((req, options) =>
      view(options).queryEntities(req, options),
    ),
    getEntitiesByRefs: jest.fn((req, options) =>
      view(options).getEntitiesByRefs(req, options),
    ),
  });
}

async function setup(config: object = { ops: { tagPolicy: policy } }) {
  const catalog = catalogFor();
  const app = express();
  app.use(
    await createTagComplianceRouter({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.none(),
      }),
      tagCompliance: TagComplianceService.fromConfig(
        new ConfigReader(config),
        catalog,
      ),
    }),
  );
  app.use(mockErrorHandler());
  return { app, catalog };
}

const as = (credentials: BackstageCredentials) => ({
  Authorization: mockCredentials.user.header(
    (credentials.principal as { userEntityRef: string }).userEntityRef,
  ),
});

describe('GET /tag-compliance', () => {
  it('answers 401 without credentials and reads nothing', async () => {
    const { app, catalog } = await setup();
    const res = await request(app).get(
      '/tag-compliance?owner=group:default/payments',
    );
    expect(res.status).toBe(401);
    expect(catalog.queryEntities).not.toHaveBeenCalled();
  });

  it('lists the violations of every entity a team owns, as the caller', async () => {
    const { app, catalog } = await setup();
    const res = await request(app)
      .get('/tag-compliance?owner=group:default/payments')
      .set(as(ana));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          entityRef: 'component:default/payments-api',
          owner: 'group:default/payments',
          violations: [],
        },
        {
          entityRef: 'component:default/payments-ledger',
          owner: 'group:default/payments',
          violations: [
            expect.objectContaining({
              rule: 'required-tag',
              key: 'cost-center',
              severity: 'error',
            }),
            expect.objectContaining({
              rule: 'allowed-values',
              key: 'environment',
              severity: 'warning',
            }),
          ],
        },
      ],
    });
    // The caller's own credentials, for entities and owner lookups alike.
    expect(catalog.queryEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: { 'relations.ownedBy': 'group:default/payments' },
      }),
      { credentials: expect.objectContaining({ principal: ana.principal }) },
    );
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledWith(
      expect.objectContaining({ entityRefs: ['group:default/payments'] }),
      { credentials: expect.objectContaining({ principal: ana.principal }) },
    );
  });

  it('shows only what the caller may see', async () => {
    const { app } = await setup();
    const res = await request(app)
      .get('/tag-compliance?owner=group:default/payments')
      .set(as(wei));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });

    const one = await request(app)
      .get('/tag-compliance?entityRef=component:default/payments-api')
      .set(as(wei));
    expect(one.status).toBe(404);

    const all = await request(app).get('/tag-compliance').set(as(wei));
    expect(all.body.items.map((i: any) => i.entityRef)).toEqual([
      'component:default/orphan',
      'component:default/storefront',
    ]);
  });

  it('reports owners that are not existing groups', async () => {
    const { app } = await setup();
    const res = await request(app).get('/tag-compliance').set(as(ana));
    expect(res.status).toBe(200);
    const byRef = Object.fromEntries(
      res.body.items.map((i: any) => [i.entityRef, i.violations]),
    );
    expect(byRef['component:default/orphan']).toEqual([
      expect.objectContaining({
        rule: 'owner',
        message:
          'Owner "group:default/gone" is not an existing Group in the catalog',
      }),
    ]);
    expect(byRef['component:default/scratch']).toEqual([
      expect.objectContaining({ rule: 'owner', severity: 'error' }),
    ]);
    expect(byRef['component:default/payments-api']).toEqual([]);
    // storefront is not visible to ana at all.
    expect(byRef).not.toHaveProperty('component:default/storefront');
  });

  it('evaluates one entity by ref', async () => {
    const { app } = await setup();
    const res = await request(app)
      .get('/tag-compliance?entityRef=component:default/storefront')
      .set(as(wei));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          entityRef: 'component:default/storefront',
          owner: 'group:default/web',
          violations: [],
        },
      ],
    });
  });

  it('follows catalog pages to the end', async () => {
    const { app, catalog } = await setup();
    catalog.queryEntities
      .mockResolvedValueOnce({
        items: [paymentsApi],
        totalItems: 2,
        pageInfo: { nextCursor: 'next' },
      })
      .mockResolvedValueOnce({
        items: [paymentsLedger],
        totalItems: 2,
        pageInfo: {},
      });
    const res = await request(app)
      .get('/tag-compliance?owner=group:default/payments')
      .set(as(ana));
    expect(res.body.items).toHaveLength(2);
    expect(catalog.queryEntities).toHaveBeenCalledTimes(2);
    expect(catalog.queryEntities).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'next' }),
      expect.anything(),
    );
  });

  it.each([
    ['owner=user:default/ana', /owner "user:default\/ana" is a user/],
    ['owner=group:default/', /not an entity ref/],
    ['entityRef=payments-api', /entityRef "payments-api" is not an entity ref/],
    ['owner=payments&owner=web', /Give owner once/],
    [
      'owner=payments&entityRef=component:default/x',
      /either owner or entityRef/,
    ],
  ])('answers 400 for %s and reads nothing', async (query, message) => {
    const { app, catalog } = await setup();
    const res = await request(app).get(`/tag-compliance?${query}`).set(as(ana));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect(catalog.queryEntities).not.toHaveBeenCalled();
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });

  it('accepts a bare group name as owner', async () => {
    const { app } = await setup();
    const res = await request(app)
      .get('/tag-compliance?owner=payments')
      .set(as(ana));
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
  });

  it('checks nothing without a configured policy', async () => {
    const { app } = await setup({});
    const res = await request(app).get('/tag-compliance').set(as(ana));
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((i: any) => i.violations.length === 0)).toBe(
      true,
    );
  });

  it('refuses an invalid policy at startup', async () => {
    await expect(
      setup({ ops: { tagPolicy: { rules: [{ kind: '' }] } } }),
    ).rejects.toThrow(/Invalid ops.tagPolicy: rules\[0\].kind/);
  });
});
