import { InputError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createSsmSetMaintenanceWindowAction } from './setMaintenanceWindow';

describe('aws:ssm:set-maintenance-window', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createSsmSetMaintenanceWindowAction({
      guard: executions.guard,
      patching: gateways.patching,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("sets the window of the RFC's stack from its stored parameters", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'set-maintenance-window',
      parameters: { week: 'last', weekday: 'fri', startTime: '22:30' },
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'setMaintenanceWindow',
        request: {
          stack: STACK,
          window: {
            week: 'last',
            weekday: 'FRI',
            startTime: '22:30',
            durationHours: 1,
          },
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
    expect(ctx.logs).toContain(
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): created maintenance window mw-0123456789abcdef0 with schedule cron(0 3 ? * TUE#2 *) (the last week, FRI 22:30 UTC for 1h)',
    );
  });

  it('says when it updated a window in the sandbox account', async () => {
    gateways.windowResult = { ...gateways.windowResult, created: false };
    const { ctx } = inExecution(executions, {
      operation: 'set-maintenance-window',
      parameters: { week: 2, weekday: 'TUE', startTime: '03:00' },
      sandbox: true,
    });
    await action().handler(ctx as any);
    expect(ctx.logs.at(-1)).toMatch(
      /^RFC-000101 on resource:default\/orders-db \(account 123456789012, eu-west-1\) in the sandbox account: updated maintenance window mw-0123456789abcdef0 .*\(week 2, TUE 03:00 UTC for 1h\)$/,
    );
  });

  it('refuses stored parameters that do not parse, changing nothing', async () => {
    const { ctx } = inExecution(executions, {
      operation: 'set-maintenance-window',
      parameters: { week: 5, weekday: 'TUE', startTime: '25:00' },
    });
    const run = action().handler(ctx as any);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      'RFC-000101 cannot be carried out by aws:ssm:set-maintenance-window: its parameters are not valid: parameters.week: must be 1, 2, 3, 4 or "last"; parameters.startTime: must be a UTC time HH:MM such as 03:00',
    );
    expect(gateways.calls).toEqual([]);
    expect(executions.reports).toEqual([]);
  });
});
