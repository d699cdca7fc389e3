import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CHANGE_TYPE_ANNOTATIONS } from '@cloud-ops/plugin-ops-common';
import request from 'supertest';
import { opsPlugin } from './plugin';

jest.setTimeout(60_000);

const CENTRAL_IT = 'group:default/central-it';
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
  },
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: 'ec2-restart',
      namespace: 'default',
      title: 'Restart EC2 instances',
      annotations: {
        'backstage.io/managed-by-origin-location':
          'url:https://change-types.test/all.yaml',
        'backstage.io/managed-by-location':
          'url:https://change-types.test/t.yaml',
        [CHANGE_TYPE_ANNOTATIONS.id]: 'ec2-restart',
        [CHANGE_TYPE_ANNOTATIONS.version]: '1.0',
        [CHANGE_TYPE_ANNOTATIONS.classification]:
          'Management/Compute/EC2 instance/Restart',
        [CHANGE_TYPE_ANNOTATIONS.automation]: 'manual',
        [CHANGE_TYPE_ANNOTATIONS.approval]: 'by-origin',
        [CHANGE_TYPE_ANNOTATIONS.expectedDuration]: 'PT30M',
        [CHANGE_TYPE_ANNOTATIONS.risk]: 'medium',
      },
    },
    spec: {
      type: 'change',
      owner: CENTRAL_IT,
      parameters: { properties: {} },
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
];

const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef as string;
    const groups: Record<string, string[]> = {
      'user:default/ana': ['group:default/payments'],
      'user:default/omar': [CENTRAL_IT],
    };
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(groups[ref] ?? [])],
    };
  },
});

async function startBackend(extra: any[] = []) {
  const { server } = await startTestBackend({
    features: [
      opsPlugin,
      mockServices.rootConfig.factory({
        data: {
          ops: {
            centralIt: { group: CENTRAL_IT },
            changeTypes: {
              trustedLocations: ['url:https://change-types.test/*'],
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities }),
      userInfo.factory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ...extra,
    ],
  });
  return server;
}

describe('audit log through /api/ops', () => {
  it('holds every RFC change the API made, verified and exportable', async () => {
    const server = await startBackend();
    const created = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send({
        changeTypeId: 'ec2-restart',
        title: 'Restart payments-api',
        description: 'Memory leak',
        targetEntityRef: 'component:default/payments-api',
        implementationPlan: 'One at a time',
        testPlan: 'Rehearsed in staging',
        rollbackPlan: 'None needed',
        requestedStartTime: new Date(Date.now() + 3_600_000).toISOString(),
        submit: true,
      });
    expect(created.status).toBe(201);
    const approved = await request(server)
      .post(`/api/ops/rfcs/${created.body.id}/approve`)
      .set('Authorization', as('omar'))
      .send({ version: 1 });
    expect(approved.status).toBe(200);

    const chain = await request(server)
      .get(`/api/ops/audit/entries?subject=rfc:${created.body.id}`)
      .set('Authorization', as('omar'));
    expect(chain.status).toBe(200);
    expect(
      chain.body.items.map((e: any) => [e.actor, e.action, e.after.status]),
    ).toEqual([
      ['user:default/ana', 'create', 'Editing'],
      ['user:default/ana', 'submit', 'PendingApproval'],
      ['user:default/omar', 'approve', 'Scheduled'],
    ]);
    // The state the API served, but for the approvals: those are entries.
    const { approvals: _approvals, ...state } = approved.body;
    expect(chain.body.items[2].after).toEqual(state);

    const verified = await request(server)
      .get('/api/ops/audit/verify')
      .set('Authorization', as('omar'));
    expect(verified.body).toMatchObject({ ok: true, checked: 3 });

    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const exported = await request(server)
      .get(`/api/ops/audit/export?from=${day}&to=${next}&format=jsonl`)
      .set('Authorization', as('omar'));
    expect(exported.status).toBe(200);
    expect(exported.text.trimEnd().split('\n')).toHaveLength(3);
  });

  it('keeps the log from those the policy does not allow to read it', async () => {
    const server = await startBackend([
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    const denied = await request(server)
      .get('/api/ops/audit/verify')
      .set('Authorization', as('ana'));
    expect(denied.status).toBe(403);
    const anonymous = await request(server).get('/api/ops/audit/verify');
    expect(anonymous.status).toBe(401);
  });
});
