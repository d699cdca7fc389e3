import type { AddressInfo } from 'node:net';
import {
  createBackendModule,
  type BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { CHANGE_TYPE_ANNOTATIONS } from '@cloud-ops/plugin-ops-common';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { catalogModuleOps } from '../module';
import {
  createOpsCatalogConditionalDecision,
  opsCatalogConditions,
} from './rules';
import { changeTypeTemplate } from './__testUtils__/changeTypeTemplate';

jest.setTimeout(60_000);

const CLAIMS: Record<string, string[]> = {
  'user:default/ana': ['user:default/ana', 'group:default/payments'],
  'user:default/wei': ['user:default/wei', 'group:default/web'],
};
const ADMIN = 'user:default/admin';

// Template is the scaffolder's kind; accept it without the scaffolder's
// catalog module, which this package does not depend on.
const acceptTemplates = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-templates',
  register(reg) {
    reg.registerInit({
      deps: { processing: catalogProcessingExtensionPoint },
      async init({ processing }) {
        processing.addProcessor({
          getProcessorName: () => 'TestTemplateKind',
          validateEntityKind: async entity => entity.kind === 'Template',
        });
      },
    });
  },
});

let condition: (
  claims: string[],
) => Parameters<typeof createOpsCatalogConditionalDecision>[1] = claims =>
  opsCatalogConditions.isChangeTypeAllowedFor({ claims });

// Stands in for a policy: the admin reads everything, everyone else under
// the ops condition with their claims.
const permissions = mockServices.permissions.mock({
  async authorizeConditional(queries, options) {
    const { userEntityRef } = options.credentials
      .principal as BackstageUserPrincipal;
    return queries.map(({ permission }) =>
      userEntityRef !== ADMIN &&
      isResourcePermission(permission, 'catalog-entity')
        ? createOpsCatalogConditionalDecision(
            permission,
            condition(CLAIMS[userEntityRef] ?? []),
          )
        : { result: AuthorizeResult.ALLOW },
    );
  },
});

const templates = [
  changeTypeTemplate('open-to-all'),
  changeTypeTemplate('payments-only', { allowedGroups: 'payments' }),
  changeTypeTemplate('broken-roles', {
    allowedGroups: 'payments, not a group',
  }),
];

describe('IS_CHANGE_TYPE_ALLOWED_FOR in the catalog', () => {
  const dir = createMockDirectory({
    content: {
      'templates.yaml': templates.map(t => JSON.stringify(t)).join('\n---\n'),
    },
  });

  it('filters list queries and single reads by the caller’s groups', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleOps,
        acceptTemplates,
        permissions.factory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Template'] }],
              locations: [
                { type: 'file', target: dir.resolve('templates.yaml') },
              ],
            },
            ops: {
              aws: {
                implementation: 'sandbox',
                sandbox: { stateFile: '/nonexistent/service-catalog.json' },
              },
              centralIt: { group: 'group:default/central-it' },
            },
          },
        }),
      ],
    });

    const base = `http://localhost:${
      (server.address() as AddressInfo).port
    }/api/catalog`;
    const as = (who: string) => ({
      authorization: mockCredentials.user.header(who),
      'content-type': 'application/json',
    });
    const names = async (who: string) => {
      const res = await fetch(
        `${base}/entities/by-query?filter=kind=template`,
        {
          headers: as(who),
        },
      );
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: Entity[] };
      return items.map(e => e.metadata.name).sort();
    };

    const deadline = Date.now() + 45_000;
    while ((await names(ADMIN)).length < templates.length) {
      if (Date.now() > deadline) throw new Error('catalog never ingested');
      await new Promise(r => setTimeout(r, 250));
    }

    expect(await names('user:default/ana')).toEqual([
      'open-to-all',
      'payments-only',
    ]);
    expect(await names('user:default/wei')).toEqual(['open-to-all']);
    expect(await names(ADMIN)).toEqual([
      'broken-roles',
      'open-to-all',
      'payments-only',
    ]);

    const read = (who: string, name: string) =>
      fetch(`${base}/entities/by-name/template/default/${name}`, {
        headers: as(who),
      });
    expect((await read('user:default/ana', 'payments-only')).status).toBe(200);
    expect((await read('user:default/wei', 'payments-only')).status).toBe(404);

    const byRefs = await fetch(`${base}/entities/by-refs`, {
      method: 'POST',
      headers: as('user:default/wei'),
      body: JSON.stringify({ entityRefs: templates.map(stringifyEntityRef) }),
    });
    const { items } = (await byRefs.json()) as { items: (Entity | null)[] };
    expect(items.map(e => e?.metadata.name ?? null)).toEqual([
      'open-to-all',
      null,
      null,
    ]);
  });
});

describe('IS_NOT_REFUSED_CHANGE_TYPE in the catalog', () => {
  const governed = changeTypeTemplate('governed');
  const teamOwned = {
    ...changeTypeTemplate('team-owned'),
    spec: {
      ...changeTypeTemplate('team-owned').spec,
      owner: 'group:default/payments',
    },
  };
  const dir = createMockDirectory();
  const trustedFile = dir.resolve('trusted/templates.yaml');
  // Claims, in its own YAML, to come from the trusted file.
  const forged = changeTypeTemplate('forged', {
    annotations: {
      'backstage.io/managed-by-location': `file:${trustedFile}`,
      'backstage.io/managed-by-origin-location': `file:${trustedFile}`,
    },
  });
  dir.setContent({
    'trusted/templates.yaml': [governed, teamOwned]
      .map(t => JSON.stringify(t))
      .join('\n---\n'),
    'untrusted/forged.yaml': JSON.stringify(forged),
  });

  afterAll(() => {
    condition = claims =>
      opsCatalogConditions.isChangeTypeAllowedFor({ claims });
  });

  it('hides change types that are not Central IT’s or come from an untrusted location, even one that forges its location', async () => {
    condition = claims =>
      ({
        allOf: [
          opsCatalogConditions.isChangeTypeAllowedFor({ claims }),
          opsCatalogConditions.isNotRefusedChangeType({}),
        ],
      } as any);
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleOps,
        acceptTemplates,
        permissions.factory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Template'] }],
              locations: [
                { type: 'file', target: trustedFile },
                { type: 'file', target: dir.resolve('untrusted/forged.yaml') },
              ],
            },
            ops: {
              aws: {
                implementation: 'sandbox',
                sandbox: { stateFile: '/nonexistent/service-catalog.json' },
              },
              centralIt: { group: 'group:default/central-it' },
              changeTypes: {
                trustedLocations: [`file:${dir.resolve('trusted')}/*`],
              },
            },
          },
        }),
      ],
    });
    const base = `http://localhost:${
      (server.address() as AddressInfo).port
    }/api/catalog`;
    const list = async (who: string) => {
      const res = await fetch(
        `${base}/entities/by-query?filter=kind=template`,
        { headers: { authorization: mockCredentials.user.header(who) } },
      );
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: Entity[] };
      return items.sort((a, b) =>
        a.metadata.name.localeCompare(b.metadata.name),
      );
    };
    const deadline = Date.now() + 45_000;
    while ((await list(ADMIN)).length < 3) {
      if (Date.now() > deadline) throw new Error('catalog never ingested');
      await new Promise(r => setTimeout(r, 250));
    }

    const all = await list(ADMIN);
    const refusedBy = (name: string) =>
      all.find(e => e.metadata.name === name)!.metadata.annotations?.[
        CHANGE_TYPE_ANNOTATIONS.refused
      ];
    expect(refusedBy('governed')).toBeUndefined();
    expect(refusedBy('team-owned')).toBe('true');
    expect(refusedBy('forged')).toBe('true');
    // The catalog wrote the real location over the forged one.
    expect(
      all.find(e => e.metadata.name === 'forged')!.metadata.annotations?.[
        'backstage.io/managed-by-location'
      ],
    ).toBe(`file:${dir.resolve('untrusted/forged.yaml')}`);

    expect((await list('user:default/ana')).map(e => e.metadata.name)).toEqual([
      'governed',
    ]);
    const read = await fetch(
      `${base}/entities/by-name/template/default/forged`,
      {
        headers: {
          authorization: mockCredentials.user.header('user:default/ana'),
        },
      },
    );
    expect(read.status).toBe(404);
  });
});
