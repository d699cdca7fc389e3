import { NotFoundError } from '@backstage/errors';
import {
  FakeGateways,
  FakeOpsExecutions,
  FIRST_STAMP,
  inExecution,
  STACK,
} from '../../__testUtils__/executions';
import { createBackupTakeSnapshotAction } from './takeSnapshot';

describe('aws:backup:take-snapshot', () => {
  let executions: FakeOpsExecutions;
  let gateways: FakeGateways;
  const action = () =>
    createBackupTakeSnapshotAction({
      guard: executions.guard,
      backup: gateways.backup,
    });
  beforeEach(() => {
    executions = new FakeOpsExecutions();
    gateways = new FakeGateways();
  });

  it('backs up the stack once and reports backup jobs and snapshots apart', async () => {
    gateways.snapshotResult = [
      { resourceArn: 'arn:db', kind: 'backup-job', id: 'job-1' },
      { resourceArn: 'arn:vol-1', kind: 'ebs-snapshot', id: 'snap-1' },
      { resourceArn: 'arn:table', kind: 'backup-job', id: 'job-2' },
      { resourceArn: 'arn:db-2', kind: 'rds-snapshot', id: 'rds-snap-1' },
    ];
    const { ctx, proof } = inExecution(executions, {
      operation: 'take-snapshot',
    });
    await action().handler(ctx as any);

    expect(gateways.calls).toEqual([
      { method: 'takeSnapshot', request: { stack: STACK, stamp: FIRST_STAMP } },
    ]);
    const outputs = {
      backupJobId: 'job-1,job-2',
      snapshotId: 'snap-1,rds-snap-1',
    };
    expect(executions.reports).toEqual([{ ...proof, outputs }]);
    expect(ctx.output).toHaveBeenCalledWith('backupJobId', outputs.backupJobId);
    expect(ctx.output).toHaveBeenCalledWith('snapshotId', outputs.snapshotId);
    expect(ctx.logs.at(-1)).toBe(
      'RFC-000101 on resource:default/orders-db (account 123456789012, eu-west-1): started 4 backups: backup-job job-1 of arn:db, ebs-snapshot snap-1 of arn:vol-1, backup-job job-2 of arn:table, rds-snapshot rds-snap-1 of arn:db-2',
    );
  });

  it('reports only the kinds it started', async () => {
    const { ctx, proof } = inExecution(executions, {
      operation: 'take-snapshot',
    });
    await action().handler(ctx as any);
    expect(executions.reports).toEqual([
      { ...proof, outputs: { backupJobId: 'job-1' } },
    ]);
    expect(ctx.output).not.toHaveBeenCalledWith(
      'snapshotId',
      expect.anything(),
    );
  });

  it('fails when the stack has nothing to back up, reporting nothing', async () => {
    gateways.snapshotResult = [];
    const { ctx } = inExecution(executions, { operation: 'take-snapshot' });
    const run = action().handler(ctx as any);
    await expect(run).rejects.toThrow(NotFoundError);
    await expect(run).rejects.toThrow(
      'No resource of resource:default/orders-db carries the tags {"cloud-ops.io/stack":"orders-db"}, so nothing was backed up',
    );
    expect(executions.reports).toEqual([]);
  });
});
