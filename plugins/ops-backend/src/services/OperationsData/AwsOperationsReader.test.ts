import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
} from '@aws-sdk/client-ssm';
import { ListProtectedResourcesCommand } from '@aws-sdk/client-backup';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { mockServices } from '@backstage/backend-test-utils';
import { AwsOperationsReader } from './AwsOperationsReader';
import {
  FakeAwsAccount,
  fakeClientProvider,
  mockAwsAccount,
} from './__testUtils__/fakeAws';
import type { OperationsReadResult } from './types';

function reader(account: FakeAwsAccount) {
  return new AwsOperationsReader({
    clients: fakeClientProvider,
    logger: mockServices.logger.mock(),
    now: () => account.now,
  });
}

function payload(
  results: OperationsReadResult[],
  entityRef: string,
  kind: string,
) {
  const r = results.find(x => x.entityRef === entityRef && x.kind === kind);
  if (!r || !r.ok)
    throw new Error(
      `no good ${kind} result for ${entityRef}: ${JSON.stringify(r)}`,
    );
  return r.payload as any;
}

describe('AwsOperationsReader', () => {
  let aws: ReturnType<typeof mockAwsAccount>;
  afterEach(() => aws?.restore());

  it('reads alarms, patch state with maintenance window, and backups for an entity', async () => {
    const account = new FakeAwsAccount({
      entities: 1,
      alarmsPerEntity: 2,
      instancesPerEntity: 2,
      databasesPerEntity: 1,
      protectEveryNthInstance: 2,
    });
    aws = mockAwsAccount(account);
    const results = await reader(account).read(account.targets);
    const ref = 'component:default/app-0';

    expect(payload(results, ref, 'alarms').alarms).toEqual([
      {
        name: 'app-0-alarm-0',
        arn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:app-0-alarm-0',
        state: 'ALARM',
        reason: 'Threshold Crossed',
        stateUpdatedAt: '2026-11-21T11:00:00.000Z',
        metric: { namespace: 'AWS/EC2', name: 'CPUUtilization' },
        consoleUrl:
          'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/app-0-alarm-0',
      },
      expect.objectContaining({ name: 'app-0-alarm-1', state: 'OK' }),
    ]);

    const patch = payload(results, ref, 'patch');
    expect(patch.unmanagedInstanceIds).toEqual([]);
    expect(patch.instances[0]).toEqual({
      instanceId: 'i-00000000000000000',
      installed: 300,
      missing: 3,
      failed: 1,
      criticalMissing: 1,
      securityMissing: 2,
      lastScanAt: '2026-11-21T08:00:00.000Z',
      baselineId: 'pb-0123456789abcdef0',
      maintenanceWindow: {
        id: 'mw-0123456789abcdef0',
        name: 'central-it-monthly',
        schedule: 'cron(0 2 ? * SUN#2 *)',
        nextExecutionAt: '2026-12-13T02:00:00.000Z',
      },
      pendingUpdates: [
        {
          id: 'ALAS2-2026-0000',
          title: 'package-0',
          classification: 'Security',
          severity: 'Critical',
          updateClass: 'critical-security',
        },
        {
          id: 'ALAS2-2026-0001',
          title: 'package-1',
          classification: 'Security',
          severity: 'Important',
          updateClass: 'important',
        },
        {
          id: 'ALAS2-2026-0002',
          title: 'package-2',
          classification: 'Bugfix',
          severity: 'Low',
          updateClass: 'other',
        },
        {
          id: 'ALAS2-2026-0009',
          title: 'package-failed',
          classification: 'Bugfix',
          severity: 'Critical',
          updateClass: 'important',
        },
      ],
      compliant: false,
    });
    expect(patch.instances[1]).toMatchObject({
      compliant: true,
      pendingUpdates: [],
    });
    // Only the non-compliant instance is asked for its patches, Missing and Failed ones.
    expect(
      aws.mocks.ssm
        .commandCalls(DescribeInstancePatchesCommand)
        .map(c => c.args[0].input),
    ).toEqual([
      {
        InstanceId: 'i-00000000000000000',
        Filters: [{ Key: 'State', Values: ['Missing', 'Failed'] }],
        MaxResults: 50,
        NextToken: undefined,
      },
    ]);

    const backups = payload(results, ref, 'backups').resources;
    expect(backups).toEqual([
      // The first instance is outside AWS Backup: its EBS snapshot counts, 80 h old, overdue.
      expect.objectContaining({
        resourceArn:
          'arn:aws:ec2:eu-west-1:111122223333:instance/i-00000000000000000',
        method: 'ebs-snapshot',
        lastRecoveryPoint: expect.objectContaining({ ageHours: 80 }),
        expectedIntervalHours: 24,
        overdue: true,
      }),
      expect.objectContaining({
        resourceArn:
          'arn:aws:ec2:eu-west-1:111122223333:instance/i-00000000000000001',
        method: 'aws-backup',
        plan: {
          id: 'plan-daily',
          name: 'central-it-daily',
          schedule: 'cron(0 3 ? * * *)',
        },
        overdue: true, // its only recovery point is 60 h old
      }),
      expect.objectContaining({
        resourceArn: 'arn:aws:rds:eu-west-1:111122223333:db:app-0-db-0',
        method: 'rds-snapshot',
        lastRecoveryPoint: expect.objectContaining({ ageHours: 10 }),
        overdue: false,
      }),
    ]);
  });

  it('makes exactly the batched number of calls, following every page', async () => {
    const account = new FakeAwsAccount({
      entities: 250,
      alarmsPerEntity: 1,
      instancesPerEntity: 1,
      databasesPerEntity: 1,
      stacksPerEntity: 1,
    });
    aws = mockAwsAccount(account);
    const results = await reader(account).read(account.targets);
    expect(results.filter(r => !r.ok)).toEqual([]);
    expect(results).toHaveLength(250 * 3);

    expect(aws.callCounts()).toEqual({
      // 750 app-tagged resources in pages of 100, and 250 stacks.
      GetResources: 8 + 3,
      DescribeAlarms: 3,
      DescribeInstancePatchStates: 5,
      // Positions that are multiples of 5 or 11 among 250: 50 + 23 - 5.
      DescribeInstancePatches: 68,
      DescribeMaintenanceWindows: 1,
      DescribeMaintenanceWindowTargets: 1,
      ListProtectedResources: 1,
      ListBackupVaults: 1,
      ListRecoveryPointsByBackupVault: 1,
      GetBackupPlan: 1,
      DescribeVolumes: 1,
      DescribeSnapshots: 1,
      DescribeDBSnapshots: 5,
    });
    expect(aws.callCounts()).toEqual(
      Object.fromEntries(
        Object.entries(account.expectedBatchedCalls()).filter(([, n]) => n > 0),
      ),
    );

    const getResources = aws.mocks.tagging
      .commandCalls(GetResourcesCommand)
      .map(c => c.args[0].input);
    expect(getResources.slice(0, 8)).toEqual(
      Array.from({ length: 8 }, (_, i) => ({
        TagFilters: [{ Key: 'app' }],
        ResourcesPerPage: 100,
        PaginationToken: i === 0 ? undefined : String(i * 100),
      })),
    );
    expect(getResources[8]).toEqual({
      TagFilters: [{ Key: 'cloud-ops.io/entity-ref' }],
      ResourcesPerPage: 100,
      PaginationToken: undefined,
    });
    const alarmBatches = aws.mocks.cloudwatch
      .commandCalls(DescribeAlarmsCommand)
      .map(c => c.args[0].input.AlarmNames!.length);
    expect(alarmBatches).toEqual([100, 100, 50]);
    const patchBatches = aws.mocks.ssm
      .commandCalls(DescribeInstancePatchStatesCommand)
      .map(c => c.args[0].input.InstanceIds!.length);
    expect(patchBatches).toEqual([50, 50, 50, 50, 50]);
  });

  it('keeps the listed recovery points, newest first, not only the last', async () => {
    const account = new FakeAwsAccount({
      entities: 1,
      instancesPerEntity: 2,
      databasesPerEntity: 1,
      protectEveryNthInstance: 2,
    });
    aws = mockAwsAccount(account);
    const results = await reader(account).read(account.targets);
    const [ebs, backup, rds] = payload(
      results,
      'component:default/app-0',
      'backups',
    ).resources;
    expect(ebs.recoveryPoints).toEqual([
      {
        id: 'snap-00000000000000000',
        completedAt: '2026-11-18T04:00:00.000Z',
        status: 'COMPLETED',
        origin: 'scheduled',
      },
      {
        id: 'snap-00000000000000000-manual',
        completedAt: '2026-11-13T04:00:00.000Z',
        status: 'COMPLETED',
        origin: 'on-demand',
      },
    ]);
    expect(backup.recoveryPoints).toEqual(
      [60, 84, 108].map((age, k) => ({
        id: `${backup.resourceArn}/rp-0${k ? `-${k}` : ''}`,
        completedAt: new Date(
          account.now.getTime() - age * 3_600_000,
        ).toISOString(),
        status: 'COMPLETED',
        origin: 'scheduled',
        sizeBytes: 8 * 1024 ** 3,
      })),
    );
    expect(backup.lastRecoveryPoint.id).toBe(backup.recoveryPoints[0].id);
    expect(rds.recoveryPoints.map((p: any) => p.id)).toEqual([
      'rds:app-0-db-0-2026-11-21',
      'rds:app-0-db-0-2026-11-20',
    ]);
  });

  it('caps the recovery points at 30', async () => {
    const account = new FakeAwsAccount({
      entities: 1,
      instancesPerEntity: 0,
      databasesPerEntity: 1,
    });
    aws = mockAwsAccount(account);
    aws.mocks.rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: Array.from({ length: 40 }, (_, d) => ({
        DBSnapshotIdentifier: `rds:app-0-db-0-${d}`,
        DBInstanceIdentifier: 'app-0-db-0',
        Status: 'available',
        SnapshotType: d === 0 ? 'manual' : 'automated',
        SnapshotCreateTime: new Date(
          account.now.getTime() - (d + 1) * 86_400_000,
        ),
      })),
    });
    const results = await reader(account).read(account.targets);
    const [rds] = payload(
      results,
      'component:default/app-0',
      'backups',
    ).resources;
    expect(rds.recoveryPoints).toHaveLength(30);
    expect(rds.recoveryPoints[0]).toMatchObject({
      id: 'rds:app-0-db-0-0',
      origin: 'on-demand',
    });
    expect(rds.recoveryPoints[29].id).toBe('rds:app-0-db-0-29');
  });

  it('follows every page of pending patches', async () => {
    const account = new FakeAwsAccount({ entities: 1, instancesPerEntity: 1 });
    aws = mockAwsAccount(account);
    const patch = (n: number) => ({
      KBId: `KB50${String(n).padStart(5, '0')}`,
      Title: `Update ${n}`,
      Classification: 'SecurityUpdates',
      Severity: n === 0 ? 'Critical' : 'Important',
      State: 'MISSING' as const,
      InstalledTime: new Date(0),
    });
    aws.mocks.ssm
      .on(DescribeInstancePatchesCommand)
      .resolvesOnce({
        Patches: Array.from({ length: 50 }, (_, n) => patch(n)),
        NextToken: 'page-2',
      })
      .resolvesOnce({ Patches: [patch(50)] });
    const results = await reader(account).read(account.targets);
    const [instance] = payload(
      results,
      'component:default/app-0',
      'patch',
    ).instances;
    expect(instance.pendingUpdates).toHaveLength(51);
    expect(instance.pendingUpdates[0]).toMatchObject({
      id: 'KB5000000',
      updateClass: 'critical-security',
    });
    expect(instance.pendingUpdates[50]).toMatchObject({
      id: 'KB5000050',
      updateClass: 'important',
    });
    expect(
      aws.mocks.ssm
        .commandCalls(DescribeInstancePatchesCommand)
        .map(c => c.args[0].input.NextToken),
    ).toEqual([undefined, 'page-2']);
  });

  it('lists pending patches with bounded concurrency', async () => {
    const account = new FakeAwsAccount({
      entities: 1,
      instancesPerEntity: 40,
    });
    aws = mockAwsAccount(account);
    let inFlight = 0;
    let most = 0;
    aws.mocks.ssm.on(DescribeInstancePatchesCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise(resolve => setTimeout(resolve, 5));
      inFlight -= 1;
      return { Patches: [] };
    });
    await new AwsOperationsReader({
      clients: fakeClientProvider,
      logger: mockServices.logger.mock(),
      now: () => account.now,
      patchDetailConcurrency: 3,
    }).read(account.targets);
    // Positions 0..39 that are multiples of 5 or 11: 8 + 4 - 1.
    expect(
      aws.mocks.ssm.commandCalls(DescribeInstancePatchesCommand),
    ).toHaveLength(11);
    expect(most).toBe(3);
  });

  it('grows with pages of resources, not with entities', async () => {
    // The same 400 resources, split across 10 or across 100 entities.
    const few = new FakeAwsAccount({
      entities: 10,
      alarmsPerEntity: 20,
      instancesPerEntity: 20,
    });
    aws = mockAwsAccount(few);
    await reader(few).read(few.targets);
    const callsForFew = aws.totalCalls();
    aws.restore();

    const many = new FakeAwsAccount({
      entities: 100,
      alarmsPerEntity: 2,
      instancesPerEntity: 2,
    });
    aws = mockAwsAccount(many);
    await reader(many).read(many.targets);
    expect(aws.totalCalls()).toBe(callsForFew);
    aws.restore();

    // Doubling the resources adds pages, and only pages.
    const double = new FakeAwsAccount({
      entities: 100,
      alarmsPerEntity: 4,
      instancesPerEntity: 4,
    });
    aws = mockAwsAccount(double);
    await reader(double).read(double.targets);
    const expected = double.expectedBatchedCalls();
    expect(aws.totalCalls()).toBe(
      Object.values(expected).reduce((a, b) => a + b, 0),
    );
    expect(aws.totalCalls()).toBeGreaterThan(callsForFew);
  });

  it('resolves each distinct key set once, filtering by values while they fit', async () => {
    const account = new FakeAwsAccount({ entities: 3 });
    aws = mockAwsAccount(account);
    const targets = [
      ...account.targets,
      {
        ...account.targets[0],
        entityRef: 'component:default/two-keys',
        selector: { app: 'app-1', 'patch-group': 'central-it' },
      },
    ];
    const results = await reader(account).read(targets);
    const filters = aws.mocks.tagging
      .commandCalls(GetResourcesCommand)
      .map(c => c.args[0].input.TagFilters);
    // Few values: AWS filters by them; the stack search is by key alone.
    expect(filters).toEqual([
      [{ Key: 'app', Values: ['app-0', 'app-1', 'app-2'] }],
      [
        { Key: 'app', Values: ['app-1'] },
        { Key: 'patch-group', Values: ['central-it'] },
      ],
      [{ Key: 'cloud-ops.io/entity-ref' }],
    ]);
    // Only app-1's instance carries both tags.
    expect(
      payload(results, 'component:default/two-keys', 'patch').instances.map(
        (i: any) => i.instanceId,
      ),
    ).toEqual(['i-00000000000000001']);
    expect(
      payload(results, 'component:default/two-keys', 'alarms').alarms,
    ).toEqual([]);
  });

  it('finds stacks by their entity-ref tag without any annotation', async () => {
    const account = new FakeAwsAccount({ entities: 2, stacksPerEntity: 1 });
    aws = mockAwsAccount(account);
    const results = await new AwsOperationsReader({
      clients: fakeClientProvider,
      logger: mockServices.logger.mock(),
      stackLocations: [
        { accountId: account.accountId, region: account.region },
      ],
      now: () => account.now,
    }).read([]);
    expect(new Set(results.map(r => r.entityRef))).toEqual(
      new Set(['component:default/app-0', 'component:default/app-1']),
    );
  });

  describe('when AWS fails', () => {
    const account = new FakeAwsAccount({
      entities: 3,
      alarmsPerEntity: 1,
      instancesPerEntity: 1,
    });

    it('records throttling on the alarms only', async () => {
      aws = mockAwsAccount(account);
      aws.mocks.cloudwatch.on(DescribeAlarmsCommand).rejects(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
        }),
      );
      const results = await reader(account).read(account.targets);
      const alarms = results.filter(r => r.kind === 'alarms');
      expect(alarms).toHaveLength(3);
      for (const r of alarms) {
        expect(r).toMatchObject({ ok: false });
        expect((r as any).error).toMatch(
          /^cloudwatch:DescribeAlarms in 111122223333\/eu-west-1 failed: ThrottlingException: Rate exceeded \(AWS throttled/,
        );
      }
      expect(results.filter(r => r.kind !== 'alarms').every(r => r.ok)).toBe(
        true,
      );
    });

    it('fails every kind for the location when resources cannot be resolved', async () => {
      aws = mockAwsAccount(account);
      aws.mocks.tagging.on(GetResourcesCommand).rejects(
        Object.assign(
          new Error('User is not authorized to perform: tag:GetResources'),
          {
            name: 'AccessDeniedException',
          },
        ),
      );
      const results = await reader(account).read(account.targets);
      expect(results).toHaveLength(9);
      expect(results.every(r => !r.ok)).toBe(true);
      expect((results[0] as any).error).toContain(
        'allow tag:GetResources for the role the portal uses in account 111122223333',
      );
      expect(aws.mocks.cloudwatch.calls()).toHaveLength(0);
    });

    it('records a timeout on patch state', async () => {
      aws = mockAwsAccount(account);
      aws.mocks.ssm.on(DescribeInstancePatchStatesCommand).rejects(
        Object.assign(new Error('Connection timed out after 10000 ms'), {
          name: 'TimeoutError',
        }),
      );
      const results = await reader(account).read(account.targets);
      const patch = results.filter(r => r.kind === 'patch');
      expect(
        patch.every(
          r => !r.ok && /TimeoutError.*did not answer in time/.test(r.error),
        ),
      ).toBe(true);
      expect(results.filter(r => r.kind !== 'patch').every(r => r.ok)).toBe(
        true,
      );
    });

    it('keeps the patch counts when the pending patches cannot be listed', async () => {
      aws = mockAwsAccount(account);
      aws.mocks.ssm
        .on(DescribeInstancePatchesCommand)
        .rejects(
          Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
        );
      const logger = mockServices.logger.mock();
      const results = await new AwsOperationsReader({
        clients: fakeClientProvider,
        logger,
        now: () => account.now,
      }).read(account.targets);
      const [instance] = payload(
        results,
        'component:default/app-0',
        'patch',
      ).instances;
      expect(instance).toMatchObject({ missing: 3, compliant: false });
      expect(instance.pendingUpdates).toBeUndefined();
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('ssm:DescribeInstancePatches'),
      );
    });

    it('keeps the EBS and RDS snapshots when AWS Backup is denied, naming it on the backups', async () => {
      const withDatabases = new FakeAwsAccount({
        entities: 1,
        instancesPerEntity: 2,
        databasesPerEntity: 1,
      });
      aws = mockAwsAccount(withDatabases);
      aws.mocks.backup
        .on(ListProtectedResourcesCommand)
        .rejects(
          Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
        );
      const results = await reader(withDatabases).read(withDatabases.targets);
      const backups = payload(results, 'component:default/app-0', 'backups');
      expect(backups.resources.map((r: any) => r.method)).toEqual([
        'ebs-snapshot',
        'ebs-snapshot',
        'rds-snapshot',
      ]);
      expect(backups.warnings).toEqual([
        {
          source: 'aws-backup',
          error:
            'backup:ListProtectedResources in 111122223333/eu-west-1 failed: AccessDeniedException: denied (allow backup:ListProtectedResources for the role the portal uses in account 111122223333)',
        },
      ]);
      expect(aws.mocks.backup.calls()).toHaveLength(1);
      expect(
        aws.mocks.rds.commandCalls(DescribeDBSnapshotsCommand),
      ).toHaveLength(1);
    });
  });
});
