import { InputError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createSsmApplyPatchAction } from './applyPatch';

describe('aws:ssm:apply-patch', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createSsmApplyPatchAction({
      guard: executions.guard,
      patching: gateways.patching,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("installs the RFC's update and reports the patch run", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'apply-update',
      parameters: { updateId: 'KB5039212' },
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'applyUpdate',
        request: { stack: STACK, updateId: 'KB5039212', stamp: FIRST_STAMP },
      },
    ]);
    const outputs = {
      patchBaselineId: 'pb-0123456789abcdef0',
      commandId: '5e5b2c8e-1f3a-4c47-9b1d-0a6c2f1e9d10',
    };
    expect(executions.reports).toEqual([{ ...proof, outputs }]);
    expect(ctx.output).toHaveBeenCalledWith(
      'patchBaselineId',
      outputs.patchBaselineId,
    );
    expect(ctx.output).toHaveBeenCalledWith('commandId', outputs.commandId);
    expect(ctx.logs.at(-1)).toBe(
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): allowed update KB5039212 in patch baseline pb-0123456789abcdef0; patch run 5e5b2c8e-1f3a-4c47-9b1d-0a6c2f1e9d10 started',
    );
  });

  it('reports no command when no patch run started', async () => {
    gateways.applyResult = { baselineId: 'pb-0123456789abcdef0' };
    const { ctx, proof } = inExecution(executions, {
      operation: 'apply-update',
      parameters: { updateId: 'KB5039212' },
    });
    await action().handler(ctx as any);
    expect(executions.reports).toEqual([
      { ...proof, outputs: { patchBaselineId: 'pb-0123456789abcdef0' } },
    ]);
    expect(ctx.output).not.toHaveBeenCalledWith('commandId', expect.anything());
    expect(ctx.logs.at(-1)).toMatch(/; no patch run started$/);
  });

  it('refuses an RFC without an update, changing nothing', async () => {
    const { ctx } = inExecution(executions, {
      operation: 'apply-update',
      parameters: {},
    });
    await expect(action().handler(ctx as any)).rejects.toThrow(InputError);
    expect(gateways.calls).toEqual([]);
  });
});
