import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import { FakeScaffolder } from './__testUtils__/fakeScaffolder';
import { ExecutionService } from './ExecutionService';
import { hashExecutionSecret } from './RfcExecutor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const scaffolderToken = mockCredentials.service('plugin:scaffolder');

const entities = [
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
    spec: { type: 'website', owner: 'group:default/web' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'new-service', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/web' },
  },
];

describe.each(databases.eachSupportedId())(
  'ExecutionService on %s',
  databaseId => {
    let store: DatabaseRfcStore;
    let scaffolder: FakeScaffolder;
    let service: ExecutionService;
    let rfc: Rfc;
    const secret = 'the-one-time-secret';

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex }),
      });
      scaffolder = new FakeScaffolder();
      service = new ExecutionService({
        store,
        rfcs: { get: async (id: string) => (await store.get(id))! },
        scaffolder,
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth({ pluginId: 'ops' }),
        sandbox: true,
        defaultAccount: '111122223333',
        defaultRegion: 'eu-west-1',
      });
      rfc = await inProgress('component:default/storefront');
    });

    /** An RFC the executor has started with `secret` and task-1. */
    async function inProgress(
      target: string,
      taskId: string | null = 'task-1',
    ) {
      const created = await store.create(
        {
          changeTypeId: 'set-maintenance-window',
          changeTypeVersion: '1.0',
          title: 't',
          description: 'd',
          targetEntityRef: target,
          parameters: { week: '2', weekday: 'TUE', startTime: '03:00' },
          operation: 'set-maintenance-window',
          automation: 'automated',
          binding: { templateRef: 'template:default/set-maintenance-window' },
          ownerGroup: 'group:default/web',
          origin: 'user',
          requester: 'user:default/wei',
          approvalRule: 'none',
          implementationPlan: 'i',
          testPlan: 't',
          rollbackPlan: 'r',
          risk: 'low',
          status: 'Scheduled',
        },
        [],
      );
      const [claimed] = await store.claimForExecution({
        now: new Date(),
        owner: 'me',
        leaseUntil: new Date(Date.now() + 60_000),
        limit: 10,
      });
      const started = await store.transition({
        id: created.id,
        expectedStatus: 'Scheduled',
        expectedVersion: claimed.version,
        toStatus: 'InProgress',
        execution: { attempt: 1, secretHash: hashExecutionSecret(secret) },
        event: { actor: 'system:ops-executor', action: 'start' },
      });
      if (taskId) {
        await store.recordExecutionTask({
          id: created.id,
          attempt: 1,
          owner: 'me',
          taskId,
        });
      }
      return started;
    }

    const proof = () => ({ rfcId: rfc.id, secret, taskId: 'task-1' });

    it('answers the execution context to the execution task, with the target where the entity says', async () => {
      const context = await service.verify(proof(), scaffolderToken);
      expect(context).toMatchObject({
        rfc: { id: rfc.id, status: 'InProgress' },
        attempt: 1,
        token: `ops-${rfc.id}-a1`,
        operation: 'set-maintenance-window',
        binding: { templateRef: 'template:default/set-maintenance-window' },
        target: {
          entityRef: 'component:default/storefront',
          ownerGroup: 'group:default/web',
          account: '444455556666',
          region: 'us-east-1',
          selector: { app: 'storefront' },
        },
        sandbox: true,
      });
    });

    it('falls back to the configured account and region for an entity without them', async () => {
      await store.transition({
        id: rfc.id,
        expectedStatus: 'InProgress',
        expectedVersion: (await store.get(rfc.id))!.version,
        toStatus: 'Failure',
        execution: { secretHash: null },
        event: { actor: 'system:ops-executor', action: 'fail' },
      });
      rfc = await inProgress('component:default/new-service');
      const context = await service.verify(
        { rfcId: rfc.id, secret, taskId: 'task-1' },
        scaffolderToken,
      );
      expect(context.target).toMatchObject({
        account: '111122223333',
        region: 'eu-west-1',
        selector: {},
      });
    });

    it.each([
      ['a wrong secret', { secret: 'guess' }],
      ['another task', { taskId: 'task-2' }],
      ['another RFC', { rfcId: 'RFC-999999' }],
    ])('refuses %s with 403', async (_what, change) => {
      await expect(
        service.verify({ ...proof(), ...change }, scaffolderToken),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(
        service.reportOutputs(
          { ...proof(), ...change, stepId: 's', outputs: { a: 'b' } },
          scaffolderToken,
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect(await store.listExecutionOutputs(rfc.id)).toEqual([]);
    });

    it('refuses users and other services even with the right secret', async () => {
      for (const credentials of [
        mockCredentials.user('user:default/wei'),
        mockCredentials.service('plugin:catalog'),
      ]) {
        await expect(
          service.verify(proof(), credentials),
        ).rejects.toMatchObject({
          name: 'NotAllowedError',
        });
      }
    });

    it('refuses an RFC that is not in progress any more', async () => {
      await store.transition({
        id: rfc.id,
        expectedStatus: 'InProgress',
        expectedVersion: (await store.get(rfc.id))!.version,
        toStatus: 'Success',
        event: { actor: 'system:ops-executor', action: 'succeed' },
      });
      await expect(
        service.verify(proof(), scaffolderToken),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
    });

    it('asks the task to come back while the executor has not recorded it yet', async () => {
      await store.transition({
        id: rfc.id,
        expectedStatus: 'InProgress',
        expectedVersion: (await store.get(rfc.id))!.version,
        toStatus: 'Failure',
        execution: { secretHash: null },
        event: { actor: 'system:ops-executor', action: 'fail' },
      });
      rfc = await inProgress('component:default/storefront', null);
      await expect(
        service.verify(proof(), scaffolderToken),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it('records outputs once per step and name, and shows them with the steps', async () => {
      await service.reportOutputs(
        {
          ...proof(),
          stepId: 'window',
          outputs: { maintenanceWindowId: 'mw-1' },
        },
        scaffolderToken,
      );
      // A resumed step reporting again keeps the first value.
      await service.reportOutputs(
        {
          ...proof(),
          stepId: 'window',
          outputs: { maintenanceWindowId: 'mw-2' },
        },
        scaffolderToken,
      );
      scaffolder.tasks.push({
        id: 'task-1',
        templateRef: 't',
        values: {},
        secrets: {},
        status: 'processing',
        events: [],
      });
      scaffolder.log('task-1', 'rfc', 'Carrying out', 'completed');
      scaffolder.log(
        'task-1',
        'provision',
        '\u001b[32minfo\u001b[39m: Provisioning',
        'processing',
      );
      const execution = await service.getExecution(
        rfc.id,
        mockCredentials.user('user:default/wei'),
      );
      expect(execution).toMatchObject({
        rfcId: rfc.id,
        attempt: 1,
        taskId: 'task-1',
        taskStatus: 'processing',
        outputs: [
          expect.objectContaining({
            name: 'maintenanceWindowId',
            value: 'mw-1',
          }),
        ],
        steps: [
          expect.objectContaining({ id: 'rfc', status: 'completed' }),
          expect.objectContaining({ id: 'provision', status: 'processing' }),
        ],
      });
      const logs = await service.getLogs(
        rfc.id,
        1,
        mockCredentials.user('user:default/wei'),
      );
      expect(logs).toEqual([
        expect.objectContaining({
          id: 2,
          stepId: 'provision',
          message: 'info: Provisioning',
        }),
      ]);
    });
  },
);
