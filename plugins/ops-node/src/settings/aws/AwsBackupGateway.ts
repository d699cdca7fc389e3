import {
  GetRecoveryPointRestoreMetadataCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import type { BackupSchedule } from '@cloud-ops/plugin-ops-common';
import { backupScheduleToCron } from '@cloud-ops/plugin-ops-common';
import { AwsClientFactory, callAws } from '../../aws';
import { requiredField } from '../../aws/awsErrors';
import type {
  BackupGateway,
  ChangeStamp,
  SnapshotStarted,
  StackTarget,
} from '../types';
import { BackupDestination, BackupPlans } from './backupPlans';
import { selectorPairs } from './naming';
import { WriteProgress } from './progress';
import { Snapshots } from './snapshots';

/** @public */
export type AwsBackupGatewayOptions = {
  /**
   * Vault of the backup rule, on-demand backups and restores;
   * `ops.aws.backup.vaultName`, by default `Default`.
   */
  vaultName?: string;
  /**
   * Role AWS Backup assumes; `ops.aws.backup.iamRoleArn`. `{account}` in it
   * is replaced by the stack's account. By default the account's
   * `service-role/AWSBackupDefaultServiceRole`.
   */
  iamRoleArn?: string;
};

/**
 * AWS Backup of stacks, over AWS SDK v3.
 *
 * The AWS model, per stack (`<slug>` is the entity ref as
 * `kind-namespace-name`, lower-cased, cut to Backup's 50 characters):
 *
 * - One backup plan `ops-<slug>` with one rule `ops-<frequency>` (the
 *   schedule in UTC, a 60-minute start window, recovery points kept for the
 *   retention days in the configured vault), and one selection `ops-<slug>`
 *   of every resource carrying all pairs of the stack's tag selector
 *   (`Conditions.StringEquals`, which ANDs; `ListOfTags` would OR them).
 * - A snapshot backs up each resource of the stack once: resources AWS
 *   Backup already protects, and types only AWS Backup can snapshot
 *   (DynamoDB, EFS, FSx, Aurora clusters, S3), by an on-demand backup job;
 *   other EC2 instances by EBS snapshots of their volumes; other RDS DB
 *   instances by a manual DB snapshot. Other resource types are left out.
 * - A restore starts a restore job from a recovery point ARN of the stack's
 *   account and region, in the configured vault, with the restore metadata
 *   AWS Backup gives for it as it is.
 *
 * Everything written is tagged `cloud-ops.io/entity-ref` and
 * `cloud-ops.io/rfc`. Writes are idempotent per `stamp.token`: it is the
 * CreatorRequestId or IdempotencyToken (suffixed for the selection and per
 * resource), EBS snapshots carry it in the tag
 * `cloud-ops.io/execution-token` (looked up before creating, as
 * CreateSnapshots takes no token), and DB snapshots are named after it.
 *
 * A call that fails after some of its writes says, besides the AWS call that
 * failed and what AWS said, which writes it had made (`already done: ...`);
 * a snapshot starts no further backup once one has failed.
 *
 * @public
 */
export class AwsBackupGateway implements BackupGateway {
  readonly implementation = 'aws' as const;
  private readonly destination: BackupDestination;
  private readonly plans: BackupPlans;
  private readonly snapshots: Snapshots;

  static fromConfig(
    config: Config,
    options: {
      clients?: AwsClientFactory;
      credentialsManager?: AwsCredentialsManager;
    } = {},
  ): AwsBackupGateway {
    return new AwsBackupGateway(
      options.clients ??
        AwsClientFactory.fromConfig(config, {
          credentialsManager: options.credentialsManager,
        }),
      {
        vaultName: config.getOptionalString('ops.aws.backup.vaultName'),
        iamRoleArn: config.getOptionalString('ops.aws.backup.iamRoleArn'),
      },
    );
  }

  constructor(
    private readonly clients: AwsClientFactory,
    options: AwsBackupGatewayOptions = {},
  ) {
    this.destination = new BackupDestination(options);
    this.plans = new BackupPlans(clients, this.destination);
    this.snapshots = new Snapshots(clients, this.destination);
  }

  async setBackupSchedule(request: {
    stack: StackTarget;
    schedule: BackupSchedule;
    stamp: ChangeStamp;
  }): Promise<{ planId: string; selectionId: string; created: boolean }> {
    const { stack, schedule, stamp } = request;
    const pairs = selectorPairs(stack);
    let expression: string;
    try {
      expression = backupScheduleToCron(schedule);
    } catch (error) {
      throw new InputError('Invalid backup schedule', error);
    }
    return WriteProgress.track(progress =>
      this.plans.write(stack, stamp, schedule, expression, pairs, progress),
    );
  }

  async takeSnapshot(request: {
    stack: StackTarget;
    stamp: ChangeStamp;
  }): Promise<{ started: SnapshotStarted[] }> {
    const started = await WriteProgress.track(progress =>
      this.snapshots.take(request.stack, request.stamp, progress),
    );
    return { started };
  }

  async restore(request: {
    stack: StackTarget;
    recoveryPointId: string;
    stamp: ChangeStamp;
  }): Promise<{ restoreJobId: string }> {
    const { stack, recoveryPointId, stamp } = request;
    const arn = /^arn:[^:]+:[^:]+:([^:]*):([^:]*):.+$/.exec(recoveryPointId);
    if (!arn) {
      throw new InputError(
        `recoveryPointId must be the recovery point ARN, e.g. arn:aws:backup:eu-west-1:123456789012:recovery-point:..., got "${recoveryPointId}"`,
      );
    }
    const [, region, account] = arn;
    if (
      (region && region !== stack.region) ||
      (account && account !== stack.account)
    ) {
      throw new InputError(
        `Recovery point ${recoveryPointId} is not in ${stack.account}/${stack.region}, where ${stack.entityRef} lives`,
      );
    }
    const backup = this.clients.backup(stack);
    const metadata = await callAws(
      'backup:GetRecoveryPointRestoreMetadata',
      stack,
      () =>
        backup.send(
          new GetRecoveryPointRestoreMetadataCommand({
            BackupVaultName: this.destination.vaultName,
            RecoveryPointArn: recoveryPointId,
          }),
        ),
    );
    const restoreJob = await callAws('backup:StartRestoreJob', stack, () =>
      backup.send(
        new StartRestoreJobCommand({
          RecoveryPointArn: recoveryPointId,
          Metadata: metadata.RestoreMetadata ?? {},
          IamRoleArn: this.destination.roleArn(stack),
          IdempotencyToken: stamp.token,
          ResourceType: metadata.ResourceType,
        }),
      ),
    );
    return {
      restoreJobId: requiredField(
        restoreJob.RestoreJobId,
        'RestoreJobId',
        'backup:StartRestoreJob',
        stack,
      ),
    };
  }
}
