import {
  BackupClient,
  CreateBackupSelectionCommand,
  GetBackupPlanCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesCommand,
  StartBackupJobCommand,
  TagResourceCommand,
  UpdateBackupPlanCommand,
} from '@aws-sdk/client-backup';
import {
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeMoto, MOTO_LOCATION } from '../../__testUtils__/moto';
import { AwsBackupGateway } from './AwsBackupGateway';

/**
 * moto 5.2.1 serves backup plans (create, get, list, tag), EC2 and RDS
 * snapshots, and tag:GetResources for EC2 instances and RDS DB instances.
 * It does not serve backup selections, UpdateBackupPlan, backup jobs or
 * ListProtectedResources: those are stubbed here (other Backup calls pass
 * through to moto) and covered in AwsBackupGateway.test.ts. moto's
 * ListTags cannot be read with SDK v3 (its route wants a trailing slash), so
 * plan tags are checked on the calls made.
 */
const backupStub = mockClient(BackupClient);

const stack = {
  ...MOTO_LOCATION,
  entityRef: 'resource:default/orders-db',
  selector: { app: 'orders', env: 'prod' },
};
const stamp = { rfcId: 'RFC-000042', attempt: 1, token: 'ops-RFC-000042-a1' };
const NAME = 'ops-resource-default-orders-db';

afterAll(() => backupStub.restore());

describeMoto('AwsBackupGateway against moto', moto => {
  beforeEach(() => {
    backupStub.reset();
    backupStub.send.callThrough();
  });

  it('creates the backup plan with its rule, and a repeat with the same stamp creates no second plan', async () => {
    backupStub
      .on(CreateBackupSelectionCommand)
      .resolves({ SelectionId: 'sel-1' })
      .on(UpdateBackupPlanCommand)
      .resolves({})
      .on(ListBackupSelectionsCommand)
      .resolves({
        BackupSelectionsList: [{ SelectionId: 'sel-1', SelectionName: NAME }],
      });
    const clients = moto.clients();
    const gateway = new AwsBackupGateway(clients);
    const backup = clients.backup(stack);
    const schedule = {
      frequency: 'weekly' as const,
      startTime: '02:15',
      retentionDays: 90,
    };

    const first = await gateway.setBackupSchedule({ stack, schedule, stamp });

    expect(first).toEqual({
      planId: expect.any(String),
      selectionId: 'sel-1',
      created: true,
    });
    const held = await backup.send(
      new GetBackupPlanCommand({ BackupPlanId: first.planId }),
    );
    expect(held.CreatorRequestId).toBe('ops-RFC-000042-a1');
    expect(held.BackupPlan).toEqual({
      BackupPlanName: NAME,
      Rules: [
        expect.objectContaining({
          RuleName: 'ops-weekly',
          TargetBackupVaultName: 'Default',
          ScheduleExpression: 'cron(15 2 ? * SUN *)',
          ScheduleExpressionTimezone: 'Etc/UTC',
          StartWindowMinutes: 60,
          Lifecycle: { DeleteAfterDays: 90 },
          RecoveryPointTags: {
            'cloud-ops.io/entity-ref': 'resource:default/orders-db',
            'cloud-ops.io/rfc': 'RFC-000042',
          },
        }),
      ],
    });
    expect(backupStub).toHaveReceivedCommandWith(CreateBackupSelectionCommand, {
      BackupPlanId: first.planId,
      CreatorRequestId: 'ops-RFC-000042-a1-selection',
    });

    const again = await gateway.setBackupSchedule({ stack, schedule, stamp });

    expect(again).toEqual({ ...first, created: false });
    const { BackupPlansList } = await backup.send(
      new ListBackupPlansCommand({}),
    );
    expect(BackupPlansList?.map(p => p.BackupPlanName)).toEqual([NAME]);
    // moto took the tags; its ListTags route wants a trailing slash the SDK does not send.
    expect(backupStub).toHaveReceivedCommandWith(TagResourceCommand, {
      ResourceArn: BackupPlansList![0].BackupPlanArn,
      Tags: {
        'cloud-ops.io/entity-ref': 'resource:default/orders-db',
        'cloud-ops.io/rfc': 'RFC-000042',
      },
    });
    expect(backupStub).toHaveReceivedCommandTimes(
      CreateBackupSelectionCommand,
      1,
    );
  });

  it('snapshots the stack instances and databases once per stamp', async () => {
    backupStub.on(ListProtectedResourcesCommand).resolves({ Results: [] });
    const clients = moto.clients();
    const ec2 = clients.ec2(stack);
    const rds = clients.rds(stack);
    const stackTags = [
      { Key: 'app', Value: 'orders' },
      { Key: 'env', Value: 'prod' },
    ];
    const { Instances } = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: stackTags }],
      }),
    );
    const instanceId = Instances![0].InstanceId!;
    await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'orders' }] },
        ],
      }),
    );
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders-db',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        AllocatedStorage: 20,
        MasterUsername: 'orders',
        MasterUserPassword: 'not-a-secret-1',
        Tags: stackTags,
      }),
    );
    const { Volumes } = await ec2.send(
      new DescribeVolumesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
      }),
    );
    const gateway = new AwsBackupGateway(clients);

    const first = await gateway.takeSnapshot({ stack, stamp });
    const again = await gateway.takeSnapshot({ stack, stamp });

    expect(again).toEqual(first);
    const instanceArn = `arn:aws:ec2:eu-west-1:123456789012:instance/${instanceId}`;
    expect(first.started).toEqual([
      ...Volumes!.map(() => ({
        resourceArn: instanceArn,
        kind: 'ebs-snapshot',
        id: expect.stringMatching(/^snap-/),
      })),
      {
        resourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db',
        kind: 'rds-snapshot',
        id: 'ops-rfc-000042-a1-orders-db',
      },
    ]);
    // moto's OwnerIds filter also returns its AMI snapshots: find ours by tag.
    const { Snapshots } = await ec2.send(
      new DescribeSnapshotsCommand({
        Filters: [
          {
            Name: 'tag:cloud-ops.io/entity-ref',
            Values: ['resource:default/orders-db'],
          },
        ],
      }),
    );
    expect(Snapshots).toHaveLength(Volumes!.length);
    expect(Snapshots!.map(s => s.VolumeId).sort()).toEqual(
      Volumes!.map(v => v.VolumeId).sort(),
    );
    expect(Snapshots![0].Tags).toEqual(
      expect.arrayContaining([
        { Key: 'cloud-ops.io/execution-token', Value: 'ops-RFC-000042-a1' },
        { Key: 'cloud-ops.io/instance-id', Value: instanceId },
        { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
      ]),
    );
    const { DBSnapshots } = await rds.send(
      new DescribeDBSnapshotsCommand({
        DBInstanceIdentifier: 'orders-db',
        SnapshotType: 'manual',
      }),
    );
    expect(DBSnapshots?.map(s => s.DBSnapshotIdentifier)).toEqual([
      'ops-rfc-000042-a1-orders-db',
    ]);
    expect(backupStub).not.toHaveReceivedCommand(StartBackupJobCommand);
  });
});
