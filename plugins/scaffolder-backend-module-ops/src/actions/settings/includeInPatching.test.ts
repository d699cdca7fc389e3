import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createSsmIncludeInPatchingAction } from './includeInPatching';

describe('aws:ssm:include-in-patching', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createSsmIncludeInPatchingAction({
      guard: executions.guard,
      patching: gateways.patching,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("ends the exclusion of the RFC's stack", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'include-in-patching',
      // Parameters play no part: only the target and the stamp do.
      parameters: { until: '2026-04-30' },
      sandbox: true,
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'setPatchingExclusion',
        request: { stack: STACK, until: null, stamp: FIRST_STAMP },
      },
    ]);
    expect(executions.reports).toEqual([
      { ...proof, outputs: { maintenanceWindowId: 'mw-0123456789abcdef0' } },
    ]);
    expect(ctx.output).toHaveBeenCalledWith(
      'maintenanceWindowId',
      'mw-0123456789abcdef0',
    );
    expect(ctx.logs.at(-1)).toBe(
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1) in the sandbox account: included in patching again: maintenance window mw-0123456789abcdef0 enabled',
    );
  });
});
