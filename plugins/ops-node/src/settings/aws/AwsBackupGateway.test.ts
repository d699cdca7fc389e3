import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesCommand,
  StartBackupJobCommand,
  StartRestoreJobCommand,
  TagResourceCommand,
  UpdateBackupPlanCommand,
} from '@aws-sdk/client-backup';
import {
  CreateSnapshotsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../aws';
import { AwsBackupGateway } from './AwsBackupGateway';

const backup = mockClient(BackupClient);
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const stack = {
  account: '111122223333',
  region: 'eu-west-1',
  entityRef: 'resource:default/orders-db',
  selector: { app: 'orders', env: 'prod' },
};
const stamp = { rfcId: 'RFC-000042', attempt: 1, token: 'ops-RFC-000042-a1' };
const schedule = {
  frequency: 'daily' as const,
  startTime: '01:30',
  retentionDays: 35,
};
const NAME = 'ops-resource-default-orders-db';
const DEFAULT_ROLE =
  'arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole';
const tagMap = {
  'cloud-ops.io/entity-ref': 'resource:default/orders-db',
  'cloud-ops.io/rfc': 'RFC-000042',
};
const PLAN_ARN = 'arn:aws:backup:eu-west-1:111122223333:backup-plan:plan-1';

function clients() {
  return new AwsClientFactory({
    credentialsManager: {
      getCredentialProvider: async () => ({
        sdkCredentialProvider: async () => ({
          accessKeyId: 'AKIA',
          secretAccessKey: 'secret',
        }),
      }),
    },
  });
}

const gateway = () => new AwsBackupGateway(clients());

const inputs = (mock: { commandCalls: Function }, command: unknown) =>
  mock.commandCalls(command).map((c: any) => c.args[0].input);

beforeEach(() => {
  backup.reset();
  ec2.reset();
  rds.reset();
  tagging.reset();
});

describe('AwsBackupGateway.setBackupSchedule', () => {
  const rule = {
    RuleName: 'ops-daily',
    TargetBackupVaultName: 'Default',
    ScheduleExpression: 'cron(30 1 ? * * *)',
    ScheduleExpressionTimezone: 'Etc/UTC',
    StartWindowMinutes: 60,
    Lifecycle: { DeleteAfterDays: 35 },
    RecoveryPointTags: tagMap,
  };

  function noPlanYet() {
    backup
      .on(ListBackupPlansCommand, { NextToken: undefined })
      .resolves({
        BackupPlansList: [{ BackupPlanId: 'other', BackupPlanName: 'other' }],
        NextToken: 'p2',
      })
      .on(ListBackupPlansCommand, { NextToken: 'p2' })
      .resolves({ BackupPlansList: [] });
    backup
      .on(CreateBackupPlanCommand)
      .resolves({ BackupPlanId: 'plan-1', BackupPlanArn: PLAN_ARN });
    backup.on(CreateBackupSelectionCommand).resolves({ SelectionId: 'sel-1' });
  }

  it('creates the plan and its selection by tag with the stamp token, after following the pages', async () => {
    noPlanYet();

    const result = await gateway().setBackupSchedule({
      stack,
      schedule,
      stamp,
    });

    expect(result).toEqual({
      planId: 'plan-1',
      selectionId: 'sel-1',
      created: true,
    });
    expect(inputs(backup, ListBackupPlansCommand)).toEqual([
      { MaxResults: 1000, NextToken: undefined },
      { MaxResults: 1000, NextToken: 'p2' },
    ]);
    expect(inputs(backup, CreateBackupPlanCommand)).toEqual([
      {
        BackupPlan: { BackupPlanName: NAME, Rules: [rule] },
        BackupPlanTags: tagMap,
        CreatorRequestId: 'ops-RFC-000042-a1',
      },
    ]);
    expect(inputs(backup, CreateBackupSelectionCommand)).toEqual([
      {
        BackupPlanId: 'plan-1',
        BackupSelection: {
          SelectionName: NAME,
          IamRoleArn: DEFAULT_ROLE,
          Resources: ['*'],
          Conditions: {
            StringEquals: [
              { ConditionKey: 'aws:ResourceTag/app', ConditionValue: 'orders' },
              { ConditionKey: 'aws:ResourceTag/env', ConditionValue: 'prod' },
            ],
          },
        },
        CreatorRequestId: 'ops-RFC-000042-a1-selection',
      },
    ]);
    expect(backup).not.toHaveReceivedCommand(UpdateBackupPlanCommand);
    expect(backup).not.toHaveReceivedCommand(ListBackupSelectionsCommand);
  });

  it('sends the same tokens when the same stamp comes again', async () => {
    noPlanYet();
    await gateway().setBackupSchedule({ stack, schedule, stamp });
    await gateway().setBackupSchedule({ stack, schedule, stamp });

    expect(
      inputs(backup, CreateBackupPlanCommand).map(
        (i: any) => i.CreatorRequestId,
      ),
    ).toEqual(['ops-RFC-000042-a1', 'ops-RFC-000042-a1']);
    expect(
      inputs(backup, CreateBackupSelectionCommand).map(
        (i: any) => i.CreatorRequestId,
      ),
    ).toEqual(['ops-RFC-000042-a1-selection', 'ops-RFC-000042-a1-selection']);
  });

  it('updates an existing plan, retags it and keeps its selection', async () => {
    backup.on(ListBackupPlansCommand).resolves({
      BackupPlansList: [
        {
          BackupPlanId: 'plan-1',
          BackupPlanArn: PLAN_ARN,
          BackupPlanName: NAME,
        },
      ],
    });
    backup.on(ListBackupSelectionsCommand).resolves({
      BackupSelectionsList: [{ SelectionId: 'sel-1', SelectionName: NAME }],
    });

    const result = await gateway().setBackupSchedule({
      stack,
      schedule: { ...schedule, frequency: 'every-12-hours' },
      stamp,
    });

    expect(result).toEqual({
      planId: 'plan-1',
      selectionId: 'sel-1',
      created: false,
    });
    expect(inputs(backup, UpdateBackupPlanCommand)).toEqual([
      {
        BackupPlanId: 'plan-1',
        BackupPlan: {
          BackupPlanName: NAME,
          Rules: [
            {
              ...rule,
              RuleName: 'ops-every-12-hours',
              ScheduleExpression: 'cron(30 1/12 ? * * *)',
            },
          ],
        },
      },
    ]);
    expect(inputs(backup, TagResourceCommand)).toEqual([
      { ResourceArn: PLAN_ARN, Tags: tagMap },
    ]);
    expect(backup).toHaveReceivedCommandWith(ListBackupSelectionsCommand, {
      BackupPlanId: 'plan-1',
    });
    expect(backup).not.toHaveReceivedCommand(CreateBackupPlanCommand);
    expect(backup).not.toHaveReceivedCommand(CreateBackupSelectionCommand);
  });

  it('creates the selection an earlier attempt did not, with the configured vault and role', async () => {
    backup.on(ListBackupPlansCommand).resolves({
      BackupPlansList: [
        {
          BackupPlanId: 'plan-1',
          BackupPlanArn: PLAN_ARN,
          BackupPlanName: NAME,
        },
      ],
    });
    backup
      .on(ListBackupSelectionsCommand)
      .resolves({ BackupSelectionsList: [] });
    backup.on(CreateBackupSelectionCommand).resolves({ SelectionId: 'sel-2' });
    const configured = AwsBackupGateway.fromConfig(
      new ConfigReader({
        ops: {
          aws: {
            backup: {
              vaultName: 'ops-vault',
              iamRoleArn: 'arn:aws:iam::{account}:role/ops-backup',
            },
          },
        },
      }),
      { clients: clients() },
    );

    const result = await configured.setBackupSchedule({
      stack,
      schedule,
      stamp,
    });

    expect(result.selectionId).toBe('sel-2');
    expect(backup).toHaveReceivedCommandWith(UpdateBackupPlanCommand, {
      BackupPlan: {
        BackupPlanName: NAME,
        Rules: [{ ...rule, TargetBackupVaultName: 'ops-vault' }],
      },
    });
    expect(backup).toHaveReceivedCommandWith(CreateBackupSelectionCommand, {
      BackupSelection: expect.objectContaining({
        IamRoleArn: 'arn:aws:iam::111122223333:role/ops-backup',
      }),
      CreatorRequestId: 'ops-RFC-000042-a1-selection',
    });
  });

  it('updates the plan someone created meanwhile when AWS says it already exists', async () => {
    backup
      .on(ListBackupPlansCommand)
      .resolvesOnce({ BackupPlansList: [] })
      .resolves({
        BackupPlansList: [
          {
            BackupPlanId: 'plan-1',
            BackupPlanArn: PLAN_ARN,
            BackupPlanName: NAME,
          },
        ],
      });
    backup
      .on(CreateBackupPlanCommand)
      .rejects(
        Object.assign(new Error('exists'), { name: 'AlreadyExistsException' }),
      );
    backup.on(ListBackupSelectionsCommand).resolves({
      BackupSelectionsList: [{ SelectionId: 'sel-1', SelectionName: NAME }],
    });

    const result = await gateway().setBackupSchedule({
      stack,
      schedule,
      stamp,
    });

    expect(result).toEqual({
      planId: 'plan-1',
      selectionId: 'sel-1',
      created: false,
    });
    expect(backup).toHaveReceivedCommandTimes(UpdateBackupPlanCommand, 1);
  });

  it('names the failing call', async () => {
    noPlanYet();
    backup
      .on(CreateBackupSelectionCommand)
      .rejects(
        Object.assign(new Error('Role not found'), {
          name: 'InvalidParameterValueException',
        }),
      );

    await expect(
      gateway().setBackupSchedule({ stack, schedule, stamp }),
    ).rejects.toThrow(
      'backup:CreateBackupSelection in 111122223333/eu-west-1 failed: InvalidParameterValueException: Role not found',
    );
  });

  it('refuses a stack without a selector before calling AWS', async () => {
    await expect(
      gateway().setBackupSchedule({
        stack: { ...stack, selector: {} },
        schedule,
        stamp,
      }),
    ).rejects.toThrow(InputError);
    expect(backup.calls()).toHaveLength(0);
  });
});

describe('AwsBackupGateway.takeSnapshot', () => {
  const TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders';
  const PROTECTED_INSTANCE =
    'arn:aws:ec2:eu-west-1:111122223333:instance/i-0aaaaaaaaaaaaaaa1';
  const INSTANCE =
    'arn:aws:ec2:eu-west-1:111122223333:instance/i-0bbbbbbbbbbbbbbb2';
  const DB = 'arn:aws:rds:eu-west-1:111122223333:db:orders-db';
  const SECURITY_GROUP =
    'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1';

  function stackResources() {
    tagging
      .on(GetResourcesCommand, { PaginationToken: undefined })
      .resolves({
        ResourceTagMappingList: [
          { ResourceARN: TABLE },
          { ResourceARN: PROTECTED_INSTANCE },
          { ResourceARN: SECURITY_GROUP },
        ],
        PaginationToken: 'next',
      })
      .on(GetResourcesCommand, { PaginationToken: 'next' })
      .resolves({
        ResourceTagMappingList: [
          { ResourceARN: INSTANCE },
          { ResourceARN: DB },
        ],
        PaginationToken: '',
      });
    backup
      .on(ListProtectedResourcesCommand, { NextToken: undefined })
      .resolves({
        Results: [{ ResourceArn: 'arn:aws:s3:::someone-else' }],
        NextToken: 'p2',
      })
      .on(ListProtectedResourcesCommand, { NextToken: 'p2' })
      .resolves({ Results: [{ ResourceArn: PROTECTED_INSTANCE }] });
    backup
      .on(StartBackupJobCommand, { ResourceArn: TABLE })
      .resolves({ BackupJobId: 'job-table' })
      .on(StartBackupJobCommand, { ResourceArn: PROTECTED_INSTANCE })
      .resolves({ BackupJobId: 'job-instance' });
  }

  it('backs up each resource once, by backup job or native snapshot', async () => {
    stackResources();
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(CreateSnapshotsCommand).resolves({
      Snapshots: [{ SnapshotId: 'snap-1' }, { SnapshotId: 'snap-2' }],
    });
    rds.on(CreateDBSnapshotCommand).resolves({ DBSnapshot: {} });

    const { started } = await gateway().takeSnapshot({ stack, stamp });

    expect(started).toEqual([
      { resourceArn: TABLE, kind: 'backup-job', id: 'job-table' },
      {
        resourceArn: PROTECTED_INSTANCE,
        kind: 'backup-job',
        id: 'job-instance',
      },
      { resourceArn: INSTANCE, kind: 'ebs-snapshot', id: 'snap-1' },
      { resourceArn: INSTANCE, kind: 'ebs-snapshot', id: 'snap-2' },
      {
        resourceArn: DB,
        kind: 'rds-snapshot',
        id: 'ops-rfc-000042-a1-orders-db',
      },
    ]);
    expect(inputs(tagging, GetResourcesCommand)[0]).toEqual({
      TagFilters: [
        { Key: 'app', Values: ['orders'] },
        { Key: 'env', Values: ['prod'] },
      ],
      ResourceTypeFilters: undefined,
      ResourcesPerPage: 100,
      PaginationToken: undefined,
    });
    expect(backup).toHaveReceivedCommandTimes(ListProtectedResourcesCommand, 2);

    const jobs = inputs(backup, StartBackupJobCommand);
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toEqual({
      BackupVaultName: 'Default',
      ResourceArn: TABLE,
      IamRoleArn: DEFAULT_ROLE,
      IdempotencyToken: expect.stringMatching(
        /^ops-RFC-000042-a1-[0-9a-f]{8}$/,
      ),
      StartWindowMinutes: 60,
      RecoveryPointTags: {
        ...tagMap,
        'cloud-ops.io/execution-token': 'ops-RFC-000042-a1',
      },
    });
    expect(jobs[1].IdempotencyToken).not.toBe(jobs[0].IdempotencyToken);

    expect(inputs(ec2, DescribeSnapshotsCommand)).toEqual([
      {
        OwnerIds: ['self'],
        Filters: [
          {
            Name: 'tag:cloud-ops.io/execution-token',
            Values: ['ops-RFC-000042-a1'],
          },
        ],
        NextToken: undefined,
      },
    ]);
    expect(inputs(ec2, CreateSnapshotsCommand)).toEqual([
      {
        InstanceSpecification: {
          InstanceId: 'i-0bbbbbbbbbbbbbbb2',
          ExcludeBootVolume: false,
        },
        Description: 'RFC-000042 attempt 1: resource:default/orders-db',
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              {
                Key: 'cloud-ops.io/entity-ref',
                Value: 'resource:default/orders-db',
              },
              { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
              {
                Key: 'cloud-ops.io/execution-token',
                Value: 'ops-RFC-000042-a1',
              },
              { Key: 'cloud-ops.io/instance-id', Value: 'i-0bbbbbbbbbbbbbbb2' },
            ],
          },
        ],
      },
    ]);
    const snapshotClient = ec2.commandCalls(CreateSnapshotsCommand)[0]
      .thisValue as EC2Client;
    expect(await snapshotClient.config.maxAttempts()).toBe(1);
    expect(inputs(rds, CreateDBSnapshotCommand)).toEqual([
      {
        DBInstanceIdentifier: 'orders-db',
        DBSnapshotIdentifier: 'ops-rfc-000042-a1-orders-db',
        Tags: [
          {
            Key: 'cloud-ops.io/entity-ref',
            Value: 'resource:default/orders-db',
          },
          { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
          { Key: 'cloud-ops.io/execution-token', Value: 'ops-RFC-000042-a1' },
        ],
      },
    ]);
  });

  it('makes no second snapshot when the same stamp comes again', async () => {
    stackResources();
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2
      .on(CreateSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: 'snap-1' }] });
    rds.on(CreateDBSnapshotCommand).resolves({ DBSnapshot: {} });
    const first = await gateway().takeSnapshot({ stack, stamp });

    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        {
          SnapshotId: 'snap-1',
          Tags: [
            { Key: 'cloud-ops.io/execution-token', Value: 'ops-RFC-000042-a1' },
            { Key: 'cloud-ops.io/instance-id', Value: 'i-0bbbbbbbbbbbbbbb2' },
          ],
        },
      ],
    });
    rds
      .on(CreateDBSnapshotCommand)
      .rejects(
        Object.assign(new Error('already exists'), {
          name: 'DBSnapshotAlreadyExistsFault',
        }),
      );
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: 'ops-rfc-000042-a1-orders-db',
          DBInstanceIdentifier: 'orders-db',
        },
      ],
    });
    const second = await gateway().takeSnapshot({ stack, stamp });

    expect(second).toEqual(first);
    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
      DBSnapshotIdentifier: 'ops-rfc-000042-a1-orders-db',
    });
    const tokens = inputs(backup, StartBackupJobCommand).map(
      (i: any) => i.IdempotencyToken,
    );
    expect(tokens).toHaveLength(4);
    expect(tokens.slice(2)).toEqual(tokens.slice(0, 2));
  });

  it('refuses a stack whose selector finds nothing', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });

    await expect(gateway().takeSnapshot({ stack, stamp })).rejects.toThrow(
      /No AWS resources in 111122223333\/eu-west-1 carry the tag selector/,
    );
    expect(backup).not.toHaveReceivedCommand(StartBackupJobCommand);
  });

  it('names the failing call', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [{ ResourceARN: TABLE }],
    });
    backup
      .on(ListProtectedResourcesCommand)
      .rejects(
        Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
      );

    await expect(gateway().takeSnapshot({ stack, stamp })).rejects.toThrow(
      'backup:ListProtectedResources in 111122223333/eu-west-1 failed: AccessDeniedException: denied',
    );
  });
});

describe('AwsBackupGateway.restore', () => {
  const RECOVERY_POINT =
    'arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';

  it('starts a restore job with the metadata AWS Backup gives and the stamp token', async () => {
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({
      RestoreMetadata: { tableName: 'orders' },
      ResourceType: 'DynamoDB',
    });
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'restore-1' });

    const result = await gateway().restore({
      stack,
      recoveryPointId: RECOVERY_POINT,
      stamp,
    });

    expect(result).toEqual({ restoreJobId: 'restore-1' });
    expect(inputs(backup, GetRecoveryPointRestoreMetadataCommand)).toEqual([
      { BackupVaultName: 'Default', RecoveryPointArn: RECOVERY_POINT },
    ]);
    expect(inputs(backup, StartRestoreJobCommand)).toEqual([
      {
        RecoveryPointArn: RECOVERY_POINT,
        Metadata: { tableName: 'orders' },
        IamRoleArn: DEFAULT_ROLE,
        IdempotencyToken: 'ops-RFC-000042-a1',
        ResourceType: 'DynamoDB',
      },
    ]);
  });

  it('asks for the recovery point ARN when given something else', async () => {
    await expect(
      gateway().restore({ stack, recoveryPointId: 'snap-0123', stamp }),
    ).rejects.toThrow(/recoveryPointId must be the recovery point ARN/);
    await expect(
      gateway().restore({ stack, recoveryPointId: 'snap-0123', stamp }),
    ).rejects.toThrow(InputError);
    expect(backup.calls()).toHaveLength(0);
  });

  it("refuses a recovery point outside the stack's account and region", async () => {
    await expect(
      gateway().restore({
        stack,
        recoveryPointId: RECOVERY_POINT.replace('eu-west-1', 'us-east-1'),
        stamp,
      }),
    ).rejects.toThrow(InputError);
    expect(backup.calls()).toHaveLength(0);
  });
});
