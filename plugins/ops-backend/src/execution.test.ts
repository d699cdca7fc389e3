import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderServiceRef } from '@backstage/plugin-scaffolder-node';
import {
  CHANGE_TYPE_ANNOTATIONS as K,
  OPS_EXECUTION_SECRET_KEY,
} from '@cloud-ops/plugin-ops-common';
import request from 'supertest';
import { opsPlugin } from './plugin';
import { FakeScaffolder } from './services/Execution/__testUtils__/fakeScaffolder';

jest.setTimeout(60_000);

const GROUPS: Record<string, string[]> = {
  'user:default/wei': ['group:default/web'],
  'user:default/ana': ['group:default/payments'],
  'user:default/omar': ['group:default/central-it'],
};
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
/** The token an action in a scaffolder task sends to the ops backend. */
const scaffolderHeader = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:scaffolder'),
  targetPluginId: 'ops',
});

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'storefront',
      namespace: 'default',
      annotations: {
        'cloud-ops.io/aws-tag-selector': 'app=storefront',
        'cloud-ops.io/aws-account': '444455556666',
        'cloud-ops.io/aws-region': 'us-east-1',
      },
    },
    spec: {
      type: 'website',
      lifecycle: 'production',
      owner: 'group:default/web',
    },
  },
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: 's3-bucket',
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-origin-location':
          'url:https://change-types.test/all.yaml',
        'backstage.io/managed-by-location':
          'url:https://change-types.test/s3.yaml',
        [K.id]: 's3-bucket',
        [K.version]: '1.0',
        [K.classification]: 'Deployment/Standard stacks/S3 bucket/Create',
        [K.automation]: 'automated',
        [K.approval]: 'central-it',
        [K.expectedDuration]: 'PT10M',
        [K.risk]: 'low',
        [K.productId]: 'prod-sandboxs3bucket',
        [K.artifactId]: 'pa-sandboxs3bucketv1',
      },
    },
    spec: {
      owner: 'group:default/central-it',
      parameters: { properties: { bucketName: { type: 'string' } } },
      steps: [
        {
          id: 'rfc',
          action: 'ops:rfc:create',
          input: { changeTypeId: 's3-bucket', parameters: '${{ parameters }}' },
        },
        {
          id: 'provision',
          if: '${{ steps.rfc.output.execution }}',
          action: 'aws:servicecatalog:provision',
        },
      ],
    },
  },
];

describe('execution of approved RFCs through /api/ops', () => {
  it('runs nothing until approved, then launches the execution, which alone may read its context, and closes the RFC from its outcome', async () => {
    const scaffolder = new FakeScaffolder();
    const scheduler = mockServices.scheduler.mock();
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        scheduler.factory,
        createServiceFactory({
          service: scaffolderServiceRef,
          deps: {},
          factory: () => scaffolder as any,
        }),
        mockServices.rootConfig.factory({
          data: {
            ops: {
              aws: { implementation: 'sandbox' },
              changeTypes: {
                trustedLocations: ['url:https://change-types.test/*'],
              },
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.userInfo.mock({
          async getUserInfo(credentials: any) {
            const ref = credentials.principal.userEntityRef as string;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
            };
          },
        }).factory,
      ],
    });
    const executor = scheduler.scheduleTask.mock.calls
      .map(([t]) => t)
      .find(t => t.id === 'ops-rfc-executor')!;
    expect(executor).toMatchObject({ scope: 'global' });
    const runExecutor = () => executor.fn(new AbortController().signal as any);

    const created = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('wei'))
      .send({
        changeTypeId: 's3-bucket',
        title: 'Assets bucket',
        description: 'd',
        targetEntityRef: 'component:default/storefront',
        parameters: { bucketName: 'shop-assets' },
        implementationPlan: 'i',
        testPlan: 't',
        rollbackPlan: 'r',
        submit: true,
      })
      .expect(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      status: 'PendingApproval',
      automation: 'automated',
      attempt: 0,
      binding: {
        templateRef: 'template:default/s3-bucket',
        serviceCatalog: { productId: 'prod-sandboxs3bucket' },
      },
    });

    // While people decide, nothing runs.
    await runExecutor();
    expect(scaffolder.tasks).toHaveLength(0);
    const approved = await request(server)
      .post(`/api/ops/rfcs/${id}/approve`)
      .set('Authorization', as('omar'))
      .send({ version: created.body.version })
      .expect(200);
    // Nobody may start an automated change by hand: not the requester, not
    // Central IT, not a service token.
    for (const header of [as('wei'), as('omar'), scaffolderHeader]) {
      await request(server)
        .post(`/api/ops/rfcs/${id}/start`)
        .set('Authorization', header)
        .send({ version: approved.body.version })
        .expect(403);
    }

    // Approval asks the executor to look at once.
    expect(scheduler.triggerTask).toHaveBeenCalledWith('ops-rfc-executor');
    await runExecutor();
    expect(scaffolder.tasks).toHaveLength(1);
    const [task] = scaffolder.tasks;
    expect(task.templateRef).toBe('template:default/s3-bucket');
    expect(task.values).toEqual({ bucketName: 'shop-assets' });
    const { secret } = JSON.parse(task.secrets[OPS_EXECUTION_SECRET_KEY]);

    // The task's actions prove themselves with the secret and their task id.
    const proof = { rfcId: id, secret, taskId: task.id };
    const context = await request(server)
      .post('/api/ops/executions/verify')
      .set('Authorization', scaffolderHeader)
      .send(proof)
      .expect(200);
    expect(context.body).toMatchObject({
      rfc: { id, status: 'InProgress', version: approved.body.version + 2 },
      attempt: 1,
      token: `ops-${id}-a1`,
      target: { account: '444455556666', region: 'us-east-1' },
      sandbox: true,
    });
    // A user, even the requester with the secret, gets nothing.
    await request(server)
      .post('/api/ops/executions/verify')
      .set('Authorization', as('wei'))
      .send(proof)
      .expect(403);
    await request(server)
      .post('/api/ops/executions/verify')
      .set('Authorization', scaffolderHeader)
      .send({ ...proof, secret: 'guess' })
      .expect(403);
    await request(server)
      .post('/api/ops/executions/verify')
      .set('Authorization', scaffolderHeader)
      .send({ ...proof, extra: 1 })
      .expect(400);

    await request(server)
      .post('/api/ops/executions/outputs')
      .set('Authorization', scaffolderHeader)
      .send({
        ...proof,
        stepId: 'provision',
        outputs: {
          provisionedProductId: 'pp-1',
          stackEntityRef: 'resource:default/shop-assets',
        },
      })
      .expect(200);
    scaffolder.log(
      task.id,
      'provision',
      'Provisioning shop-assets',
      'processing',
    );
    scaffolder.complete(task.id);
    await runExecutor();

    const done = await request(server)
      .get(`/api/ops/rfcs/${id}`)
      .set('Authorization', as('wei'))
      .expect(200);
    expect(done.body).toMatchObject({
      status: 'Success',
      outcomeNotes: 'Provisioned pp-1; stack resource:default/shop-assets.',
    });
    const execution = await request(server)
      .get(`/api/ops/rfcs/${id}/execution`)
      .set('Authorization', as('wei'))
      .expect(200);
    expect(execution.body).toMatchObject({
      taskId: task.id,
      taskStatus: 'completed',
      stackEntityRef: 'resource:default/shop-assets',
    });
    const logs = await request(server)
      .get(`/api/ops/rfcs/${id}/execution/logs`)
      .set('Authorization', as('wei'))
      .expect(200);
    expect(logs.body.items.map((l: any) => l.message)).toContain(
      'Provisioning shop-assets',
    );
    await request(server)
      .get(`/api/ops/rfcs/${id}/execution/logs?after=x`)
      .set('Authorization', as('wei'))
      .expect(400);
    // Once the RFC has ended, the secret opens nothing.
    await request(server)
      .post('/api/ops/executions/verify')
      .set('Authorization', scaffolderHeader)
      .send(proof)
      .expect(403);
    const events = await request(server)
      .get(`/api/ops/rfcs/${id}/events`)
      .set('Authorization', as('wei'));
    expect(events.body.items.map((e: any) => `${e.actor}:${e.action}`)).toEqual(
      [
        'user:default/wei:create',
        'user:default/wei:submit',
        'user:default/omar:approve',
        'system:ops-executor:start',
        'system:ops-executor:succeed',
      ],
    );
  });
});
