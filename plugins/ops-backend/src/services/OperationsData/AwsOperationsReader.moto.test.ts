import {
  BackupClient,
  ListProtectedResourcesCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateSnapshotCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import {
  CreateMaintenanceWindowCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AwsClientFactory } from '@cloud-ops/plugin-ops-node';
// eslint-disable-next-line @backstage/no-forbidden-package-imports -- ops-node has no test-utils export for its moto harness yet
import { describeMoto } from '@cloud-ops/plugin-ops-node/src/__testUtils__/moto';
import { mockClient } from 'aws-sdk-client-mock';
import { DatabaseOperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { AwsOperationsReader } from './AwsOperationsReader';
import { OperationsRefresher } from './OperationsRefresher';
import { AwsFaultProxy } from './__testUtils__/awsFaultProxy';
import type { OperationsReadResult, OperationsTarget } from './types';

/**
 * The reader against moto through a proxy that fails chosen calls: STS
 * AssumeRole into two accounts, tag:GetResources, CloudWatch alarms, SSM
 * maintenance windows, EC2 volumes and snapshots and RDS snapshots are
 * real. moto 5.2.1 does not serve SSM patch states or AWS Backup's
 * ListProtectedResources, so those are stubbed (covered against the
 * API's limits in AwsOperationsReader.test.ts).
 */

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const ORDERS = '111111111111';
const BILLING = '222222222222';
const REGION = 'eu-west-1';

const ssmStub = mockClient(SSMClient);
const backupStub = mockClient(BackupClient);
afterAll(() => {
  ssmStub.restore();
  backupStub.restore();
});

function config(endpoint: string, requestTimeoutSeconds?: number) {
  return new ConfigReader({
    aws: {
      mainAccount: { accessKeyId: 'test', secretAccessKey: 'test' },
      accounts: [
        { accountId: ORDERS, roleName: 'ops-reader' },
        { accountId: BILLING, roleName: 'ops-reader' },
      ],
    },
    ops: {
      aws: { implementation: 'aws', endpoint },
      operations: { requestTimeoutSeconds },
    },
  });
}

const target = (app: string, accountId: string): OperationsTarget => ({
  entityRef: `component:default/${app}`,
  accountId,
  region: REGION,
  selector: { app },
});

/** An instance with its volume snapshotted, a database with a snapshot, an alarm and a window. */
async function seed(clients: AwsClientFactory, app: string, account: string) {
  const at = { account, region: REGION };
  const tags = [{ Key: 'app', Value: app }];
  const ec2 = clients.ec2(at);
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    }),
  );
  const instanceId = run.Instances![0].InstanceId!;
  const volumes = await ec2.send(
    new DescribeVolumesCommand({
      Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
    }),
  );
  const snapshot = await ec2.send(
    new CreateSnapshotCommand({ VolumeId: volumes.Volumes![0].VolumeId! }),
  );
  await clients.rds(at).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${app}-db`,
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      AllocatedStorage: 20,
      MasterUsername: 'ops',
      MasterUserPassword: 'not-a-secret-1',
      Tags: tags,
    }),
  );
  await clients.rds(at).send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: `${app}-db`,
      DBSnapshotIdentifier: `${app}-db-snap`,
    }),
  );
  await clients.clientOf(CloudWatchClient, 'cloudwatch', at).send(
    new PutMetricAlarmCommand({
      AlarmName: `${app}-cpu`,
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
      Tags: tags,
    }),
  );
  // Through the stub's call-through, to moto.
  const window = await clients.ssm(at).send(
    new CreateMaintenanceWindowCommand({
      Name: `${app}-monthly`,
      Schedule: 'cron(0 2 ? * SUN#2 *)',
      Duration: 2,
      Cutoff: 1,
      AllowUnassociatedTargets: false,
    }),
  );
  await clients.ssm(at).send(
    new RegisterTargetWithMaintenanceWindowCommand({
      WindowId: window.WindowId,
      ResourceType: 'INSTANCE',
      Targets: [{ Key: 'tag:app', Values: [app] }],
    }),
  );
  return {
    instanceArn: `arn:aws:ec2:${REGION}:${account}:instance/${instanceId}`,
    snapshotId: snapshot.SnapshotId!,
    dbArn: `arn:aws:rds:${REGION}:${account}:db:${app}-db`,
    windowId: window.WindowId!,
  };
}

function find(
  results: OperationsReadResult[],
  app: string,
  kind: string,
): OperationsReadResult {
  const r = results.find(
    x => x.entityRef === `component:default/${app}` && x.kind === kind,
  );
  if (!r) throw new Error(`no ${kind} result for ${app}`);
  return r;
}

const payload = (
  results: OperationsReadResult[],
  app: string,
  kind: string,
) => {
  const r = find(results, app, kind);
  if (!r.ok) throw new Error(`${kind} of ${app} failed: ${r.error}`);
  return r.payload as any;
};

describeMoto('AwsOperationsReader against moto', moto => {
  const proxy = new AwsFaultProxy();
  let seeded: {
    orders: Awaited<ReturnType<typeof seed>>;
    billing: Awaited<ReturnType<typeof seed>>;
  };
  const stsEndpoint = process.env.AWS_ENDPOINT_URL_STS;

  beforeAll(async () => {
    await proxy.start(moto.endpoint);
    // The integration's STS client has no endpoint setting; the SDK's variable reaches it.
    process.env.AWS_ENDPOINT_URL_STS = proxy.endpoint;
  });
  afterAll(async () => {
    if (stsEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = stsEndpoint;
    await proxy.stop();
  });

  beforeEach(async () => {
    proxy.reset();
    ssmStub.reset();
    ssmStub.send.callThrough();
    ssmStub.on(DescribeInstancePatchStatesCommand).callsFake(input => ({
      InstancePatchStates: (input.InstanceIds ?? []).map((id: string) => ({
        InstanceId: id,
        PatchGroup: 'central-it',
        BaselineId: 'pb-0123456789abcdef0',
        OperationStartTime: new Date(),
        OperationEndTime: new Date(),
        Operation: 'Scan',
        InstalledCount: 300,
        MissingCount: 0,
        FailedCount: 0,
      })),
    }));
    ssmStub.on(DescribeInstancePatchesCommand).resolves({ Patches: [] });
    backupStub.reset();
    backupStub.on(ListProtectedResourcesCommand).resolves({ Results: [] });

    const seeding = AwsClientFactory.fromConfig(config(proxy.endpoint));
    seeded = {
      orders: await seed(seeding, 'orders', ORDERS),
      billing: await seed(seeding, 'billing', BILLING),
    };
    // Count only what the reader does.
    proxy.reset();
  });

  function reader(requestTimeoutSeconds?: number) {
    return new AwsOperationsReader({
      clients: AwsClientFactory.fromConfig(
        config(proxy.endpoint, requestTimeoutSeconds),
        {
          requestTimeoutMs: requestTimeoutSeconds
            ? requestTimeoutSeconds * 1000
            : undefined,
        },
      ),
      logger: mockServices.logger.mock(),
      discoverStacks: false,
    });
  }
  const targets = [target('orders', ORDERS), target('billing', BILLING)];

  it('reads two accounts assuming each role once, and not again in the next cycle', async () => {
    const r = reader();

    const results = await r.read(targets);

    expect(results.filter(x => !x.ok)).toEqual([]);
    const assumed = proxy.calls('sts:AssumeRole').map(c => c.body);
    expect(assumed).toHaveLength(2);
    expect(assumed.some(b => b.includes(`${ORDERS}%3Arole%2Fops-reader`))).toBe(
      true,
    );
    expect(
      assumed.some(b => b.includes(`${BILLING}%3Arole%2Fops-reader`)),
    ).toBe(true);

    // Every kind from moto's data, each account's in its own snapshot.
    expect(payload(results, 'orders', 'alarms').alarms).toEqual([
      expect.objectContaining({
        name: 'orders-cpu',
        arn: `arn:aws:cloudwatch:${REGION}:${ORDERS}:alarm:orders-cpu`,
      }),
    ]);
    const [instance] = payload(results, 'billing', 'patch').instances;
    expect(instance.maintenanceWindow).toMatchObject({
      id: seeded.billing.windowId,
      name: 'billing-monthly',
    });
    expect(payload(results, 'orders', 'backups').resources).toEqual([
      expect.objectContaining({
        resourceArn: seeded.orders.instanceArn,
        method: 'ebs-snapshot',
        lastRecoveryPoint: expect.objectContaining({
          id: seeded.orders.snapshotId,
        }),
      }),
      expect.objectContaining({
        resourceArn: seeded.orders.dbArn,
        method: 'rds-snapshot',
        lastRecoveryPoint: expect.objectContaining({ id: 'orders-db-snap' }),
      }),
    ]);

    await r.read(targets);
    expect(proxy.calls('sts:AssumeRole')).toHaveLength(2);
  });

  it('when ec2:DescribeSnapshots is denied, names it on the backups and keeps the RDS snapshots and the other kinds', async () => {
    proxy.fail('ec2:DescribeSnapshots', 'denied');

    const results = await reader().read(targets);

    for (const app of ['orders', 'billing'] as const) {
      const backups = payload(results, app, 'backups');
      expect(backups.resources).toEqual([
        expect.objectContaining({
          resourceArn: seeded[app].dbArn,
          method: 'rds-snapshot',
        }),
      ]);
      expect(backups.warnings).toEqual([
        {
          source: 'ebs-snapshots',
          error: expect.stringMatching(
            /^ec2:DescribeSnapshots in \d{12}\/eu-west-1 failed: UnauthorizedOperation: .*\(allow ec2:DescribeSnapshots for the role the portal uses in account \d{12}\)$/,
          ),
          resourcesLeftOut: 1,
        },
      ]);
      expect(find(results, app, 'alarms').ok).toBe(true);
      expect(find(results, app, 'patch').ok).toBe(true);
    }
    // Denied is not retried: one call per account.
    expect(proxy.calls('ec2:DescribeSnapshots')).toHaveLength(2);
    expect(proxy.calls('rds:DescribeDBSnapshots')).toHaveLength(2);
  });

  it('when rds:DescribeDBSnapshots is throttled, retries it 3 times and names it, keeping the EBS snapshots', async () => {
    proxy.fail('rds:DescribeDBSnapshots', 'throttled', body =>
      body.includes('orders-db'),
    );

    const results = await reader().read(targets);

    const orders = payload(results, 'orders', 'backups');
    expect(orders.resources.map((r: any) => r.resourceArn)).toEqual([
      seeded.orders.instanceArn,
    ]);
    expect(orders.warnings).toEqual([
      expect.objectContaining({
        source: 'rds-snapshots',
        error: expect.stringMatching(
          /^rds:DescribeDBSnapshots in 111111111111\/eu-west-1 failed: Throttling: .*\(AWS throttled the call; try again later\)$/,
        ),
      }),
    ]);
    expect(payload(results, 'billing', 'backups').warnings).toBeUndefined();
    expect(
      proxy
        .calls('rds:DescribeDBSnapshots')
        .filter(c => c.body.includes('orders-db')),
    ).toHaveLength(3);
  });

  it('when one role cannot be assumed, fails that account with the credentials step named and reads the other', async () => {
    proxy.fail('sts:AssumeRole', 'denied', body => body.includes(BILLING));

    const results = await reader().read(targets);

    for (const kind of ['alarms', 'patch', 'backups']) {
      expect(find(results, 'billing', kind)).toEqual({
        entityRef: 'component:default/billing',
        kind,
        ok: false,
        error: expect.stringMatching(
          /^could not get credentials for account 222222222222: AccessDenied: /,
        ),
      });
      expect(find(results, 'orders', kind).ok).toBe(true);
    }
    // Nothing is asked of an account without credentials.
    expect(
      proxy.seen.filter(
        c => c.call !== 'sts:AssumeRole' && c.body.includes('billing'),
      ),
    ).toEqual([]);
  });

  it('when an endpoint stops answering, times out and keeps the last good data through the refresher, stale with the error', async () => {
    const store = await DatabaseOperationsSnapshotStore.create({
      database: { getClient: async () => databases.init('SQLITE_3') },
    });
    const entity = (app: string, account: string): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: app,
        namespace: 'default',
        annotations: {
          'cloud-ops.io/aws-tag-selector': `app=${app}`,
          'cloud-ops.io/aws-account': account,
          'cloud-ops.io/aws-region': REGION,
        },
      },
      spec: {
        type: 'service',
        owner: 'group:default/ops',
        lifecycle: 'production',
      },
    });
    let now = new Date('2026-11-21T12:00:00.000Z');
    const refresher = new OperationsRefresher({
      reader: reader(1),
      store,
      catalog: catalogServiceMock({
        entities: [entity('orders', ORDERS), entity('billing', BILLING)],
      }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    await refresher.refreshAll();

    proxy.fail('cloudwatch:DescribeAlarms', 'hang', () => true);
    now = new Date('2026-11-21T12:15:00.000Z');
    const started = Date.now();
    await refresher.refreshAll();

    // Three attempts of one second each, plus backoff, in each account.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(proxy.calls('cloudwatch:DescribeAlarms')).toHaveLength(2 + 6);
    const rows = await store.getSnapshots('component:default/orders');
    const alarms = rows.find(r => r.kind === 'alarms')!;
    expect(alarms).toMatchObject({
      stale: true,
      refreshedAt: '2026-11-21T12:00:00.000Z',
      payload: { alarms: [expect.objectContaining({ name: 'orders-cpu' })] },
      error: expect.stringMatching(
        /^cloudwatch:DescribeAlarms in 111111111111\/eu-west-1 failed: TimeoutError: .*\(AWS did not answer in time\)$/,
      ),
    });
    for (const kind of ['patch', 'backups']) {
      expect(rows.find(r => r.kind === kind)).toMatchObject({
        stale: false,
        refreshedAt: '2026-11-21T12:15:00.000Z',
      });
    }
  });
});
