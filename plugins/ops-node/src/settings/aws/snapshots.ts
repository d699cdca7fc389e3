import {
  ListProtectedResourcesCommand,
  StartBackupJobCommand,
} from '@aws-sdk/client-backup';
import {
  CreateSnapshotsCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { InputError } from '@backstage/errors';
import { AwsCallError, AwsClientFactory, callAws } from '../../aws';
import { requiredField } from '../../aws/awsErrors';
import { paginate } from '../../aws/paginate';
import type { ChangeStamp, SnapshotStarted, StackTarget } from '../types';
import {
  BACKUP_PAGE_SIZE,
  BackupDestination,
  START_WINDOW_MINUTES,
} from './backupPlans';
import {
  fromTagList,
  shortHash,
  stampTags,
  suffixedToken,
  TAG,
  toTagList,
} from './naming';
import type { WriteProgress } from './progress';
import { findStackResources, mapWithConcurrency } from './stackResources';

/** Resources snapshotted at once: quick, without being throttled. */
const SNAPSHOT_CONCURRENCY = 4;

/**
 * Resource types AWS Backup can back up on demand, by the service and type
 * in their ARN. EC2 instances and RDS DB instances are not here: outside AWS
 * Backup they get native snapshots instead.
 */
const BACKUP_TYPES = [
  /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\//,
  /^arn:[^:]+:elasticfilesystem:[^:]*:[^:]*:file-system\//,
  /^arn:[^:]+:fsx:[^:]*:[^:]*:file-system\//,
  /^arn:[^:]+:rds:[^:]*:[^:]*:cluster:/,
  /^arn:[^:]+:s3:::[^/]+$/,
];

type Instance = { arn: string; instanceId: string };
type Database = { arn: string; dbInstanceId: string };

/**
 * One backup of each resource of a stack: an on-demand AWS Backup job for
 * what AWS Backup protects or alone can back up, EBS snapshots for other EC2
 * instances, a manual DB snapshot for other RDS DB instances. Other
 * resource types are left out.
 */
export class Snapshots {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly destination: BackupDestination,
  ) {}

  async take(
    stack: StackTarget,
    stamp: ChangeStamp,
    progress: WriteProgress,
  ): Promise<SnapshotStarted[]> {
    const resources = await findStackResources(this.clients, stack);
    if (resources.length === 0) {
      throw new InputError(
        `No AWS resources in ${stack.account}/${stack.region} carry the tag selector of ${stack.entityRef}; nothing to back up`,
      );
    }
    const protectedArns = await this.protectedResources(stack);
    const backupJobs: string[] = [];
    const instances: Instance[] = [];
    const databases: Database[] = [];
    for (const { arn } of resources) {
      const instanceId = /:ec2:[^:]*:[^:]*:instance\/(i-[0-9a-f]+)$/.exec(
        arn,
      )?.[1];
      const dbInstanceId = /:rds:[^:]*:[^:]*:db:([^:]+)$/.exec(arn)?.[1];
      if (protectedArns.has(arn) || BACKUP_TYPES.some(t => t.test(arn))) {
        backupJobs.push(arn);
      } else if (instanceId) {
        instances.push({ arn, instanceId });
      } else if (dbInstanceId) {
        databases.push({ arn, dbInstanceId });
      }
    }
    // Each backup started is noted as it starts, so a later failure lists it.
    const noted = async <S extends SnapshotStarted | SnapshotStarted[]>(
      starting: Promise<S>,
    ): Promise<S> => {
      const started = await starting;
      for (const s of [started].flat()) {
        progress.did(`started ${s.kind} ${s.id} of ${s.resourceArn}`);
      }
      return started;
    };
    const jobs = await mapWithConcurrency(
      backupJobs,
      SNAPSHOT_CONCURRENCY,
      arn => noted(this.startBackupJob(stack, stamp, arn)),
    );
    const volumes = await this.snapshotInstances(
      stack,
      stamp,
      instances,
      noted,
    );
    const dbSnapshots = await mapWithConcurrency(
      databases,
      SNAPSHOT_CONCURRENCY,
      db => noted(this.snapshotDatabase(stack, stamp, db)),
    );
    return [...jobs, ...volumes, ...dbSnapshots];
  }

  private async protectedResources(stack: StackTarget): Promise<Set<string>> {
    const backup = this.clients.backup(stack);
    const arns = new Set<string>();
    const pages = paginate(
      NextToken =>
        callAws('backup:ListProtectedResources', stack, () =>
          backup.send(
            new ListProtectedResourcesCommand({
              MaxResults: BACKUP_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      for (const r of page.Results ?? []) {
        if (r.ResourceArn) arns.add(r.ResourceArn);
      }
    }
    return arns;
  }

  private async startBackupJob(
    stack: StackTarget,
    stamp: ChangeStamp,
    resourceArn: string,
  ): Promise<SnapshotStarted> {
    const job = await callAws('backup:StartBackupJob', stack, () =>
      this.clients.backup(stack).send(
        new StartBackupJobCommand({
          BackupVaultName: this.destination.vaultName,
          ResourceArn: resourceArn,
          IamRoleArn: this.destination.roleArn(stack),
          IdempotencyToken: suffixedToken(stamp.token, shortHash(resourceArn)),
          StartWindowMinutes: START_WINDOW_MINUTES,
          RecoveryPointTags: {
            ...stampTags(stack, stamp),
            [TAG.executionToken]: stamp.token,
          },
        }),
      ),
    );
    const id = requiredField(
      job.BackupJobId,
      'BackupJobId',
      'backup:StartBackupJob',
      stack,
    );
    return { resourceArn, kind: 'backup-job', id };
  }

  /**
   * EBS snapshots of each instance's volumes, unless this attempt made them
   * already: CreateSnapshots takes no token, so the snapshots carry it in a
   * tag, with the instance, and are looked up first. The create is not
   * retried: a retry after a lost answer would snapshot twice.
   */
  private async snapshotInstances(
    stack: StackTarget,
    stamp: ChangeStamp,
    instances: Instance[],
    noted: (starting: Promise<SnapshotStarted[]>) => Promise<SnapshotStarted[]>,
  ): Promise<SnapshotStarted[]> {
    if (instances.length === 0) return [];
    const existing = await this.snapshotsOfAttempt(stack, stamp);
    const results = await mapWithConcurrency(
      instances,
      SNAPSHOT_CONCURRENCY,
      ({ arn, instanceId }) =>
        noted(this.snapshotInstance(stack, stamp, arn, instanceId, existing)),
    );
    return results.flat();
  }

  /** One instance's snapshots: this attempt's if any, else new ones. */
  private async snapshotInstance(
    stack: StackTarget,
    stamp: ChangeStamp,
    arn: string,
    instanceId: string,
    existing: Map<string, string[]>,
  ): Promise<SnapshotStarted[]> {
    let snapshotIds = existing.get(instanceId);
    if (!snapshotIds?.length) {
      const { Snapshots: created } = await callAws(
        'ec2:CreateSnapshots',
        stack,
        () =>
          this.clients.ec2(stack, { idempotent: false }).send(
            new CreateSnapshotsCommand({
              InstanceSpecification: {
                InstanceId: instanceId,
                ExcludeBootVolume: false,
              },
              Description: `${stamp.rfcId} attempt ${stamp.attempt}: ${stack.entityRef}`,
              TagSpecifications: [
                {
                  ResourceType: 'snapshot',
                  Tags: toTagList({
                    ...stampTags(stack, stamp),
                    [TAG.executionToken]: stamp.token,
                    [TAG.instanceId]: instanceId,
                  }),
                },
              ],
            }),
          ),
      );
      snapshotIds = (created ?? []).map(s =>
        requiredField(s.SnapshotId, 'SnapshotId', 'ec2:CreateSnapshots', stack),
      );
    }
    return snapshotIds.map(id => ({
      resourceArn: arn,
      kind: 'ebs-snapshot' as const,
      id,
    }));
  }

  /** The attempt's EBS snapshots by instance id. */
  private async snapshotsOfAttempt(
    stack: StackTarget,
    stamp: ChangeStamp,
  ): Promise<Map<string, string[]>> {
    const ec2 = this.clients.ec2(stack);
    const byInstance = new Map<string, string[]>();
    const pages = paginate(
      NextToken =>
        callAws('ec2:DescribeSnapshots', stack, () =>
          ec2.send(
            new DescribeSnapshotsCommand({
              OwnerIds: ['self'],
              Filters: [
                { Name: `tag:${TAG.executionToken}`, Values: [stamp.token] },
              ],
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      for (const snapshot of page.Snapshots ?? []) {
        const instanceId = fromTagList(snapshot.Tags)[TAG.instanceId];
        if (!instanceId || !snapshot.SnapshotId) continue;
        byInstance.set(instanceId, [
          ...(byInstance.get(instanceId) ?? []),
          snapshot.SnapshotId,
        ]);
      }
    }
    return byInstance;
  }

  /**
   * A manual DB snapshot named after the token: only one attempt can create
   * that name, and a repeated call finds it.
   */
  private async snapshotDatabase(
    stack: StackTarget,
    stamp: ChangeStamp,
    db: Database,
  ): Promise<SnapshotStarted> {
    const rds = this.clients.rds(stack);
    const identifier = dbSnapshotIdentifier(stamp.token, db.dbInstanceId);
    try {
      await callAws('rds:CreateDBSnapshot', stack, () =>
        rds.send(
          new CreateDBSnapshotCommand({
            DBInstanceIdentifier: db.dbInstanceId,
            DBSnapshotIdentifier: identifier,
            Tags: toTagList({
              ...stampTags(stack, stamp),
              [TAG.executionToken]: stamp.token,
            }),
          }),
        ),
      );
    } catch (error) {
      if (
        !(error instanceof AwsCallError) ||
        error.awsErrorName !== 'DBSnapshotAlreadyExistsFault'
      ) {
        throw error;
      }
      const { DBSnapshots } = await callAws(
        'rds:DescribeDBSnapshots',
        stack,
        () =>
          rds.send(
            new DescribeDBSnapshotsCommand({
              DBSnapshotIdentifier: identifier,
            }),
          ),
      );
      if (DBSnapshots?.[0]?.DBInstanceIdentifier !== db.dbInstanceId) {
        throw error;
      }
    }
    return { resourceArn: db.arn, kind: 'rds-snapshot', id: identifier };
  }
}

/**
 * RDS snapshot identifiers: 1-255 letters, digits and single hyphens,
 * starting with a letter, not ending with a hyphen.
 */
export function dbSnapshotIdentifier(
  token: string,
  dbInstanceId: string,
): string {
  const raw = `${/^[a-z]/i.test(token) ? '' : 'ops-'}${token}-${dbInstanceId}`;
  return raw
    .replace(/[^A-Za-z0-9-]/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 255)
    .replace(/-+$/, '')
    .toLowerCase();
}
