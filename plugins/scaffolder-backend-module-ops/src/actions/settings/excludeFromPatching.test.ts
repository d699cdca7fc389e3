import { InputError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createSsmExcludeFromPatchingAction } from './excludeFromPatching';

describe('aws:ssm:exclude-from-patching', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createSsmExcludeFromPatchingAction({
      guard: executions.guard,
      patching: gateways.patching,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("excludes the RFC's stack until the RFC's date, with its justification", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'exclude-from-patching',
      parameters: { until: ' 2026-04-30 ', justification: 'Quarter close' },
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'setPatchingExclusion',
        request: {
          stack: STACK,
          until: '2026-04-30',
          justification: 'Quarter close',
          stamp: FIRST_STAMP,
        },
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
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): excluded from patching until 2026-04-30: maintenance window mw-0123456789abcdef0 disabled (Quarter close)',
    );
  });

  it('refuses an exclusion without a date, changing nothing', async () => {
    const { ctx } = inExecution(executions, {
      operation: 'exclude-from-patching',
      parameters: { until: 'next month' },
    });
    const run = action().handler(ctx as any);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      'parameters.until: must be a date such as 2026-12-31',
    );
    expect(gateways.calls).toEqual([]);
  });
});
