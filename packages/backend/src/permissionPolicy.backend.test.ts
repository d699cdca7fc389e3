import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import catalogModuleOps from '@cloud-ops/plugin-catalog-backend-module-ops';
import { CHANGE_TYPE_ANNOTATIONS } from '@cloud-ops/plugin-ops-common';
import permissionPlugin from '@backstage/plugin-permission-backend';
import opsPlugin from '@cloud-ops/plugin-ops-backend';
import {
  coreServices,
  createServiceFactory,
  type HttpAuthService,
} from '@backstage/backend-plugin-api';
import request from 'supertest';
import portalPolicy from './permissionPolicy';

jest.setTimeout(60_000);

const CENTRAL_IT = 'group:default/central-it';
const PLATFORM_ADMINS = 'group:default/platform-admins';
const GROUPS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/priya': ['group:default/payments'],
  'user:default/wei': ['group:default/web'],
  'user:default/omar': [CENTRAL_IT],
  'user:default/pat': [PLATFORM_ADMINS],
};
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

// The mock auth service drops the actor from on-behalf-of tokens, and the
// permission integration router refuses user credentials without one. Keep it,
// as real tokens do, for calls the permission backend makes for a user.
const httpAuthWithOnBehalfOf = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.httpAuth({
      pluginId: plugin.getId(),
      defaultCredentials: mockCredentials.none(),
    });
    const credentials: HttpAuthService['credentials'] = async (
      req,
      options,
    ) => {
      const match = /^Bearer mock-service-token:(.+)$/.exec(
        req.headers.authorization ?? '',
      );
      const obo = match ? JSON.parse(match[1]).obo : undefined;
      if (obo && options?.allow?.includes('user' as never)) {
        return mockCredentials.user(obo, {
          actor: { subject: 'plugin:permission' },
        }) as any;
      }
      return inner.credentials(req, options);
    };
    return {
      credentials,
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
    };
  },
});

const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef as string;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
    };
  },
}).factory;

// The portal's policy and the ops plugin's conditional rules, evaluated by
// the real permission backend: approval conditions travel to the ops
// plugin, which loads the RFC and applies them.
describe('RFC approval through the permission backend', () => {
  it('lets only the approving side approve, and never the requester', async () => {
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        permissionPlugin,
        portalPolicy,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            ops: {
              centralIt: { group: CENTRAL_IT },
              changeTypes: {
                trustedLocations: ['url:https://change-types.test/*'],
              },
            },
          },
        }),
        httpAuthWithOnBehalfOf,
        userInfo,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'payments-api', namespace: 'default' },
              spec: { type: 'service', owner: 'payments' },
            },
            {
              apiVersion: 'scaffolder.backstage.io/v1beta3',
              kind: 'Template',
              metadata: {
                name: 'ec2-restart',
                namespace: 'default',
                annotations: {
                  'backstage.io/managed-by-origin-location':
                    'url:https://change-types.test/all.yaml',
                  'backstage.io/managed-by-location':
                    'url:https://change-types.test/ec2-restart.yaml',
                  [CHANGE_TYPE_ANNOTATIONS.id]: 'ec2-restart',
                  [CHANGE_TYPE_ANNOTATIONS.version]: '1.0',
                  [CHANGE_TYPE_ANNOTATIONS.classification]:
                    'Management/Compute/EC2 instance/Restart',
                  [CHANGE_TYPE_ANNOTATIONS.automation]: 'manual',
                  [CHANGE_TYPE_ANNOTATIONS.approval]: 'by-origin',
                  [CHANGE_TYPE_ANNOTATIONS.expectedDuration]: 'PT30M',
                  [CHANGE_TYPE_ANNOTATIONS.risk]: 'low',
                },
              },
              spec: {
                type: 'change',
                owner: CENTRAL_IT,
                parameters: [],
                steps: [
                  {
                    id: 'rfc',
                    action: 'ops:rfc:create',
                    input: {
                      changeTypeId: 'ec2-restart',
                      parameters: '${{ parameters }}',
                    },
                  },
                ],
              },
            },
          ],
        }),
      ],
    });

    const created = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send({
        changeTypeId: 'ec2-restart',
        title: 'Restart',
        description: 'Restart the API',
        targetEntityRef: 'component:default/payments-api',
        implementationPlan: 'One at a time',
        testPlan: 'Staging',
        rollbackPlan: 'None',
        requestedStartTime: new Date(Date.now() + 3_600_000).toISOString(),
        submit: true,
      });
    expect(created.status).toBe(201);
    const id = created.body.id;

    // A teammate may read the RFC but is not on the approving side.
    const byPriya = await request(server)
      .post(`/api/ops/rfcs/${id}/approve`)
      .set('Authorization', as('priya'))
      .send({ version: 1 });
    expect(byPriya.status).toBe(403);
    // The policy, not only the state machine, refused it.
    expect(byPriya.body.error.message).toMatch(/ops\.rfc\.approve/);

    // The requester never carries out their own change.
    const startByAna = await request(server)
      .post(`/api/ops/rfcs/${id}/start`)
      .set('Authorization', as('ana'))
      .send({ version: 1 });
    expect(startByAna.status).toBe(403);
    expect(startByAna.body.error.message).toMatch(/ops\.rfc\.execute/);

    // Another team does not even see it.
    const cancelByWei = await request(server)
      .post(`/api/ops/rfcs/${id}/cancel`)
      .set('Authorization', as('wei'))
      .send({ version: 1 });
    expect(cancelByWei.status).toBe(404);

    const byOmar = await request(server)
      .post(`/api/ops/rfcs/${id}/approve`)
      .set('Authorization', as('omar'))
      .send({ version: 1 });
    expect(byOmar.status).toBe(200);
    expect(byOmar.body.status).toBe('Scheduled');

    const cancelByPriya = await request(server)
      .post(`/api/ops/rfcs/${id}/cancel`)
      .set('Authorization', as('priya'))
      .send({ version: 2, reason: 'Fixed another way' });
    expect(cancelByPriya.status).toBe(200);
  });
});

const changeType = (name: string, allowedGroups?: string) => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name,
    annotations: {
      [CHANGE_TYPE_ANNOTATIONS.id]: name,
      [CHANGE_TYPE_ANNOTATIONS.version]: '1.0',
      [CHANGE_TYPE_ANNOTATIONS.classification]:
        'Management/Access/Stack/Grant access',
      [CHANGE_TYPE_ANNOTATIONS.automation]: 'manual',
      [CHANGE_TYPE_ANNOTATIONS.approval]: 'by-origin',
      [CHANGE_TYPE_ANNOTATIONS.expectedDuration]: 'PT4H',
      [CHANGE_TYPE_ANNOTATIONS.risk]: 'medium',
      ...(allowedGroups
        ? { [CHANGE_TYPE_ANNOTATIONS.allowedGroups]: allowedGroups }
        : {}),
    },
  },
  spec: {
    owner: CENTRAL_IT,
    type: 'change-type',
    parameters: [],
    steps: [
      {
        id: 'rfc',
        action: 'ops:rfc:create',
        input: { changeTypeId: name, parameters: '${{ parameters }}' },
      },
    ],
  },
});

// The portal's policy in front of the real catalog: the ops module's rule
// turns role-based change types into a query filter, and only platform
// admins change what the catalog holds.
describe('the catalog through the permission backend', () => {
  const dir = createMockDirectory({
    content: {
      'templates.yaml': [
        changeType('open-to-all'),
        changeType('payments-only', 'payments'),
      ]
        .map(entity => JSON.stringify(entity))
        .join('\n---\n'),
    },
  });

  it('hides role-based change types from other teams and leaves changes to platform admins', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleScaffolderEntityModel,
        catalogModuleOps,
        permissionPlugin,
        portalPolicy,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Template'] }],
              locations: [
                { type: 'file', target: dir.resolve('templates.yaml') },
              ],
            },
            ops: {
              centralIt: { group: CENTRAL_IT },
              platformAdmins: { group: PLATFORM_ADMINS },
              changeTypes: {
                trustedLocations: [`file:${dir.resolve('templates.yaml')}`],
              },
              aws: {
                implementation: 'sandbox',
                sandbox: { stateFile: '/nonexistent/service-catalog.json' },
              },
            },
          },
        }),
        httpAuthWithOnBehalfOf,
        userInfo,
      ],
    });

    const templates = async (who: string) => {
      const res = await request(server)
        .get('/api/catalog/entities/by-query')
        .query({ filter: 'kind=template' })
        .set('Authorization', as(who));
      expect(res.status).toBe(200);
      return res.body.items as Array<{
        metadata: { name: string; uid: string };
      }>;
    };
    const names = async (who: string) =>
      (await templates(who)).map(e => e.metadata.name).sort();

    const deadline = Date.now() + 45_000;
    while ((await names('pat')).length < 2) {
      if (Date.now() > deadline) throw new Error('catalog never ingested');
      await new Promise(resolve => setTimeout(resolve, 250));
    }

    expect(await names('ana')).toEqual(['open-to-all', 'payments-only']);
    expect(await names('omar')).toEqual(['open-to-all', 'payments-only']);
    expect(await names('wei')).toEqual(['open-to-all']);
    const read = (who: string) =>
      request(server)
        .get('/api/catalog/entities/by-name/template/default/payments-only')
        .set('Authorization', as(who));
    expect((await read('ana')).status).toBe(200);
    expect((await read('wei')).status).toBe(404);

    const register = (who: string) =>
      request(server)
        .post('/api/catalog/locations')
        .set('Authorization', as(who))
        .send({
          type: 'url',
          target: 'https://catalog.test/catalog-info.yaml',
        });
    expect((await register('ana')).status).toBe(403);
    expect((await register('omar')).status).toBe(403);
    expect((await register('pat')).status).toBe(201);

    const open = (await templates('pat')).find(
      e => e.metadata.name === 'open-to-all',
    )!;
    const remove = (who: string) =>
      request(server)
        .delete(`/api/catalog/entities/by-uid/${open.metadata.uid}`)
        .set('Authorization', as(who));
    expect((await remove('ana')).status).toBe(403);
    expect((await remove('pat')).status).toBe(204);
  });
});
