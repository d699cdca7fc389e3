import {
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
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

/**
 * EBS snapshots of instances and volumes outside AWS Backup: the volumes of
 * each instance (DescribeVolumes), then the completed snapshots of every
 * volume (DescribeSnapshots), 200 filter values per call. An instance is
 * only as recoverable as its least recently snapshotted volume.
 */
export async function readEbsSnapshots(
  ctx: AwsReadContext,
  resources: { instances: Map<string, string>; volumes: Map<string, string> },
): Promise<BackupSourceRead> {
  let operation = 'ec2:DescribeVolumes';
  try {
    const ec2 = ctx.clients.ec2(ctx.at);
    const volumesOfInstance = new Map<string, string[]>();
    for (const batch of chunk(
      [...resources.instances.values()],
      AWS_LIMITS.ec2FilterValues,
    )) {
      await followPages(operation, ctx.at, async token => {
        const out = await ec2.send(
          new DescribeVolumesCommand({
            Filters: [{ Name: 'attachment.instance-id', Values: batch }],
            MaxResults: AWS_LIMITS.describeVolumesPageSize,
            NextToken: token,
          }),
        );
        for (const v of out.Volumes ?? []) {
          const volumeId = required(v.VolumeId, 'VolumeId');
          for (const a of v.Attachments ?? []) {
            if (a.InstanceId) pushTo(volumesOfInstance, a.InstanceId, volumeId);
          }
        }
        return { next: out.NextToken };
      });
    }

    operation = 'ec2:DescribeSnapshots';
    const volumeIds = new Set([
      ...resources.volumes.values(),
      ...[...volumesOfInstance.values()].flat(),
    ]);
    const latest = new Map<string, { id: string; at: Date }>();
    const points = new Map<string, TimedPoint[]>();
    for (const batch of chunk([...volumeIds], AWS_LIMITS.ec2FilterValues)) {
      await followPages(operation, ctx.at, async token => {
        const out = await ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [
              { Name: 'volume-id', Values: batch },
              { Name: 'status', Values: ['completed'] },
            ],
            MaxResults: AWS_LIMITS.describeSnapshotsPageSize,
            NextToken: token,
          }),
        );
        for (const s of out.Snapshots ?? []) {
          const id = required(s.SnapshotId, 'SnapshotId');
          const volumeId = required(s.VolumeId, 'VolumeId');
          const at = required(s.CompletionTime ?? s.StartTime, 'StartTime');
          pushTo(points, volumeId, {
            id,
            completedAt: at.toISOString(),
            status: 'COMPLETED',
            // Data Lifecycle Manager tags the snapshots its policies take.
            origin: (s.Tags ?? []).some(t => t.Key?.startsWith('aws:dlm:'))
              ? 'scheduled'
              : 'on-demand',
            at,
          });
          keepNewest(latest, volumeId, { id, at });
        }
        return { next: out.NextToken };
      });
    }

    const evidence = new Map<string, BackupEvidence>();
    for (const [arn, volumeId] of resources.volumes) {
      const last = latest.get(volumeId);
      evidence.set(arn, {
        method: last ? 'ebs-snapshot' : 'none',
        last,
        points: points.get(volumeId) ?? [],
      });
    }
    for (const [arn, instanceId] of resources.instances) {
      const volumes = volumesOfInstance.get(instanceId) ?? [];
      const snaps = volumes.map(v => latest.get(v));
      const oldest =
        snaps.length && snaps.every(Boolean)
          ? snaps.reduce((a, b) => (a!.at <= b!.at ? a : b))
          : undefined;
      evidence.set(arn, {
        method: oldest ? 'ebs-snapshot' : 'none',
        last: oldest,
        // Each volume's snapshots; with several volumes, one point per volume snapshot.
        points: volumes.flatMap(v => points.get(v) ?? []),
      });
    }
    return { ok: true, evidence };
  } catch (e) {
    const error = failureMessage(e, operation, ctx.at);
    ctx.logger.warn(error);
    return { ok: false, error };
  }
}
