import { InputError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createBackupRestoreAction } from './restore';

const RECOVERY_POINT =
  'arn:aws:backup:eu-west-1:123456789012:recovery-point:1a2b3c';

describe('aws:backup:restore', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createBackupRestoreAction({
      guard: executions.guard,
      backup: gateways.backup,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("restores the stack from the RFC's recovery point", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'restore-from-recovery-point',
      parameters: { recoveryPointId: ` ${RECOVERY_POINT}` },
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'restore',
        request: {
          stack: STACK,
          recoveryPointId: RECOVERY_POINT,
          stamp: FIRST_STAMP,
        },
      },
    ]);
    expect(executions.reports).toEqual([
      { ...proof, outputs: { restoreJobId: 'restore-job-1' } },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('restoreJobId', 'restore-job-1');
    expect(ctx.logs.at(-1)).toBe(
      `RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): started restore job restore-job-1 from recovery point ${RECOVERY_POINT}`,
    );
  });

  it('refuses an RFC without a recovery point, changing nothing', async () => {
    const { ctx } = inExecution(executions, {
      operation: 'restore-from-recovery-point',
      parameters: { recoveryPointId: 42 },
    });
    const run = action().handler(ctx as any);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      'parameters.recoveryPointId: is required; pick a recovery point',
    );
    expect(gateways.calls).toEqual([]);
  });
});
