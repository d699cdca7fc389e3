import { InputError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createSsmRejectPatchAction } from './rejectPatch';

describe('aws:ssm:reject-patch', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createSsmRejectPatchAction({
      guard: executions.guard,
      patching: gateways.patching,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("rejects the RFC's update in the stack's baseline", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'reject-update',
      parameters: { updateId: 'ALAS2-2026-0412' },
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'rejectUpdate',
        request: {
          stack: STACK,
          updateId: 'ALAS2-2026-0412',
          stamp: FIRST_STAMP,
        },
      },
    ]);
    expect(executions.reports).toEqual([
      { ...proof, outputs: { patchBaselineId: 'pb-0123456789abcdef0' } },
    ]);
    expect(ctx.output).toHaveBeenCalledWith(
      'patchBaselineId',
      'pb-0123456789abcdef0',
    );
    expect(ctx.logs.at(-1)).toBe(
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): rejected update ALAS2-2026-0412 in patch baseline pb-0123456789abcdef0',
    );
  });

  it('refuses an RFC without an update, changing nothing', async () => {
    const { ctx } = inExecution(executions, {
      operation: 'reject-update',
      parameters: { updateId: '  ' },
    });
    const run = action().handler(ctx as any);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow('parameters.updateId: is required');
    expect(gateways.calls).toEqual([]);
  });
});
