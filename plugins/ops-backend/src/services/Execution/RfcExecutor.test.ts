import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  OPS_EXECUTION_SECRET_KEY,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import type { NewRfc } from '../../database/RfcStore';
import type {
  ApprovedChangeType,
  ChangeTypeService,
} from '../ChangeTypes/ChangeTypeService';
import { FakeScaffolder } from './__testUtils__/fakeScaffolder';
import { hashExecutionSecret, RfcExecutor } from './RfcExecutor';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const TEMPLATE = 'template:default/ec2-linux-stack';

const newRfc = (overrides: Partial<NewRfc> = {}): NewRfc => ({
  changeTypeId: 'ec2-linux-stack',
  changeTypeVersion: '1.0',
  title: 'Stack for storefront',
  description: 'd',
  targetEntityRef: 'component:default/storefront',
  parameters: { stackName: 'shop', instanceType: 't3.small' },
  automation: 'automated',
  binding: {
    templateRef: TEMPLATE,
    serviceCatalog: {
      productId: 'prod-sandboxec2linux',
      provisioningArtifactId: 'pa-sandboxec2linuxv1',
    },
  },
  ownerGroup: 'group:default/web',
  origin: 'user',
  requester: 'user:default/wei',
  approvalRule: 'none',
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  risk: 'low',
  status: 'Scheduled',
  ...overrides,
});

const changeType = (
  overrides: Partial<ApprovedChangeType> = {},
): ApprovedChangeType => ({
  templateRef: TEMPLATE,
  id: 'ec2-linux-stack',
  version: '1.0',
  title: 'EC2',
  classification: {
    category: 'Deployment',
    subcategory: 's',
    item: 'i',
    operation: 'Create',
  },
  automation: 'automated',
  approval: 'none',
  expectedDuration: 'PT30M',
  risk: 'low',
  parameterSchema: { properties: {}, required: [] },
  ...overrides,
});

/** The approved catalog as the executor reads it, changeable by a test. */
function catalog(initial: ApprovedChangeType | undefined = changeType()) {
  let current: ApprovedChangeType | undefined = initial;
  const service: ChangeTypeService = {
    list: async () => (current ? [current] : []),
    get: async () => current,
  };
  return {
    service,
    set: (ct: ApprovedChangeType | undefined) => {
      current = ct;
    },
  };
}

describe.each(databases.eachSupportedId())('RfcExecutor on %s', databaseId => {
  let store: DatabaseRfcStore;
  let scaffolder: FakeScaffolder;
  let clock: number;
  let changeTypes: ReturnType<typeof catalog>;
  const succeeded: Array<{ rfc: Rfc; outputs: Record<string, string> }> = [];
  const ended: string[] = [];

  const executor = (owner: string, options: { leaseMs?: number } = {}) =>
    new RfcExecutor({
      store,
      scaffolder,
      auth: mockServices.auth({ pluginId: 'ops' }),
      logger: mockServices.logger.mock(),
      changeTypes: changeTypes.service,
      centralItGroup: 'group:default/central-it',
      leaseMs: options.leaseMs ?? 60_000,
      executionTimeoutMs: 3_600_000,
      owner,
      now: () => new Date(clock),
      onSucceeded: async (rfc, outputs) => {
        succeeded.push({ rfc, outputs });
      },
      onEnded: async rfc => {
        ended.push(`${rfc.id}:${rfc.status}`);
      },
    });

  beforeEach(async () => {
    const knex = await databases.init(databaseId);
    store = await DatabaseRfcStore.create({
      database: mockServices.database({ knex }),
    });
    scaffolder = new FakeScaffolder();
    clock = Date.now();
    changeTypes = catalog();
    succeeded.length = 0;
    ended.length = 0;
  });

  const create = (overrides: Partial<NewRfc> = {}) =>
    store.create(newRfc(overrides), [
      { actor: 'user:default/wei', action: 'create', toStatus: 'Editing' },
    ]);

  it('launches the pinned template with the stored parameters and a one-time secret, as itself', async () => {
    const rfc = await create();
    const summary = await executor('a').runOnce();
    expect(summary.started).toBe(1);

    expect(scaffolder.tasks).toHaveLength(1);
    const [task] = scaffolder.tasks;
    expect(task.templateRef).toBe(TEMPLATE);
    expect(task.values).toEqual(rfc.parameters);
    // The ops plugin's own service credentials, not the requester's.
    expect(scaffolder.launchedWith).toEqual(['service:plugin:ops']);
    const { rfcId, secret } = JSON.parse(
      task.secrets[OPS_EXECUTION_SECRET_KEY],
    );
    expect(rfcId).toBe(rfc.id);

    const after = await store.get(rfc.id);
    expect(after).toMatchObject({
      status: 'InProgress',
      attempt: 1,
      taskId: 'task-1',
    });
    const state = await store.getExecutionState(rfc.id);
    expect(state?.secretHash).toBe(hashExecutionSecret(secret));
    expect(state?.secretHash).not.toContain(secret);
    const events = await store.listEvents(rfc.id);
    expect(events.pop()).toMatchObject({
      actor: 'system:ops-executor',
      action: 'start',
      comment: 'attempt 1',
      toStatus: 'InProgress',
    });

    // Nothing more to launch on the next run.
    await executor('a').runOnce();
    expect(scaffolder.tasks).toHaveLength(1);
  });

  it('waits for the requested start time, and leaves manual and unapproved RFCs alone', async () => {
    await create({
      requestedStartTime: new Date(clock + 60_000).toISOString(),
    });
    await create({ automation: 'manual' });
    await create({
      status: 'PendingApproval',
      approverGroup: 'group:default/central-it',
    });
    await executor('a').runOnce();
    expect(scaffolder.tasks).toHaveLength(0);
    clock += 61_000;
    await executor('a').runOnce();
    expect(scaffolder.tasks).toHaveLength(1);
  });

  it('ends the RFC from the outcome of its task, with its outputs', async () => {
    const rfc = await create();
    const run = executor('a');
    await run.runOnce();
    scaffolder.log(
      'task-1',
      'provision',
      'Provisioning shop-dev',
      'processing',
    );
    await store.addExecutionOutputs({
      id: rfc.id,
      attempt: 1,
      stepId: 'provision',
      outputs: { provisionedProductId: 'pp-1', recordId: 'rec-1' },
    });
    expect(await run.runOnce()).toMatchObject({ running: 1 });
    expect((await store.get(rfc.id))?.status).toBe('InProgress');

    scaffolder.complete('task-1');
    expect(await run.runOnce()).toMatchObject({ succeeded: 1 });
    const done = await store.get(rfc.id);
    expect(done).toMatchObject({
      status: 'Success',
      outcomeNotes: 'Provisioned pp-1 (record rec-1).',
    });
    expect(succeeded).toEqual([
      {
        rfc: expect.objectContaining({ id: rfc.id, status: 'Success' }),
        outputs: { provisionedProductId: 'pp-1', recordId: 'rec-1' },
      },
    ]);
    expect(ended).toEqual([`${rfc.id}:Success`]);
    // The secret opens nothing once the RFC has ended.
    expect((await store.getExecutionState(rfc.id))?.secretHash).toBeUndefined();
  });

  it("fails the RFC with the task's error, and a retry runs a new attempt", async () => {
    const rfc = await create();
    const run = executor('a');
    await run.runOnce();
    scaffolder.fail(
      'task-1',
      'Provisioning shop-dev failed: Subnet subnet-1 does not exist',
    );
    expect(await run.runOnce()).toMatchObject({ failed: 1 });
    const failed = await store.get(rfc.id);
    expect(failed).toMatchObject({
      status: 'Failure',
      statusReason:
        'Provisioning shop-dev failed: Subnet subnet-1 does not exist',
    });
    expect(ended).toEqual([`${rfc.id}:Failure`]);

    // A retry is a person's explicit step; the executor then starts attempt 2.
    await store.transition({
      id: rfc.id,
      expectedStatus: 'Failure',
      expectedVersion: failed!.version,
      toStatus: 'Scheduled',
      event: { actor: 'user:default/wei', action: 'retry' },
    });
    await run.runOnce();
    expect(await store.get(rfc.id)).toMatchObject({
      status: 'InProgress',
      attempt: 2,
      taskId: 'task-2',
    });
    const secrets = scaffolder.tasks.map(
      t => t.secrets[OPS_EXECUTION_SECRET_KEY],
    );
    expect(new Set(secrets).size).toBe(2);
  });

  it('fails clearly, launching nothing, when the change type is gone or its template changed', async () => {
    const gone = await create();
    changeTypes.set(undefined);
    await executor('a').runOnce();
    expect(await store.get(gone.id)).toMatchObject({
      status: 'Failure',
      statusReason: expect.stringMatching(
        /no longer a valid change type in the catalog, so nothing was run/,
      ),
    });

    const moved = await create();
    changeTypes.set(
      changeType({ templateRef: 'template:default/ec2-linux-stack-v2' }),
    );
    await executor('a').runOnce();
    expect(await store.get(moved.id)).toMatchObject({
      status: 'Failure',
      statusReason: expect.stringMatching(
        /now defined by template:default\/ec2-linux-stack-v2/,
      ),
    });
    expect(scaffolder.tasks).toHaveLength(0);
  });

  it('fails the RFC when the scaffolder refuses to start the task', async () => {
    const rfc = await create();
    scaffolder.failNextScaffold = new Error('values do not match the template');
    await executor('a').runOnce();
    expect(await store.get(rfc.id)).toMatchObject({
      status: 'Failure',
      statusReason: expect.stringMatching(
        /did not start the execution .* values do not match/,
      ),
    });
  });

  it('fails an RFC whose task disappeared, or ran past the timeout', async () => {
    const lost = await create();
    const run = executor('a');
    await run.runOnce();
    scaffolder.forget('task-1');
    await run.runOnce();
    expect(await store.get(lost.id)).toMatchObject({
      status: 'Failure',
      statusReason: expect.stringMatching(/task-1 no longer exists/),
    });

    const slow = await create();
    await run.runOnce();
    clock += 3_700_000;
    await run.runOnce();
    expect(await store.get(slow.id)).toMatchObject({
      status: 'Failure',
      statusReason: expect.stringMatching(/did not finish within 60 minutes/),
    });
    expect(scaffolder.tasks.find(t => t.id === 'task-2')?.status).toBe(
      'cancelled',
    );
  });

  it('holds an RFC for one replica; another takes it over only once the lease expires, and follows the same task', async () => {
    const rfc = await create();
    const a = executor('replica-a', { leaseMs: 30_000 });
    const b = executor('replica-b', { leaseMs: 30_000 });
    await a.runOnce();
    scaffolder.log('task-1', 'provision', 'working', 'processing');

    // Replica a dies here. Within the lease, b does not touch the RFC.
    clock += 10_000;
    expect(await b.runOnce()).toMatchObject({ running: 0, started: 0 });
    clock += 25_000;
    expect(await b.runOnce()).toMatchObject({ running: 1 });
    scaffolder.complete('task-1');
    expect(await b.runOnce()).toMatchObject({ succeeded: 1 });
    expect(scaffolder.tasks).toHaveLength(1);
    expect((await store.get(rfc.id))?.status).toBe('Success');
  });

  it('reaches every due RFC in turn when a replica holds more of them than one claim takes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create()).id);
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      clock += 1_000;
      const claimed = await store.claimForExecution({
        now: new Date(clock),
        owner: 'replica-a',
        leaseUntil: new Date(clock + 60_000),
        limit: 2,
      });
      expect(claimed).toHaveLength(2);
      claimed.forEach(r => seen.add(r.id));
    }
    // Its own unexpired leases did not keep it on the first two.
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('relaunches the same attempt under a new secret when a replica died before recording its task', async () => {
    const rfc = await create();
    // Replica a moved the RFC to InProgress and then died: no task recorded.
    const [claimed] = await store.claimForExecution({
      now: new Date(clock),
      owner: 'replica-a',
      leaseUntil: new Date(clock + 30_000),
      limit: 1,
    });
    await store.transition({
      id: rfc.id,
      expectedStatus: 'Scheduled',
      expectedVersion: claimed.version,
      toStatus: 'InProgress',
      execution: {
        attempt: 1,
        secretHash: hashExecutionSecret('lost'),
        leaseOwner: 'replica-a',
      },
      event: { actor: 'system:ops-executor', action: 'start' },
    });
    const b = executor('replica-b', { leaseMs: 30_000 });
    expect(await b.runOnce()).toMatchObject({ relaunched: 0 });
    clock += 31_000;
    expect(await b.runOnce()).toMatchObject({ relaunched: 1 });
    const after = await store.get(rfc.id);
    // The same attempt, so its AWS writes carry the same tokens.
    expect(after).toMatchObject({
      status: 'InProgress',
      attempt: 1,
      taskId: 'task-1',
    });
    const state = await store.getExecutionState(rfc.id);
    expect(state?.secretHash).not.toBe(hashExecutionSecret('lost'));
  });

  it('executes each of 50 RFCs due in the same minute exactly once with two replicas running at once', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++)
      ids.add((await create({ title: `stack ${i}` })).id);
    const a = executor('replica-a');
    const b = executor('replica-b');
    for (let round = 0; round < 4; round++) {
      await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    }
    const launched = scaffolder.tasks.map(
      t => JSON.parse(t.secrets[OPS_EXECUTION_SECRET_KEY]).rfcId,
    );
    expect(launched.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const rfc = await store.get(id);
      expect(rfc).toMatchObject({ status: 'InProgress', attempt: 1 });
      const starts = (await store.listEvents(id)).filter(
        e => e.action === 'start',
      );
      expect(starts).toHaveLength(1);
    }
  });
});
