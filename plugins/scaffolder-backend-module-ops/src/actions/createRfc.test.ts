import { OpsContractStub } from '../__testUtils__/opsContractStub';
import { actionContext, auth, discovery } from '../__testUtils__/context';
import { FakeOpsExecutions } from '../__testUtils__/executions';
import { createRfcCreateAction } from './createRfc';
import { examples } from './createRfc.examples';

describe('ops:rfc:create', () => {
  let stub: OpsContractStub;
  let executions: FakeOpsExecutions;
  const action = () =>
    createRfcCreateAction({
      discovery,
      auth,
      fetch: stub.fetch,
      guard: executions.guard,
      appBaseUrl: 'http://portal.test',
    });
  beforeEach(() => {
    stub = new OpsContractStub();
    executions = new FakeOpsExecutions();
  });

  const input = {
    changeTypeId: 'rds-postgres',
    title: 'Ledger database',
    targetEntityRef: 'component:default/payments-ledger',
    parameters: { dbInstanceClass: 'db.t4g.medium' },
    implementationPlan: 'i',
    testPlan: 't',
    rollbackPlan: 'r',
    submit: true,
  };

  it('records and submits the RFC with a token on behalf of the initiator', async () => {
    const ctx = actionContext(input);
    await action().handler(ctx as any);

    expect(ctx.output).toHaveBeenCalledWith('rfcId', 'RFC-000001');
    expect(ctx.output).toHaveBeenCalledWith('status', 'PendingApproval');
    // The person's run ends here: it says who decides and where to follow.
    expect(ctx.output).toHaveBeenCalledWith('execution', false);
    expect(ctx.output).toHaveBeenCalledWith(
      'approverGroup',
      'group:default/central-it',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'rfcUrl',
      'http://portal.test/ops/rfcs/RFC-000001',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'summary',
      expect.stringContaining(
        'RFC-000001 waits for approval by group:default/central-it',
      ),
    );
    expect(stub.calls).toHaveLength(1);
    const [call] = stub.calls;
    expect(call).toMatchObject({ method: 'POST', path: '/rfcs' });
    expect(call.body).toMatchObject({
      changeTypeId: 'rds-postgres',
      targetEntityRef: 'component:default/payments-ledger',
      parameters: { dbInstanceClass: 'db.t4g.medium' },
      submit: true,
    });
    // mockServices.auth mints tokens that name the user they act for.
    expect(call.token).toContain('user:default/mock');
    expect(call.token).toContain('ops');
  });

  it('reports a pre-approved change type as approved at once', async () => {
    const ctx = actionContext({ ...input, changeTypeId: 'ec2-linux-stack' });
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Scheduled');
  });

  it('does not record a second RFC when the task resumes', async () => {
    const checkpoints = new Map();
    await action().handler(actionContext(input, { checkpoints }) as any);
    const resumed = actionContext(input, { checkpoints });
    await action().handler(resumed as any);

    expect(stub.rfcs.size).toBe(1);
    expect(resumed.output).toHaveBeenCalledWith('rfcId', 'RFC-000001');
  });

  it('records nothing in the execution run: it proves the run and outputs execution: true', async () => {
    const { secrets } = executions.start({});
    const ctx = Object.assign(actionContext(input), { secrets });
    await action().handler(ctx as any);
    expect(stub.calls).toHaveLength(0);
    expect(executions.verified).toHaveLength(1);
    expect(ctx.output).toHaveBeenCalledWith('execution', true);
    expect(ctx.output).toHaveBeenCalledWith('rfcId', 'RFC-000101');
  });

  it('refuses a run with a forged execution secret, recording nothing', async () => {
    executions.start({});
    const ctx = Object.assign(actionContext(input), {
      secrets: {
        opsExecution: JSON.stringify({ rfcId: 'RFC-000101', secret: 'guess' }),
      },
    });
    await expect(action().handler(ctx as any)).rejects.toThrow(/403/);
    expect(ctx.output).not.toHaveBeenCalledWith('execution', true);
    expect(stub.calls).toHaveLength(0);
  });

  it("fails with the ops backend's message when the RFC is refused", async () => {
    const ctx = actionContext({ ...input, implementationPlan: '' });
    await expect(action().handler(ctx as any)).rejects.toThrow(
      /implementationPlan is required/,
    );
    expect(stub.rfcs.size).toBe(0);
  });

  it('asks for an emergency change, starting once approved, with its freeze override', async () => {
    const ctx = actionContext({
      ...input,
      requestedStartTime: 'now',
      emergencyIncidentId: 'INC-000012',
      freezeOverrideReason: '  Checkout is down  ',
    });
    await action().handler(ctx as any);
    expect(stub.calls[0].body).toMatchObject({
      requestedStartTime: 'now',
      emergency: {
        incidentId: 'INC-000012',
        freezeOverrideReason: 'Checkout is down',
      },
    });
  });

  it('sends no emergency when no incident is named, and refuses an override without one', async () => {
    const ctx = actionContext({ ...input, emergencyIncidentId: '' });
    await action().handler(ctx as any);
    expect(stub.calls[0].body).not.toHaveProperty('emergency');

    const override = actionContext({
      ...input,
      freezeOverrideReason: 'We must',
    });
    await expect(action().handler(override as any)).rejects.toThrow(
      /freezeOverrideReason is for emergency changes only/,
    );
    expect(stub.calls).toHaveLength(1);
  });

  it('makes no call in a dry run', async () => {
    const ctx = actionContext(input, { isDryRun: true });
    await action().handler(ctx as any);
    expect(stub.calls).toHaveLength(0);
    expect(ctx.output).toHaveBeenCalledWith('rfcId', 'RFC-000000');
    expect(ctx.output).toHaveBeenCalledWith('execution', false);
  });

  it.each(examples.map(e => [e.description, e.step] as const))(
    'runs the example: %s',
    async (_description, step) => {
      expect(step.action).toBe('ops:rfc:create');
      const ctx = actionContext(step.input);
      await action().handler(ctx as any);
      const [call] = stub.calls;
      expect(call.body).toMatchObject({
        changeTypeId: step.input.changeTypeId,
        submit: step.input.submit ?? true,
      });
      expect(ctx.output).toHaveBeenCalledWith(
        'status',
        step.input.submit === false ? 'Editing' : 'Scheduled',
      );
    },
  );
});
