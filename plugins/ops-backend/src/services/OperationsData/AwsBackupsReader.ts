import type {
  OperationsSourceWarning,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';
import type { AwsReadContext, Resource } from './awsReading';
import { AwsBackupRead, readAwsBackup } from './awsBackupSource';
import type { BackupEvidence, BackupSourceRead } from './backupEvidence';
import { readEbsSnapshots } from './ebsSnapshotSource';
import { readRdsSnapshots } from './rdsSnapshotSource';
import type { OperationsReadResult } from './types';

/** Recovery points kept per resource, newest first. */
const MAX_RECOVERY_POINTS = 30;

type BackupSource = 'aws-backup' | 'ebs-snapshots' | 'rds-snapshots';

/**
 * The backups of every entity's resources from three sources that fail on
 * their own: AWS Backup for the resources it protects, and for the rest EBS
 * snapshots (instances, volumes) and RDS snapshots (databases).
 *
 * A failed source leaves out the resources only it could say anything
 * about, and names itself in the payload's `warnings`; what the other
 * sources read is still stored. When AWS Backup cannot say what it
 * protects, an EBS or RDS resource is shown only if it has snapshots: with
 * none it may well be in AWS Backup, and showing it as unprotected would be
 * a false alarm. An entity with none of its resources left fails its
 * backups read, so its last good snapshot is kept, marked stale.
 */
export async function readBackups(
  ctx: AwsReadContext,
  entities: { entityRef: string; resources: Resource[] }[],
  options: { now: Date; defaultIntervalHours: number; lookbackDays: number },
): Promise<OperationsReadResult[]> {
  const candidates = new Map<string, Resource>();
  for (const e of entities) {
    for (const r of e.resources) {
      if (r.service !== 'cloudwatch') candidates.set(r.arn, r);
    }
  }
  const awsBackup: AwsBackupRead = candidates.size
    ? await readAwsBackup(ctx, new Set(candidates.keys()), options)
    : { ok: true, protectedArns: new Set(), evidence: new Map() };
  const known = awsBackup.protectedArns;

  // Resources AWS Backup does not protect, or may not.
  const outside = (r: Resource) => !known?.has(r.arn);
  const ebsResources = {
    instances: idsOf(
      candidates,
      r => r.service === 'ec2' && r.type === 'instance' && outside(r),
    ),
    volumes: idsOf(
      candidates,
      r => r.service === 'ec2' && r.type === 'volume' && outside(r),
    ),
  };
  const databases = idsOf(
    candidates,
    r => r.service === 'rds' && r.type === 'db' && outside(r),
  );
  const [ebs, rds] = await Promise.all([
    readEbsSnapshots(ctx, ebsResources),
    readRdsSnapshots(ctx, databases),
  ]);
  const snapshotSource = (
    arn: string,
  ): [BackupSource, BackupSourceRead] | undefined => {
    if (ebsResources.instances.has(arn) || ebsResources.volumes.has(arn)) {
      return ['ebs-snapshots', ebs];
    }
    return databases.has(arn) ? ['rds-snapshots', rds] : undefined;
  };
  const errors: Partial<Record<BackupSource, string>> = {
    ...(awsBackup.ok ? {} : { 'aws-backup': awsBackup.error }),
    ...(ebs.ok ? {} : { 'ebs-snapshots': ebs.error }),
    ...(rds.ok ? {} : { 'rds-snapshots': rds.error }),
  };

  /** What can be said of one resource, or which failed sources left it out. */
  const judge = (
    r: Resource,
  ): { evidence?: BackupEvidence; leftOutBy: BackupSource[] } => {
    if (known?.has(r.arn)) {
      return awsBackup.ok
        ? { evidence: awsBackup.evidence.get(r.arn), leftOutBy: [] }
        : { leftOutBy: ['aws-backup'] };
    }
    const snapshots = snapshotSource(r.arn);
    // Other types are backed up by AWS Backup or not at all; not shown unless protected.
    if (!snapshots) return { leftOutBy: [] };
    const [name, read] = snapshots;
    if (!read.ok) {
      return { leftOutBy: known ? [name] : ['aws-backup', name] };
    }
    const evidence = read.evidence.get(r.arn);
    if (!known && evidence?.method === 'none') {
      return { leftOutBy: ['aws-backup'] };
    }
    return { evidence, leftOutBy: [] };
  };

  return entities.map(({ entityRef, resources }): OperationsReadResult => {
    const states: ResourceBackupState[] = [];
    const leftOut = new Map<BackupSource, number>();
    const relevant = new Set<BackupSource>();
    for (const r of resources) {
      if (!candidates.has(r.arn)) continue;
      relevant.add('aws-backup');
      const snapshots = snapshotSource(r.arn);
      if (snapshots) relevant.add(snapshots[0]);
      const { evidence, leftOutBy } = judge(r);
      for (const source of leftOutBy) {
        leftOut.set(source, (leftOut.get(source) ?? 0) + 1);
      }
      if (evidence) states.push(backupState(r, evidence, options));
    }
    const warnings: OperationsSourceWarning[] = [];
    for (const source of [
      'aws-backup',
      'ebs-snapshots',
      'rds-snapshots',
    ] as const) {
      const error = errors[source];
      if (!error || !relevant.has(source)) continue;
      const count = leftOut.get(source);
      warnings.push({
        source,
        error,
        ...(count ? { resourcesLeftOut: count } : {}),
      });
    }
    if (warnings.length && states.length === 0) {
      return {
        entityRef,
        kind: 'backups',
        ok: false,
        error: warnings.map(w => w.error).join('; '),
      };
    }
    return {
      entityRef,
      kind: 'backups',
      ok: true,
      payload: {
        resources: states.sort((a, b) =>
          a.resourceArn.localeCompare(b.resourceArn),
        ),
        ...(warnings.length ? { warnings } : {}),
      },
    };
  });
}

/** ARN → resource id of the candidates that pass `keep`. */
function idsOf(
  candidates: Map<string, Resource>,
  keep: (r: Resource) => boolean,
): Map<string, string> {
  const ids = new Map<string, string>();
  for (const r of candidates.values()) if (keep(r)) ids.set(r.arn, r.id);
  return ids;
}

function backupState(
  resource: Resource,
  evidence: BackupEvidence,
  options: { now: Date; defaultIntervalHours: number },
): ResourceBackupState {
  const { last } = evidence;
  const intervalHours = evidence.intervalHours ?? options.defaultIntervalHours;
  const ageHours = last
    ? (options.now.getTime() - last.at.getTime()) / 3_600_000
    : undefined;
  return {
    resourceArn: resource.arn,
    resourceType: `${resource.service}:${resource.type}`,
    method: evidence.method,
    lastRecoveryPoint:
      last && ageHours !== undefined
        ? {
            id: last.id,
            completedAt: last.at.toISOString(),
            ageHours: Math.round(ageHours * 10) / 10,
          }
        : undefined,
    recoveryPoints: [...evidence.points]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, MAX_RECOVERY_POINTS)
      .map(({ at: _at, ...point }) => point),
    plan: evidence.plan,
    expectedIntervalHours: intervalHours,
    // Half an interval of grace, so a backup that is running late is not yet overdue.
    overdue: ageHours === undefined || ageHours > intervalHours * 1.5,
  };
}
