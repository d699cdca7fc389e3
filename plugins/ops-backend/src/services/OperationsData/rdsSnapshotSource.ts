import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import {
  AWS_LIMITS,
  AwsReadContext,
  chunk,
  failureMessage,
  followPages,
  required,
} from './awsReading';
import {
  BackupEvidence,
  BackupSourceRead,
  keepNewest,
  pushTo,
  TimedPoint,
} from './backupEvidence';

const DESCRIBE_DB_SNAPSHOTS = 'rds:DescribeDBSnapshots';

/**
 * RDS snapshots of databases outside AWS Backup (DescribeDBSnapshots, 50
 * instances per call); only available ones count.
 */
export async function readRdsSnapshots(
  ctx: AwsReadContext,
  databases: Map<string, string>,
): Promise<BackupSourceRead> {
  try {
    const rds = ctx.clients.rds(ctx.at);
    const latest = new Map<string, { id: string; at: Date }>();
    const points = new Map<string, TimedPoint[]>();
    for (const batch of chunk(
      [...databases.values()],
      AWS_LIMITS.rdsFilterValues,
    )) {
      await followPages(DESCRIBE_DB_SNAPSHOTS, ctx.at, async token => {
        const out = await rds.send(
          new DescribeDBSnapshotsCommand({
            Filters: [{ Name: 'db-instance-id', Values: batch }],
            MaxRecords: AWS_LIMITS.rdsPageSize,
            Marker: token,
          }),
        );
        for (const s of out.DBSnapshots ?? []) {
          const id = required(s.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
          const db = required(s.DBInstanceIdentifier, 'DBInstanceIdentifier');
          // Snapshots being created have no time yet.
          const at = s.SnapshotCreateTime;
          if (s.Status !== 'available' || !at) continue;
          pushTo(points, db, {
            id,
            completedAt: at.toISOString(),
            status: 'COMPLETED',
            origin: s.SnapshotType === 'automated' ? 'scheduled' : 'on-demand',
            at,
          });
          keepNewest(latest, db, { id, at });
        }
        return { next: out.Marker };
      });
    }
    const evidence = new Map<string, BackupEvidence>();
    for (const [arn, db] of databases) {
      const last = latest.get(db);
      evidence.set(arn, {
        method: last ? 'rds-snapshot' : 'none',
        last,
        points: points.get(db) ?? [],
      });
    }
    return { ok: true, evidence };
  } catch (e) {
    const error = failureMessage(e, DESCRIBE_DB_SNAPSHOTS, ctx.at);
    ctx.logger.warn(error);
    return { ok: false, error };
  }
}
