import { OpsContractStub } from '../__testUtils__/opsContractStub';
import { actionContext, auth, discovery } from '../__testUtils__/context';
import { FakeOpsExecutions } from '../__testUtils__/executions';
import { createRfcFollowAction } from './followRfc';
import { examples } from './followRfc.examples';

describe('ops:rfc:follow', () => {
  let stub: OpsContractStub;
  let clock: number;
  let sleeps: number;
  const action = (maxFollowMs = 60_000) =>
    createRfcFollowAction({
      discovery,
      auth,
      fetch: stub.fetch,
      appBaseUrl: 'http://portal.test',
      maxFollowMs,
      pollIntervalMs: 1_000,
      now: () => clock,
      sleep: async ms => {
        clock += ms;
        sleeps += 1;
      },
    });
  beforeEach(() => {
    stub = new OpsContractStub();
    clock = Date.parse('2026-03-01T10:00:00Z');
    sleeps = 0;
  });

  it('ends at once while the RFC waits for approval, holding no worker', async () => {
    stub.seed({ id: 'RFC-000001', status: 'PendingApproval' });
    const ctx = actionContext({ rfcId: 'RFC-000001' });
    await action().handler(ctx as any);
    expect(sleeps).toBe(0);
    expect(ctx.output).toHaveBeenCalledWith('status', 'PendingApproval');
    expect(ctx.logs.join('\n')).toMatch(
      /waits for approval by group:default\/central-it.*http:\/\/portal.test\/ops\/rfcs\/RFC-000001/,
    );
  });

  it('ends at once for an approved RFC that starts later', async () => {
    stub.seed({
      id: 'RFC-000001',
      status: 'Scheduled',
      requestedStartTime: '2026-03-02T10:00:00.000Z',
    });
    const ctx = actionContext({ rfcId: 'RFC-000001' });
    await action().handler(ctx as any);
    expect(sleeps).toBe(0);
    expect(ctx.logs.join('\n')).toMatch(/carried out at 2026-03-02T10:00/);
  });

  it("copies the execution's log into the task and ends with the RFC", async () => {
    stub.seed({ id: 'RFC-000001', status: 'Scheduled' });
    let reads = 0;
    stub.onRead = rfc => {
      reads += 1;
      if (reads === 1) {
        stub.startExecution(rfc.id);
        stub.log(rfc.id, 'Provisioning shop-dev (pp-1)');
      } else if (reads === 2) {
        stub.log(rfc.id, 'Record rec-1 is SUCCEEDED');
        stub.finishExecution(rfc.id, 'Success', {
          stackEntityRef: 'resource:default/shop-dev',
        });
      }
    };
    const ctx = actionContext({ rfcId: 'RFC-000001' });
    await action().handler(ctx as any);
    expect(ctx.logs).toEqual(
      expect.arrayContaining([
        '[execution provision] Provisioning shop-dev (pp-1)',
        '[execution provision] Record rec-1 is SUCCEEDED',
      ]),
    );
    // Each line once, although the log was read twice.
    expect(
      ctx.logs.filter(l => l.includes('Provisioning shop-dev')),
    ).toHaveLength(1);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Success');
    expect(ctx.output).toHaveBeenCalledWith(
      'stackEntityRef',
      'resource:default/shop-dev',
    );
  });

  it('fails the step with the reason when the execution fails', async () => {
    stub.seed({ id: 'RFC-000001', status: 'Scheduled' });
    stub.onRead = rfc => {
      if (rfc.status === 'Scheduled') stub.startExecution(rfc.id);
      else if (rfc.status === 'InProgress')
        stub.finishExecution(rfc.id, 'Failure', {
          reason: 'Subnet subnet-1 does not exist',
        });
    };
    await expect(
      action().handler(actionContext({ rfcId: 'RFC-000001' }) as any),
    ).rejects.toThrow(/RFC-000001 failed: Subnet subnet-1 does not exist/);
  });

  it('stops following at the bound and lets the execution go on', async () => {
    stub.seed({ id: 'RFC-000001', status: 'InProgress', taskId: 't-1' });
    const ctx = actionContext({ rfcId: 'RFC-000001', timeoutMinutes: 120 });
    await action(5_000).handler(ctx as any);
    // The configured bound wins over a longer one asked for by the template.
    expect(sleeps).toBe(5);
    expect(ctx.output).toHaveBeenCalledWith('status', 'InProgress');
    expect(ctx.logs.join('\n')).toMatch(/goes on without this task/);
  });

  it('does nothing inside the execution run itself', async () => {
    const executions = new FakeOpsExecutions();
    const { secrets } = executions.start({});
    const ctx = Object.assign(actionContext({ rfcId: 'RFC-000101' }), {
      secrets,
    });
    await action().handler(ctx as any);
    expect(stub.calls).toHaveLength(0);
  });

  it.each(examples.map(e => [e.description, e.step] as const))(
    'runs the example: %s',
    async (_description, step) => {
      expect(step.if).toBe('${{ not steps.rfc.output.execution }}');
      stub.seed({ id: 'RFC-000001', status: 'PendingApproval' });
      const ctx = actionContext({ ...step.input, rfcId: 'RFC-000001' });
      await action().handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('status', 'PendingApproval');
    },
  );
});
