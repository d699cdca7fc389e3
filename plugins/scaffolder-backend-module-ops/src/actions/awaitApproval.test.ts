import { OpsContractStub } from '../__testUtils__/opsContractStub';
import { actionContext, auth, discovery } from '../__testUtils__/context';
import { createRfcAwaitApprovalAction } from './awaitApproval';
import { examples } from './awaitApproval.examples';

describe('ops:rfc:await-approval', () => {
  let stub: OpsContractStub;
  let clock: number;
  let onSleep: (ms: number) => void;
  const sleeps: number[] = [];

  const action = (timeoutMs = 60_000) =>
    createRfcAwaitApprovalAction({
      discovery,
      auth,
      fetch: stub.fetch,
      timeoutMs,
      pollIntervalMs: 10_000,
      now: () => clock,
      sleep: async ms => {
        sleeps.push(ms);
        clock += ms;
        onSleep(ms);
      },
    });

  beforeEach(() => {
    stub = new OpsContractStub();
    clock = Date.parse('2030-01-01T00:00:00Z');
    onSleep = () => {};
    sleeps.length = 0;
  });

  const startCalls = () => stub.calls.filter(c => c.path.endsWith('/start'));

  it('starts a pre-approved RFC at once under this task', async () => {
    stub.seed({ id: 'RFC-000001', status: 'Scheduled', version: 3 });
    const ctx = actionContext({ rfcId: 'RFC-000001' }, { taskId: 'task-9' });
    await action().handler(ctx as any);

    expect(startCalls()).toEqual([
      expect.objectContaining({ body: { version: 3, taskId: 'task-9' } }),
    ]);
    expect(stub.rfcs.get('RFC-000001')).toMatchObject({
      status: 'InProgress',
      taskId: 'task-9',
    });
    expect(ctx.output).toHaveBeenCalledWith('status', 'InProgress');
    expect(sleeps).toEqual([]);
  });

  it('waits, logging progress, until Central IT approves', async () => {
    stub.seed({ id: 'RFC-000002', status: 'PendingApproval' });
    let polls = 0;
    onSleep = () => {
      polls += 1;
      if (polls === 3) stub.approve('RFC-000002', 'user:default/omar');
    };
    const ctx = actionContext({ rfcId: 'RFC-000002' });
    await action().handler(ctx as any);

    expect(sleeps).toEqual([10_000, 10_000, 10_000]);
    expect(startCalls()).toHaveLength(1);
    expect(ctx.output).toHaveBeenCalledWith('approvedBy', [
      'user:default/omar',
    ]);
    expect(ctx.logs).toContain(
      'RFC-000002: waiting for approval by group:default/central-it',
    );
    // Progress once a minute, not once per poll.
    expect(
      ctx.logs.filter(l =>
        /RFC-000002 is PendingApproval; checking every 10s/.test(l),
      ),
    ).toEqual(['RFC-000002 is PendingApproval; checking every 10s, 60s left']);
  });

  it('fails with the reason when the RFC is rejected', async () => {
    stub.seed({ id: 'RFC-000003', status: 'PendingApproval' });
    onSleep = () =>
      stub.reject(
        'RFC-000003',
        'Use the shared cluster instead of a new database',
      );
    await expect(
      action().handler(actionContext({ rfcId: 'RFC-000003' }) as any),
    ).rejects.toThrow(
      'RFC-000003 was rejected: Use the shared cluster instead of a new database',
    );
    expect(startCalls()).toHaveLength(0);
  });

  it('waits for the requested start time after approval', async () => {
    stub.seed({
      id: 'RFC-000004',
      status: 'Scheduled',
      requestedStartTime: '2030-01-01T00:00:25Z',
    });
    const ctx = actionContext({ rfcId: 'RFC-000004' });
    await action().handler(ctx as any);
    expect(sleeps).toEqual([10_000, 10_000, 10_000]);
    expect(startCalls()).toHaveLength(1);
    expect(ctx.logs).toContain(
      'RFC-000004: approved; waiting for the start time 2030-01-01T00:00:25Z',
    );
  });

  it('gives up at the configured timeout, leaving the RFC open', async () => {
    stub.seed({ id: 'RFC-000005', status: 'PendingApproval' });
    await expect(
      action(25_000).handler(actionContext({ rfcId: 'RFC-000005' }) as any),
    ).rejects.toThrow(/still PendingApproval after the approval wait of 25s/);
    // The last sleep is cut short to end exactly at the deadline.
    expect(sleeps).toEqual([10_000, 10_000, 5_000]);
    expect(stub.rfcs.get('RFC-000005')!.status).toBe('PendingApproval');
  });

  it('keeps the original deadline when the task resumes after a restart', async () => {
    stub.seed({ id: 'RFC-000006', status: 'PendingApproval' });
    const checkpoints = new Map();
    onSleep = () => {
      if (sleeps.length === 2) throw new Error('backend restarted');
    };
    await expect(
      action(30_000).handler(
        actionContext({ rfcId: 'RFC-000006' }, { checkpoints }) as any,
      ),
    ).rejects.toThrow('backend restarted');

    // 20s of the 30s wait are gone; the resumed step waits only the rest.
    sleeps.length = 0;
    onSleep = () => {};
    await expect(
      action(30_000).handler(
        actionContext({ rfcId: 'RFC-000006' }, { checkpoints }) as any,
      ),
    ).rejects.toThrow(/still PendingApproval/);
    expect(sleeps).toEqual([10_000]);
  });

  it('does not start the RFC twice when resumed after starting it', async () => {
    stub.seed({ id: 'RFC-000007', status: 'Scheduled' });
    const checkpoints = new Map();
    await action().handler(
      actionContext({ rfcId: 'RFC-000007' }, { checkpoints }) as any,
    );
    const resumed = actionContext({ rfcId: 'RFC-000007' }, { checkpoints });
    await action().handler(resumed as any);
    expect(startCalls()).toHaveLength(1);
    expect(resumed.output).toHaveBeenCalledWith('status', 'InProgress');
  });

  it('refuses an RFC another task is already carrying out', async () => {
    stub.seed({ id: 'RFC-000008', status: 'InProgress', taskId: 'other-task' });
    await expect(
      action().handler(actionContext({ rfcId: 'RFC-000008' }) as any),
    ).rejects.toThrow(
      'RFC-000008 is already being carried out by task other-task',
    );
  });

  it('reads the RFC again when it changed between the read and the start', async () => {
    stub.seed({ id: 'RFC-000009', status: 'Scheduled' });
    stub.conflictOnce.add('RFC-000009');
    const ctx = actionContext({ rfcId: 'RFC-000009' });
    await action().handler(ctx as any);
    expect(startCalls()).toHaveLength(2);
    expect(stub.rfcs.get('RFC-000009')!.status).toBe('InProgress');
  });

  it('makes no call in a dry run', async () => {
    const ctx = actionContext({ rfcId: 'RFC-000010' }, { isDryRun: true });
    await action().handler(ctx as any);
    expect(stub.calls).toHaveLength(0);
  });

  it.each(examples.map(e => [e.description, e.step] as const))(
    'runs the example: %s',
    async (_description, step) => {
      const rfcId = String(step.input.rfcId).replace(
        '${{ steps.rfc.output.rfcId }}',
        'RFC-000123',
      );
      stub.seed({ id: 'RFC-000123', status: 'Scheduled' });
      const ctx = actionContext({ ...step.input, rfcId });
      await action().handler(ctx as any);
      expect(stub.rfcs.get('RFC-000123')!.status).toBe('InProgress');
    },
  );
});
