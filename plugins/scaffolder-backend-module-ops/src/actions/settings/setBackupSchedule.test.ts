import { InputError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createBackupSetScheduleAction } from './setBackupSchedule';

describe('aws:backup:set-schedule', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createBackupSetScheduleAction({
      guard: executions.guard,
      backup: gateways.backup,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it("sets the stack's backup plan from the RFC's schedule", async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'set-backup-schedule',
      parameters: {
        frequency: 'every-12-hours',
        startTime: '01:00',
        retentionDays: '35',
      },
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      {
        method: 'setBackupSchedule',
        request: {
          stack: STACK,
          schedule: {
            frequency: 'every-12-hours',
            startTime: '01:00',
            retentionDays: 35,
          },
          stamp: FIRST_STAMP,
        },
      },
    ]);
    const outputs = {
      backupPlanId: 'plan-1',
      backupSelectionId: 'selection-1',
    };
    expect(executions.reports).toEqual([{ ...proof, outputs }]);
    expect(ctx.output).toHaveBeenCalledWith('backupPlanId', 'plan-1');
    expect(ctx.output).toHaveBeenCalledWith('backupSelectionId', 'selection-1');
    expect(ctx.logs.at(-1)).toBe(
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): created backup plan plan-1 with selection selection-1: every-12-hours from 01:00 UTC (cron(0 1/12 ? * * *)), kept 35 days',
    );
  });

  it('refuses a schedule that does not parse, listing every problem', async () => {
    const { ctx } = inExecution(executions, {
      operation: 'set-backup-schedule',
      parameters: { frequency: 'hourly', startTime: '01:00', retentionDays: 0 },
    });
    const run = action().handler(ctx as any);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      'its parameters are not valid: parameters.frequency: must be one of every-12-hours, daily, weekly; parameters.retentionDays: must be a whole number of days from 1 to 365',
    );
    expect(gateways.calls).toEqual([]);
  });
});
