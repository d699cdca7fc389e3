import { InputError, NotAllowedError } from '@backstage/errors';
import { AwsCallError } from '@cloud-ops/plugin-ops-node';
import {
  OPS_EXECUTION_SECRET_KEY,
  OPS_OPERATIONS,
  type OpsOperation,
} from '@cloud-ops/plugin-ops-common';
import { parse } from 'yaml';
import {
  executionContext,
  FakeGateways,
  FakeOpsExecutions,
} from '../../__testUtils__/executions';
import { createSettingsActions } from './index';
import { DRY_RUN_OUTPUT, EXECUTION_STEP_CONDITION } from './settingsAction';

/** Each action with stored parameters that are valid for its operation. */
const cases: {
  id: string;
  operation: OpsOperation;
  parameters: Record<string, unknown>;
  method: string;
}[] = [
  {
    id: 'aws:ssm:set-maintenance-window',
    operation: 'set-maintenance-window',
    parameters: { week: '2', weekday: 'TUE', startTime: '03:00' },
    method: 'setMaintenanceWindow',
  },
  {
    id: 'aws:ssm:exclude-from-patching',
    operation: 'exclude-from-patching',
    parameters: { until: '2026-04-30', justification: 'Quarter close' },
    method: 'setPatchingExclusion',
  },
  {
    id: 'aws:ssm:include-in-patching',
    operation: 'include-in-patching',
    parameters: {},
    method: 'setPatchingExclusion',
  },
  {
    id: 'aws:ssm:reject-patch',
    operation: 'reject-update',
    parameters: { updateId: 'KB5039212' },
    method: 'rejectUpdate',
  },
  {
    id: 'aws:ssm:apply-patch',
    operation: 'apply-update',
    parameters: { updateId: 'KB5039212' },
    method: 'applyUpdate',
  },
  {
    id: 'aws:backup:set-schedule',
    operation: 'set-backup-schedule',
    parameters: { frequency: 'daily', startTime: '01:00', retentionDays: 35 },
    method: 'setBackupSchedule',
  },
  {
    id: 'aws:backup:take-snapshot',
    operation: 'take-snapshot',
    parameters: {},
    method: 'takeSnapshot',
  },
  {
    id: 'aws:backup:restore',
    operation: 'restore-from-recovery-point',
    parameters: {
      recoveryPointId:
        'arn:aws:backup:eu-west-1:123456789012:recovery-point:1a2b3c',
    },
    method: 'restore',
  },
];

describe('createSettingsActions', () => {
  it('makes one action per settings operation', () => {
    const executions = new FakeOpsExecutions();
    const gateways = new FakeGateways();
    const actions = createSettingsActions({
      guard: executions.guard,
      patching: gateways.patching,
      backup: gateways.backup,
    });
    expect(actions.map(a => a.id)).toEqual(cases.map(c => c.id));
    expect(new Set(cases.map(c => c.operation))).toEqual(
      new Set(OPS_OPERATIONS),
    );
  });
});

describe.each(cases)('$id', ({ id, operation, parameters, method }) => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () => {
    const found = createSettingsActions({
      guard: executions.guard,
      patching: gateways.patching,
      backup: gateways.backup,
    }).find(a => a.id === id);
    if (!found) throw new Error(`${id} is not among the settings actions`);
    return found;
  };
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it('takes no input, so a template cannot decide what changes', () => {
    expect(action().schema?.input).toMatchObject({
      properties: {},
      additionalProperties: false,
    });
  });

  it('refuses to act outside an execution run', async () => {
    await expect(
      action().handler(executionContext({ secrets: {} }) as any),
    ).rejects.toThrow(NotAllowedError);
    expect(gateways.calls).toEqual([]);
    expect(executions.reports).toEqual([]);
  });

  it('refuses a crafted execution secret', async () => {
    const { context } = executions.start({ operation, parameters });
    const secrets = {
      [OPS_EXECUTION_SECRET_KEY]: JSON.stringify({
        rfcId: context.rfc.id,
        secret: 'guessed',
      }),
    };
    await expect(
      action().handler(executionContext({ secrets }) as any),
    ).rejects.toThrow(/403 NotAllowedError/);
    expect(gateways.calls).toEqual([]);
  });

  it('refuses the execution of an RFC of another operation', async () => {
    const other = OPS_OPERATIONS.find(o => o !== operation)!;
    const { secrets } = executions.start({ operation: other, parameters });
    await expect(
      action().handler(executionContext({ secrets }) as any),
    ).rejects.toThrow(
      new NotAllowedError(
        `${id} carries out ${operation} RFCs; RFC-000101 is a ${other} RFC, so nothing was changed`,
      ),
    );
    expect(gateways.calls).toEqual([]);
  });

  it('acts once per attempt: a resumed task repeats no write', async () => {
    const { secrets } = executions.start({ operation, parameters });
    const checkpoints = new Map<string, unknown>();
    await action().handler(executionContext({ secrets, checkpoints }) as any);
    const resumed = executionContext({ secrets, checkpoints });
    await action().handler(resumed as any);

    expect(gateways.calls.map(c => c.method)).toEqual([method]);
    expect(executions.reports).toHaveLength(1);
    expect(executions.verified).toHaveLength(2);
    for (const [name, value] of Object.entries(executions.reports[0].outputs)) {
      expect(resumed.output).toHaveBeenCalledWith(name, value);
    }
    expect(resumed.logs.at(-1)).toMatch(
      /\(done before the task resumed; not repeated\)$/,
    );
  });

  it('acts again in a new attempt of the RFC', async () => {
    const checkpoints = new Map<string, unknown>();
    const first = executions.start({ operation, parameters, attempt: 1 });
    await action().handler(
      executionContext({ secrets: first.secrets, checkpoints }) as any,
    );
    const retry = executions.start({ operation, parameters, attempt: 2 });
    await action().handler(
      executionContext({ secrets: retry.secrets, checkpoints }) as any,
    );
    expect(gateways.calls.map(c => c.request.stamp)).toEqual([
      { rfcId: 'RFC-000101', attempt: 1, token: 'ops-RFC-000101-a1' },
      { rfcId: 'RFC-000102', attempt: 2, token: 'ops-RFC-000102-a2' },
    ]);
  });

  it("fails with the gateway's AWS error, reporting nothing, and a resumed task tries again", async () => {
    // As the AWS gateways throw it: the call, what AWS said, what was done.
    const failure = new AwsCallError(
      'ssm:RegisterTaskWithMaintenanceWindow',
      { account: '123456789012', region: 'eu-west-1' },
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
      }),
      ['created maintenance window mw-0123456789abcdef0'],
    );
    gateways.failWith = failure;
    const { secrets } = executions.start({ operation, parameters });
    const checkpoints = new Map<string, unknown>();

    const run = action().handler(
      executionContext({ secrets, checkpoints }) as any,
    );

    // The task fails with this message, which the executor ends the RFC with.
    await expect(run).rejects.toThrow(
      'ssm:RegisterTaskWithMaintenanceWindow in 123456789012/eu-west-1 failed: ThrottlingException: Rate exceeded (AWS throttled the call; try again later); already done: created maintenance window mw-0123456789abcdef0',
    );
    await expect(run).rejects.toBe(failure);
    expect(executions.reports).toEqual([]);
    // Nothing was checkpointed, so a resumed task calls the gateway again
    // (with the same token) rather than reporting a success.
    await expect(
      action().handler(executionContext({ secrets, checkpoints }) as any),
    ).rejects.toBe(failure);
    expect(gateways.calls.map(c => c.method)).toEqual([method, method]);
    expect(executions.reports).toEqual([]);
  });

  it('refuses a target without a tag selector', async () => {
    const { secrets } = executions.start({
      operation,
      parameters,
      selector: {},
    });
    const run = action().handler(executionContext({ secrets }) as any);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      'resource:default/orders-db has no AWS tag selector, so ' +
        `${id} cannot find its resources: add the cloud-ops.io/aws-tag-selector annotation to the entity, then retry RFC-000101`,
    );
    expect(gateways.calls).toEqual([]);
  });

  it('calls nothing in a dry run', async () => {
    const ctx = executionContext({ isDryRun: true });
    await action().handler(ctx as any);
    expect(executions.verified).toEqual([]);
    expect(gateways.calls).toEqual([]);
    const declared = Object.keys(
      (action().schema?.output as any)?.properties ?? {},
    );
    expect(declared.length).toBeGreaterThan(0);
    for (const name of declared) {
      expect(ctx.output).toHaveBeenCalledWith(name, DRY_RUN_OUTPUT);
    }
  });

  it('has examples of a step that runs only in the execution run', () => {
    const examples = action().examples ?? [];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const { steps } = parse(example.example);
      expect(steps).toEqual([
        expect.objectContaining({
          action: id,
          if: EXECUTION_STEP_CONDITION,
        }),
      ]);
      expect(steps[0]).not.toHaveProperty('input');
    }
  });

  it('runs each example in an execution run', async () => {
    for (const example of action().examples ?? []) {
      const [step] = parse(example.example).steps;
      const { secrets } = executions.start({ operation, parameters });
      await action().handler(
        executionContext({ secrets, stepId: step.id }) as any,
      );
    }
    expect(gateways.calls.map(c => c.method)).toEqual(
      (action().examples ?? []).map(() => method),
    );
    expect(executions.reports.map(r => r.stepId)).toEqual(
      (action().examples ?? []).map(e => parse(e.example).steps[0].id),
    );
  });
});
