import {
  BackupClient,
  GetBackupPlanCommand,
  ListBackupVaultsCommand,
  ListProtectedResourcesCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AwsClientFactory } from '@cloud-ops/plugin-ops-node';
import { mockClient } from 'aws-sdk-client-mock';
import type { OperationsTarget } from '../types';

/**
 * A simulated AWS account behind aws-sdk-client-mock, big enough to measure
 * how many calls a reader makes. The handlers enforce each API's page and
 * batch limits, so a reader that exceeds them fails here as it would in AWS.
 */

export type FakeAccountOptions = {
  accountId?: string;
  region?: string;
  /** Entities with an `app=<name>` selector. */
  entities: number;
  alarmsPerEntity?: number;
  instancesPerEntity?: number;
  databasesPerEntity?: number;
  /** Every n-th instance is in AWS Backup; the rest rely on EBS snapshots. */
  protectEveryNthInstance?: number;
  /** Stacks provisioned by the suite, tagged with cloud-ops.io/entity-ref of entity i. */
  stacksPerEntity?: number;
  now?: Date;
};

type Resource = { arn: string; tags: Record<string, string> };

/** Daily recovery points listed per protected resource, the newest first. */
export const RECOVERY_POINTS_PER_RESOURCE = 3;

/**
 * The patches the instance at a position misses (3 when its position is a
 * multiple of 5) or failed to install (1 when a multiple of 11).
 */
export function fakePendingPatches(position: number) {
  const missing =
    position % 5 === 0
      ? [
          { Classification: 'Security', Severity: 'Critical' },
          { Classification: 'Security', Severity: 'Important' },
          { Classification: 'Bugfix', Severity: 'Low' },
        ].map((p, i) => ({
          ...p,
          KBId: `ALAS2-2026-${String(position * 10 + i).padStart(4, '0')}`,
          Title: `package-${i}`,
          State: 'MISSING',
        }))
      : [];
  const failed =
    position % 11 === 0
      ? [
          {
            Classification: 'Bugfix',
            Severity: 'Critical',
            KBId: `ALAS2-2026-${String(position * 10 + 9).padStart(4, '0')}`,
            Title: 'package-failed',
            State: 'FAILED',
          },
        ]
      : [];
  return [...missing, ...failed];
}

export class FakeAwsAccount {
  readonly accountId: string;
  readonly region: string;
  readonly now: Date;
  readonly resources: Resource[] = [];
  readonly targets: OperationsTarget[] = [];
  readonly protectedArns = new Set<string>();
  readonly instanceIds: string[] = [];
  readonly alarmNames: string[] = [];
  readonly databaseIds: string[] = [];

  constructor(options: FakeAccountOptions) {
    this.accountId = options.accountId ?? '111122223333';
    this.region = options.region ?? 'eu-west-1';
    this.now = options.now ?? new Date('2026-11-21T12:00:00.000Z');
    const base = `arn:aws:%s:${this.region}:${this.accountId}:`;
    const arn = (service: string, resource: string) =>
      base.replace('%s', service) + resource;
    const nth = options.protectEveryNthInstance ?? 2;
    let instance = 0;
    for (let e = 0; e < options.entities; e++) {
      const app = `app-${e}`;
      const entityRef = `component:default/${app}`;
      this.targets.push({
        entityRef,
        accountId: this.accountId,
        region: this.region,
        selector: { app },
      });
      for (let a = 0; a < (options.alarmsPerEntity ?? 1); a++) {
        const name = `${app}-alarm-${a}`;
        this.alarmNames.push(name);
        this.resources.push({
          arn: arn('cloudwatch', `alarm:${name}`),
          tags: { app },
        });
      }
      for (let i = 0; i < (options.instancesPerEntity ?? 1); i++) {
        const id = `i-${(instance++).toString(16).padStart(17, '0')}`;
        this.instanceIds.push(id);
        const resource = {
          arn: arn('ec2', `instance/${id}`),
          tags: { app, 'patch-group': 'central-it' },
        };
        this.resources.push(resource);
        if (instance % nth === 0) this.protectedArns.add(resource.arn);
      }
      for (let d = 0; d < (options.databasesPerEntity ?? 0); d++) {
        const id = `${app}-db-${d}`;
        this.databaseIds.push(id);
        this.resources.push({ arn: arn('rds', `db:${id}`), tags: { app } });
      }
      for (let s = 0; s < (options.stacksPerEntity ?? 0); s++) {
        this.resources.push({
          arn: arn('cloudformation', `stack/${app}-stack-${s}/0000`),
          tags: { 'cloud-ops.io/entity-ref': entityRef },
        });
      }
    }
  }

  /** Whether the instance at this position misses or failed patches. */
  static hasPendingPatches(position: number): boolean {
    return position % 5 === 0 || position % 11 === 0;
  }

  /** The number of calls a batched reader should make, API by API. */
  expectedBatchedCalls() {
    const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
    const withKey = (k: string) =>
      this.resources.filter(r => k in r.tags).length;
    const unprotected = this.instanceIds.length - this.protectedArns.size;
    return {
      GetResources:
        pages(withKey('app'), 100) +
        pages(withKey('cloud-ops.io/entity-ref'), 100),
      DescribeAlarms: Math.ceil(this.alarmNames.length / 100),
      DescribeInstancePatchStates: Math.ceil(this.instanceIds.length / 50),
      // One page per instance with missing or failed patches.
      DescribeInstancePatches: this.instanceIds.filter((_, i) =>
        FakeAwsAccount.hasPendingPatches(i),
      ).length,
      DescribeMaintenanceWindows: this.instanceIds.length ? 1 : 0,
      DescribeMaintenanceWindowTargets: this.instanceIds.length ? 1 : 0,
      ListProtectedResources: 1,
      ListBackupVaults: this.protectedArns.size ? 1 : 0,
      ListRecoveryPointsByBackupVault: this.protectedArns.size
        ? pages(this.protectedArns.size * RECOVERY_POINTS_PER_RESOURCE, 1000)
        : 0,
      GetBackupPlan: this.protectedArns.size ? 1 : 0,
      DescribeVolumes: Math.ceil(unprotected / 200),
      DescribeSnapshots: Math.ceil(unprotected / 200),
      DescribeDBSnapshots: Math.ceil(this.databaseIds.length / 50),
    };
  }
}

function page<T>(items: T[], token: string | undefined, size: number) {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), next };
}

function limit(name: string, count: number, max: number) {
  if (count > max) {
    throw Object.assign(
      new Error(`${name}: at most ${max} allowed, got ${count}`),
      {
        name: 'ValidationException',
      },
    );
  }
}

/** Installs mocks for every client the reader uses, answering from `account`. */
export function mockAwsAccount(account: FakeAwsAccount) {
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const ssm = mockClient(SSMClient);
  const backup = mockClient(BackupClient);
  const ec2 = mockClient(EC2Client);
  const rds = mockClient(RDSClient);
  const hoursAgo = (h: number) =>
    new Date(account.now.getTime() - h * 3_600_000);
  // States follow each resource's position in the account, never its
  // position in a request, so every way of batching reads the same data.
  const position = new Map<string, number>();
  account.alarmNames.forEach((n, i) => position.set(n, i));
  account.instanceIds.forEach((id, i) => {
    position.set(id, i);
    position.set(`vol-${id.slice(2)}`, i);
  });
  [...account.protectedArns].forEach((arn, i) => position.set(arn, i));
  const at = (id: string) => position.get(id) ?? 0;

  tagging.on(GetResourcesCommand).callsFake(input => {
    limit('ResourcesPerPage', input.ResourcesPerPage ?? 50, 100);
    const filters: { Key: string; Values?: string[] }[] =
      input.TagFilters ?? [];
    const matching = account.resources.filter(r =>
      filters.every(
        f =>
          f.Key in r.tags &&
          (!f.Values?.length || f.Values.includes(r.tags[f.Key])),
      ),
    );
    const { items, next } = page(
      matching,
      input.PaginationToken,
      input.ResourcesPerPage ?? 50,
    );
    return {
      ResourceTagMappingList: items.map(r => ({
        ResourceARN: r.arn,
        Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
      PaginationToken: next ?? '',
    };
  });

  cloudwatch.on(DescribeAlarmsCommand).callsFake(input => {
    limit('AlarmNames', input.AlarmNames?.length ?? 0, 100);
    const names: string[] = input.AlarmNames ?? [];
    return {
      MetricAlarms: names
        .filter(n => account.alarmNames.includes(n))
        .map(name => ({
          AlarmName: name,
          AlarmArn: `arn:aws:cloudwatch:${account.region}:${account.accountId}:alarm:${name}`,
          StateValue: at(name) % 7 === 0 ? 'ALARM' : 'OK',
          StateReason: 'Threshold Crossed',
          StateUpdatedTimestamp: hoursAgo(1),
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
        })),
    };
  });

  ssm.on(DescribeInstancePatchStatesCommand).callsFake(input => {
    limit('InstanceIds', input.InstanceIds?.length ?? 0, 50);
    limit('MaxResults', input.MaxResults ?? 10, 50);
    const ids: string[] = input.InstanceIds ?? [];
    return {
      InstancePatchStates: ids.map(InstanceId => ({
        InstanceId,
        PatchGroup: 'central-it',
        BaselineId: 'pb-0123456789abcdef0',
        OperationStartTime: hoursAgo(5),
        OperationEndTime: hoursAgo(4),
        Operation: 'Scan',
        InstalledCount: 300,
        MissingCount: at(InstanceId) % 5 === 0 ? 3 : 0,
        FailedCount: at(InstanceId) % 11 === 0 ? 1 : 0,
        CriticalNonCompliantCount: at(InstanceId) % 5 === 0 ? 1 : 0,
        SecurityNonCompliantCount: at(InstanceId) % 5 === 0 ? 2 : 0,
      })),
    };
  });
  ssm.on(DescribeInstancePatchesCommand).callsFake(input => {
    limit('MaxResults', input.MaxResults ?? 10, 50);
    const states: string[] =
      input.Filters?.find((f: { Key: string }) => f.Key === 'State')?.Values ??
      [];
    // Filters name states as `Missing`; results spell them `MISSING`.
    const wanted = states.map(v =>
      v.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
    );
    const all = fakePendingPatches(at(input.InstanceId)).filter(
      p => !wanted.length || wanted.includes(p.State),
    );
    const { items, next } = page(all, input.NextToken, input.MaxResults ?? 10);
    return { Patches: items, NextToken: next };
  });
  ssm.on(DescribeMaintenanceWindowsCommand).resolves({
    WindowIdentities: [
      {
        WindowId: 'mw-0123456789abcdef0',
        Name: 'central-it-monthly',
        Enabled: true,
        Schedule: 'cron(0 2 ? * SUN#2 *)',
        NextExecutionTime: '2026-12-13T02:00Z',
      },
    ],
  });
  ssm.on(DescribeMaintenanceWindowTargetsCommand).resolves({
    Targets: [
      {
        WindowId: 'mw-0123456789abcdef0',
        ResourceType: 'INSTANCE',
        Targets: [{ Key: 'tag:patch-group', Values: ['central-it'] }],
      },
    ],
  });

  backup.on(ListProtectedResourcesCommand).callsFake(input => {
    const all = [...account.protectedArns].map(ResourceArn => ({
      ResourceArn,
      ResourceType: 'EC2',
      LastBackupTime: hoursAgo(6),
    }));
    const { items, next } = page(
      all,
      input.NextToken,
      input.MaxResults ?? 1000,
    );
    return { Results: items, NextToken: next };
  });
  backup
    .on(ListBackupVaultsCommand)
    .resolves({ BackupVaultList: [{ BackupVaultName: 'Default' }] });
  backup.on(ListRecoveryPointsByBackupVaultCommand).callsFake(input => {
    const all = [...account.protectedArns].flatMap(ResourceArn =>
      Array.from({ length: RECOVERY_POINTS_PER_RESOURCE }, (_, k) => {
        const age = (at(ResourceArn) % 9 === 0 ? 60 : 6) + 24 * k;
        return {
          RecoveryPointArn: `${ResourceArn}/rp-${at(ResourceArn)}${
            k ? `-${k}` : ''
          }`,
          ResourceArn,
          Status: 'COMPLETED',
          CreationDate: hoursAgo(age),
          CompletionDate: hoursAgo(age),
          BackupSizeInBytes: 8 * 1024 ** 3,
          CreatedBy: {
            BackupPlanId: 'plan-daily',
            BackupRuleId: 'rule-daily',
          },
        };
      }),
    );
    const { items, next } = page(
      all,
      input.NextToken,
      input.MaxResults ?? 1000,
    );
    return { RecoveryPoints: items, NextToken: next };
  });
  backup.on(GetBackupPlanCommand).resolves({
    BackupPlanId: 'plan-daily',
    BackupPlan: {
      BackupPlanName: 'central-it-daily',
      Rules: [
        {
          RuleName: 'daily',
          TargetBackupVaultName: 'Default',
          ScheduleExpression: 'cron(0 3 ? * * *)',
        },
      ],
    },
  });

  ec2.on(DescribeVolumesCommand).callsFake(input => {
    limit('MaxResults', input.MaxResults ?? 500, 500);
    const ids: string[] = input.Filters?.[0]?.Values ?? [];
    limit('Filter values', ids.length, 200);
    return {
      Volumes: ids.map(id => ({
        VolumeId: `vol-${id.slice(2)}`,
        Attachments: [{ InstanceId: id }],
      })),
    };
  });
  ec2.on(DescribeSnapshotsCommand).callsFake(input => {
    const volumes: string[] =
      input.Filters?.find((f: { Name: string }) => f.Name === 'volume-id')
        ?.Values ?? [];
    limit('Filter values', volumes.length, 200);
    return {
      Snapshots: volumes.flatMap(VolumeId => [
        {
          SnapshotId: `snap-${VolumeId.slice(4)}`,
          VolumeId,
          State: 'completed',
          StartTime: hoursAgo(at(VolumeId) % 4 === 0 ? 80 : 12),
          Tags: [{ Key: 'aws:dlm:lifecycle-policy-id', Value: 'policy-1' }],
        },
        // An older snapshot someone took by hand.
        {
          SnapshotId: `snap-${VolumeId.slice(4)}-manual`,
          VolumeId,
          State: 'completed',
          StartTime: hoursAgo(200),
        },
      ]),
    };
  });
  rds.on(DescribeDBSnapshotsCommand).callsFake(input => {
    const ids: string[] = input.Filters?.[0]?.Values ?? [];
    limit('Filter values', ids.length, 50);
    return {
      DBSnapshots: ids.flatMap(DBInstanceIdentifier => [
        {
          DBSnapshotIdentifier: `rds:${DBInstanceIdentifier}-2026-11-20`,
          DBInstanceIdentifier,
          Status: 'available',
          SnapshotType: 'automated',
          SnapshotCreateTime: hoursAgo(34),
        },
        {
          DBSnapshotIdentifier: `rds:${DBInstanceIdentifier}-2026-11-21`,
          DBInstanceIdentifier,
          Status: 'available',
          SnapshotType: 'automated',
          SnapshotCreateTime: hoursAgo(10),
        },
      ]),
    };
  });

  const mocks = { tagging, cloudwatch, ssm, backup, ec2, rds };
  return {
    mocks,
    /** Calls made so far, by command name. */
    callCounts(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const mock of Object.values(mocks)) {
        for (const call of mock.calls()) {
          const name = (call.args[0] as object).constructor.name.replace(
            /Command$/,
            '',
          );
          counts[name] = (counts[name] ?? 0) + 1;
        }
      }
      return counts;
    },
    totalCalls(): number {
      return Object.values(mocks).reduce((n, m) => n + m.calls().length, 0);
    },
    reset() {
      for (const mock of Object.values(mocks)) mock.resetHistory();
    },
    restore() {
      for (const mock of Object.values(mocks)) mock.restore();
    },
  };
}

/**
 * Dummy static credentials per account; `assumed` counts the fetches, as
 * an assumed role would make them.
 */
export function fakeCredentialsManager(assumed: string[] = []) {
  return {
    getCredentialProvider: async (opts?: { accountId?: string }) => ({
      accountId: opts?.accountId,
      sdkCredentialProvider: async () => {
        assumed.push(opts?.accountId ?? 'main');
        return { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
      },
    }),
  };
}

/**
 * A client factory for the reader under test: real SDK clients with dummy
 * credentials, which the mocks answer before any network.
 */
export function fakeClientFactory(): AwsClientFactory {
  return new AwsClientFactory({ credentialsManager: fakeCredentialsManager() });
}

/** A shared {@link fakeClientFactory}, for tests that need nothing of their own. */
export const fakeClientProvider = fakeClientFactory();
