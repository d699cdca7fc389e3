import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
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
const GROUPS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/priya': ['group:default/payments'],
  'user:default/wei': ['group:default/web'],
  'user:default/omar': [CENTRAL_IT],
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
            ops: { centralIt: { group: CENTRAL_IT } },
          },
        }),
        httpAuthWithOnBehalfOf,
        mockServices.userInfo.mock({
          async getUserInfo(credentials: any) {
            const ref = credentials.principal.userEntityRef as string;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
            };
          },
        }).factory,
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

    const byWei = await request(server)
      .post(`/api/ops/rfcs/${id}/approve`)
      .set('Authorization', as('wei'))
      .send({ version: 1 });
    expect(byWei.status).toBe(403);
    // The policy, not only the state machine, refused it.
    expect(byWei.body.error.message).toMatch(/ops\.rfc\.approve/);

    const cancelByWei = await request(server)
      .post(`/api/ops/rfcs/${id}/cancel`)
      .set('Authorization', as('wei'))
      .send({ version: 1 });
    expect(cancelByWei.status).toBe(403);

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
