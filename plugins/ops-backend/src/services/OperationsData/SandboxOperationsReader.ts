import {
  AlarmState,
  AlarmSummary,
  BackupMethod,
  classifyUpdate,
  InstancePatchState,
  MaintenanceWindowSummary,
  PendingUpdate,
  RecoveryPointSummary,
  RESERVED_AWS_TAGS,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';
import type { SandboxAccountState } from '@cloud-ops/plugin-ops-node';
import { normalizeEntityRef } from './targets';
import type {
  OperationsReadResult,
  OperationsReader,
  OperationsTarget,
} from './types';

type SandboxAlarm = {
  name: string;
  state: AlarmState;
  reason: string;
  changedHoursAgo: number;
  namespace: string;
  metric: string;
  /**
   * An alarm that fires for `forMinutes` at the start of every `everyMinutes`
   * of the clock and is OK the rest of the time, so that incidents open,
   * clear and recur while the portal runs.
   */
  flapping?: { everyMinutes: number; forMinutes: number; okReason: string };
};

type SandboxInstance = {
  id: string;
  installed: number;
  missing: number;
  failed: number;
  critical: number;
  security: number;
  scannedHoursAgo: number;
  baselineId: string;
};

type SandboxBackup = {
  arn: string;
  method: BackupMethod;
  /** Undefined: there is no recovery point at all. */
  lastHoursAgo?: number;
  plan?: { name: string; schedule: string };
  intervalHours: number;
};

/** A simulated stack: its tags, and the alarms, instances and backups behind it. */
export type SandboxStack = {
  accountId: string;
  region: string;
  tags: Record<string, string>;
  alarms: SandboxAlarm[];
  instances: SandboxInstance[];
  backups: SandboxBackup[];
};

const BASELINE_LINUX = 'pb-0c10e1a0b5e7f3e10';
const DAILY = { name: 'central-it-daily', schedule: 'cron(0 3 ? * * *)' };
const WINDOW = {
  id: 'mw-0a1b2c3d4e5f60718',
  name: 'central-it-monthly-patching',
  schedule: 'cron(0 2 ? * SUN#2 *)',
};

/** AWS's own tag on everything Service Catalog provisions. */
export const PROVISIONED_PRODUCT_ARN_TAG =
  'aws:servicecatalog:provisionedProductArn';

const EU = { accountId: '111122223333', region: 'eu-west-1' };
const US = { accountId: '444455556666', region: 'us-east-1' };

function arn(
  location: { accountId: string; region: string },
  service: string,
  resource: string,
) {
  return `arn:aws:${service}:${location.region}:${location.accountId}:${resource}`;
}

/**
 * The sandbox account's stacks, matching the example entities' tag
 * selectors. Together they show every state worth showing: an alarm firing,
 * instances missing critical and security updates, failed patches, an
 * overdue backup and a resource with no backup at all.
 */
export const SANDBOX_STACKS: readonly SandboxStack[] = [
  {
    ...EU,
    tags: { app: 'payments-api' },
    alarms: [
      {
        name: 'payments-api-5xx-rate',
        state: 'ALARM',
        reason:
          'Threshold Crossed: 1 datapoint [7.2 (5xx %)] was greater than the threshold (5.0).',
        changedHoursAgo: 0.4,
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_Target_5XX_Count',
      },
      {
        name: 'payments-api-latency-p99',
        state: 'OK',
        reason:
          'Threshold Crossed: 3 datapoints were not greater than the threshold (800.0).',
        changedHoursAgo: 30,
        namespace: 'AWS/ApplicationELB',
        metric: 'TargetResponseTime',
      },
    ],
    instances: [
      {
        id: 'i-0a5f1e2d3c4b50001',
        installed: 412,
        missing: 0,
        failed: 0,
        critical: 0,
        security: 0,
        scannedHoursAgo: 5,
        baselineId: BASELINE_LINUX,
      },
      {
        id: 'i-0a5f1e2d3c4b50002',
        installed: 398,
        missing: 6,
        failed: 0,
        critical: 2,
        security: 4,
        scannedHoursAgo: 5,
        baselineId: BASELINE_LINUX,
      },
    ],
    backups: [
      {
        arn: arn(EU, 'ec2', 'instance/i-0a5f1e2d3c4b50001'),
        method: 'ebs-snapshot',
        lastHoursAgo: 9,
        intervalHours: 24,
      },
      {
        arn: arn(EU, 'ec2', 'instance/i-0a5f1e2d3c4b50002'),
        method: 'ebs-snapshot',
        lastHoursAgo: 9,
        intervalHours: 24,
      },
    ],
  },
  {
    ...EU,
    tags: { app: 'payments-ledger' },
    alarms: [
      {
        name: 'payments-ledger-job-failures',
        state: 'OK',
        reason:
          'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).',
        changedHoursAgo: 72,
        namespace: 'CloudOps/Batch',
        metric: 'FailedJobs',
      },
    ],
    instances: [
      {
        id: 'i-0b6e2f3a4d5c60001',
        installed: 377,
        missing: 0,
        failed: 0,
        critical: 0,
        security: 0,
        scannedHoursAgo: 7,
        baselineId: BASELINE_LINUX,
      },
    ],
    backups: [
      {
        arn: arn(EU, 'ec2', 'instance/i-0b6e2f3a4d5c60001'),
        method: 'aws-backup',
        lastHoursAgo: 20,
        plan: DAILY,
        intervalHours: 24,
      },
    ],
  },
  {
    ...EU,
    tags: { app: 'payments-db' },
    alarms: [
      {
        name: 'payments-db-cpu-high',
        state: 'OK',
        reason:
          'Threshold Crossed: 5 datapoints were not greater than the threshold (80.0).',
        changedHoursAgo: 100,
        namespace: 'AWS/RDS',
        metric: 'CPUUtilization',
      },
      {
        name: 'payments-db-free-storage-low',
        state: 'INSUFFICIENT_DATA',
        reason: 'Insufficient Data: 1 datapoint was unknown.',
        changedHoursAgo: 2,
        namespace: 'AWS/RDS',
        metric: 'FreeStorageSpace',
      },
    ],
    instances: [],
    backups: [
      // Overdue: the daily plan's last good recovery point is more than two days old.
      {
        arn: arn(EU, 'rds', 'db:payments-db'),
        method: 'aws-backup',
        lastHoursAgo: 52,
        plan: DAILY,
        intervalHours: 24,
      },
    ],
  },
  {
    ...US,
    tags: { app: 'storefront' },
    alarms: [
      {
        name: 'storefront-checkout-5xx',
        state: 'ALARM',
        reason:
          'Threshold Crossed: 1 out of the last 1 datapoints [37.0] was greater than the threshold (20.0).',
        changedHoursAgo: 0,
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_Target_5XX_Count',
        flapping: {
          everyMinutes: 30,
          forMinutes: 5,
          okReason:
            'Threshold Crossed: 1 out of the last 1 datapoints [2.0] was not greater than the threshold (20.0).',
        },
      },
      {
        name: 'storefront-availability',
        state: 'OK',
        reason:
          'Threshold Crossed: 3 datapoints were not less than the threshold (99.5).',
        changedHoursAgo: 200,
        namespace: 'CloudOps/Synthetics',
        metric: 'SuccessPercent',
      },
    ],
    instances: [
      {
        id: 'i-0c7d3e4f5a6b70001',
        installed: 350,
        missing: 0,
        failed: 0,
        critical: 0,
        security: 0,
        scannedHoursAgo: 3,
        baselineId: BASELINE_LINUX,
      },
      {
        id: 'i-0c7d3e4f5a6b70002',
        installed: 350,
        missing: 0,
        failed: 0,
        critical: 0,
        security: 0,
        scannedHoursAgo: 3,
        baselineId: BASELINE_LINUX,
      },
    ],
    backups: [
      {
        arn: arn(US, 'ec2', 'instance/i-0c7d3e4f5a6b70001'),
        method: 'aws-backup',
        lastHoursAgo: 4,
        plan: DAILY,
        intervalHours: 24,
      },
      {
        arn: arn(US, 'ec2', 'instance/i-0c7d3e4f5a6b70002'),
        method: 'aws-backup',
        lastHoursAgo: 4,
        plan: DAILY,
        intervalHours: 24,
      },
    ],
  },
  {
    ...US,
    tags: { app: 'catalog-search', tier: 'backend' },
    alarms: [
      {
        name: 'catalog-search-query-latency',
        state: 'ALARM',
        reason:
          'Threshold Crossed: 3 datapoints [1450.0, 1390.0, 1502.0] were greater than the threshold (1000.0).',
        changedHoursAgo: 1.5,
        namespace: 'CloudOps/Search',
        metric: 'QueryLatencyP95',
      },
    ],
    instances: [
      {
        id: 'i-0d8e4f5a6b7c80001',
        installed: 289,
        missing: 11,
        failed: 2,
        critical: 1,
        security: 3,
        scannedHoursAgo: 26,
        baselineId: BASELINE_LINUX,
      },
    ],
    backups: [
      // Outside AWS Backup and never snapshotted.
      {
        arn: arn(US, 'ec2', 'instance/i-0d8e4f5a6b7c80001'),
        method: 'none',
        intervalHours: 24,
      },
    ],
  },
  {
    ...US,
    tags: { app: 'storefront-assets' },
    alarms: [
      {
        name: 'storefront-assets-4xx',
        state: 'OK',
        reason:
          'Threshold Crossed: 1 datapoint [0.3] was not greater than the threshold (2.0).',
        changedHoursAgo: 48,
        namespace: 'AWS/S3',
        metric: '4xxErrors',
      },
    ],
    instances: [],
    backups: [
      {
        arn: arn(US, 's3', 'storefront-assets'),
        method: 'aws-backup',
        lastHoursAgo: 15,
        plan: DAILY,
        intervalHours: 24,
      },
    ],
  },
];

const PACKAGES = [
  'kernel',
  'openssl',
  'glibc',
  'curl',
  'sudo',
  'python3',
  'systemd',
  'bind-libs',
  'nss',
  'libxml2',
  'vim-minimal',
  'tzdata',
];

const UPDATE_KIND: Record<string, string> = {
  Security: 'security update',
  Bugfix: 'bug fix update',
  Enhancement: 'enhancement update',
};

/** Recovery points kept per resource, as the contract allows at most 30. */
const SANDBOX_RECOVERY_POINTS = 14;
/** The most recovery points a resource lists. */
const MAX_RECOVERY_POINTS = 30;

/**
 * The missing updates of a sandbox instance, consistent with its counts:
 * security updates rated Critical first, then other security updates, then
 * critical non-security ones, then a mix of bug fixes and enhancements.
 */
function sandboxPendingUpdates(
  instance: SandboxInstance,
  now: Date,
): PendingUpdate[] {
  const criticalSecurity = Math.min(instance.critical, instance.security);
  const kinds: Array<[string, string]> = [];
  for (let i = 0; i < criticalSecurity; i++)
    kinds.push(['Security', 'Critical']);
  for (let i = criticalSecurity; i < instance.security; i++)
    kinds.push(['Security', 'Important']);
  for (let i = criticalSecurity; i < instance.critical; i++)
    kinds.push(['Bugfix', 'Critical']);
  for (let i = 0; kinds.length < instance.missing; i++) {
    kinds.push(i % 3 === 0 ? ['Bugfix', 'Important'] : ['Enhancement', 'Low']);
  }
  const base = 100 + (hash(instance.id) % 600);
  return kinds
    .slice(0, instance.missing)
    .map(([classification, severity], i) => {
      const pkg = PACKAGES[(hash(instance.id) + i) % PACKAGES.length];
      const releasedDaysAgo = 2 + (hash(`${instance.id}/${i}`) % 40);
      return {
        id: `ALAS2-2026-${String(base + i * 7).padStart(4, '0')}`,
        title: `${pkg}: ${UPDATE_KIND[classification]}`,
        classification,
        severity,
        updateClass: classifyUpdate(classification, severity),
        releasedAt: new Date(
          now.getTime() - releasedDaysAgo * 24 * 3_600_000,
        ).toISOString(),
      };
    });
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * A healthy stack for a selector the fixed sandbox stacks do not cover. It
 * depends only on the location and the selector, so a provisioned stack looks
 * the same from its own Resource entity and from its owning component.
 */
function generatedStack(
  location: { accountId: string; region: string },
  selector: Record<string, string>,
): SandboxStack {
  const seed = `${location.accountId}/${location.region}/${JSON.stringify(
    Object.keys(selector)
      .sort()
      .map(k => [k, selector[k]]),
  )}`;
  const h = hash(seed).toString(16).padStart(8, '0');
  // The last part of an ARN or path reads best as an alarm name.
  const name = (Object.values(selector)[0] ?? 'stack')
    .split(/[/:]/)
    .pop()!
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 40);
  const tags = selector;
  const instanceId = `i-0${h}0000000`.slice(0, 19);
  return {
    ...location,
    tags,
    alarms: [
      {
        name: `${name}-cpu-high`,
        state: 'OK',
        reason:
          'Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).',
        changedHoursAgo: 24 + (hash(seed) % 48),
        namespace: 'AWS/EC2',
        metric: 'CPUUtilization',
      },
    ],
    instances: [
      {
        id: instanceId,
        installed: 300 + (hash(seed) % 100),
        missing: 0,
        failed: 0,
        critical: 0,
        security: 0,
        scannedHoursAgo: 6,
        baselineId: BASELINE_LINUX,
      },
    ],
    backups: [
      {
        arn: arn(location, 'ec2', `instance/${instanceId}`),
        method: 'aws-backup',
        lastHoursAgo: 10,
        plan: DAILY,
        intervalHours: 24,
      },
    ],
  };
}

/** @public */
export type SandboxOperationsReaderOptions = {
  now?: () => Date;
  /**
   * Stacks the sandbox Service Catalog has provisioned, with their AWS tags.
   * Those tagged `cloud-ops.io/entity-ref` get a generated healthy stack for
   * that entity, as the `aws` reader would find them by tag.
   */
  listProvisionedStacks?: () => Promise<
    Array<{
      tags: Array<{ Key: string; Value: string }>;
      account?: string;
      region?: string;
    }>
  >;
  /**
   * The sandbox account the settings gateways write, so the Operations tab
   * shows a stack's own maintenance window and its on-demand recovery points.
   */
  account?: SandboxAccountState;
};

/**
 * Serves operations data from a simulated account for local runs. It resolves
 * selectors against the sandbox stacks' tags exactly like the `aws` reader
 * resolves them against GetResources; every snapshot it produces is stored
 * with source `sandbox`.
 */
export class SandboxOperationsReader implements OperationsReader {
  readonly source = 'sandbox' as const;
  private readonly now: () => Date;

  constructor(private readonly options: SandboxOperationsReaderOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.startedAt = this.now().getTime();
  }

  /** Steady alarms changed state a fixed time before the reader started. */
  private readonly startedAt: number;

  async read(targets: OperationsTarget[]): Promise<OperationsReadResult[]> {
    const stacksByEntity = new Map<string, SandboxStack[]>();
    for (const target of targets) {
      const matches = SANDBOX_STACKS.filter(
        s =>
          s.accountId === target.accountId &&
          s.region === target.region &&
          Object.entries(target.selector).every(([k, v]) => s.tags[k] === v),
      );
      stacksByEntity.set(
        target.entityRef,
        matches.length ? matches : [generatedStack(target, target.selector)],
      );
    }
    for (const stack of (await this.options.listProvisionedStacks?.()) ?? []) {
      const owner = stack.tags.find(
        t => t.Key === RESERVED_AWS_TAGS.entityRef,
      )?.Value;
      if (!owner) continue;
      const ref = normalizeEntityRef(owner);
      const arnTag = stack.tags.find(
        t => t.Key === PROVISIONED_PRODUCT_ARN_TAG,
      );
      // The stack as its own entity selects it by this tag; use the same selector.
      const selector = arnTag
        ? { [arnTag.Key]: arnTag.Value }
        : Object.fromEntries(
            stack.tags
              .filter(t => t.Key !== RESERVED_AWS_TAGS.entityRef)
              .map(t => [t.Key, t.Value]),
          );
      const location = {
        accountId: stack.account ?? '111122223333',
        region: stack.region ?? 'eu-west-1',
      };
      stacksByEntity.set(ref, [
        ...(stacksByEntity.get(ref) ?? []),
        generatedStack(location, selector),
      ]);
    }

    const results: OperationsReadResult[] = [];
    for (const [entityRef, stacks] of stacksByEntity) {
      const window = this.options.account?.maintenanceWindowFor(entityRef);
      const onDemand =
        this.options.account?.onDemandRecoveryPoints(entityRef) ?? [];
      results.push(
        {
          entityRef,
          kind: 'alarms',
          ok: true,
          payload: { alarms: stacks.flatMap(s => this.alarms(s)) },
        },
        {
          entityRef,
          kind: 'patch',
          ok: true,
          payload: {
            instances: stacks.flatMap(s => this.instances(s, window)),
            unmanagedInstanceIds: [],
          },
        },
        {
          entityRef,
          kind: 'backups',
          ok: true,
          payload: {
            resources: stacks
              .flatMap(s => this.backups(s))
              .map(r => this.withOnDemand(r, onDemand)),
          },
        },
      );
    }
    return results;
  }

  private ago(hours: number): string {
    return new Date(this.now().getTime() - hours * 3_600_000).toISOString();
  }

  /** State, reason and time of the last change of a sandbox alarm, now. */
  private alarmState(a: SandboxAlarm) {
    if (!a.flapping) {
      return {
        state: a.state,
        reason: a.reason,
        stateUpdatedAt: new Date(
          this.startedAt - a.changedHoursAgo * 3_600_000,
        ).toISOString(),
      };
    }
    const { everyMinutes, forMinutes, okReason } = a.flapping;
    const now = this.now().getTime();
    const period = everyMinutes * 60_000;
    const periodStart = now - (now % period);
    const firing = now - periodStart < forMinutes * 60_000;
    return {
      state: firing ? a.state : ('OK' as const),
      reason: firing ? a.reason : okReason,
      stateUpdatedAt: new Date(
        firing ? periodStart : periodStart + forMinutes * 60_000,
      ).toISOString(),
    };
  }

  private alarms(stack: SandboxStack): AlarmSummary[] {
    return stack.alarms.map(a => ({
      name: a.name,
      arn: arn(stack, 'cloudwatch', `alarm:${a.name}`),
      ...this.alarmState(a),
      metric: { namespace: a.namespace, name: a.metric },
      consoleUrl: `https://${
        stack.region
      }.console.aws.amazon.com/cloudwatch/home?region=${
        stack.region
      }#alarmsV2:alarm/${encodeURIComponent(a.name)}`,
    }));
  }

  /** `window` is the stack's own one, set by RFC; else the Central IT one. */
  private instances(
    stack: SandboxStack,
    window?: MaintenanceWindowSummary,
  ): InstancePatchState[] {
    return stack.instances.map(i => ({
      instanceId: i.id,
      installed: i.installed,
      missing: i.missing,
      failed: i.failed,
      criticalMissing: i.critical,
      securityMissing: i.security,
      lastScanAt: this.ago(i.scannedHoursAgo),
      baselineId: i.baselineId,
      maintenanceWindow: window ?? {
        ...WINDOW,
        nextExecutionAt: this.nextWindow(),
      },
      pendingUpdates: sandboxPendingUpdates(i, this.now()),
      compliant: i.missing === 0 && i.failed === 0,
    }));
  }

  private backups(stack: SandboxStack): ResourceBackupState[] {
    return stack.backups.map(b => {
      const p = b.arn.split(':');
      return {
        resourceArn: b.arn,
        resourceType: `${p[2]}:${
          p.slice(5).join(':').split(/[/:]/)[0] || 'bucket'
        }`,
        method: b.method,
        lastRecoveryPoint:
          b.lastHoursAgo === undefined
            ? undefined
            : {
                id: `${b.arn}/recovery-point-${Math.floor(b.lastHoursAgo)}`,
                completedAt: this.ago(b.lastHoursAgo),
                ageHours: b.lastHoursAgo,
              },
        recoveryPoints: this.recoveryPoints(b),
        plan: b.plan ? { id: `plan-${b.plan.name}`, ...b.plan } : undefined,
        expectedIntervalHours: b.intervalHours,
        overdue:
          b.lastHoursAgo === undefined ||
          b.lastHoursAgo > b.intervalHours * 1.5,
      };
    });
  }

  /**
   * The resource with the stack's on-demand recovery points among its own,
   * its last recovery point and overdue flag following the newest.
   */
  private withOnDemand(
    resource: ResourceBackupState,
    onDemand: RecoveryPointSummary[],
  ): ResourceBackupState {
    if (!onDemand.length) return resource;
    const recoveryPoints = [...onDemand, ...(resource.recoveryPoints ?? [])]
      .sort((a, b) => b.completedAt.localeCompare(a.completedAt))
      .slice(0, MAX_RECOVERY_POINTS);
    const newest = onDemand.find(p => p.status === 'COMPLETED');
    const last = resource.lastRecoveryPoint;
    if (!newest || (last && last.completedAt >= newest.completedAt)) {
      return { ...resource, recoveryPoints };
    }
    const ageHours =
      (this.now().getTime() - Date.parse(newest.completedAt)) / 3_600_000;
    return {
      ...resource,
      recoveryPoints,
      lastRecoveryPoint: {
        id: newest.id,
        completedAt: newest.completedAt,
        ageHours: Math.round(ageHours * 10) / 10,
      },
      // The aws reader's half an interval of grace.
      overdue: ageHours > resource.expectedIntervalHours * 1.5,
    };
  }

  /**
   * A backup series at the resource's interval going back about two weeks
   * from its last good recovery point, newest first, with one failed run.
   */
  private recoveryPoints(b: SandboxBackup): RecoveryPointSummary[] {
    if (b.lastHoursAgo === undefined) return [];
    const failedAt = 2 + (hash(b.arn) % (SANDBOX_RECOVERY_POINTS - 3));
    const points: RecoveryPointSummary[] = [];
    for (let k = 0; k < SANDBOX_RECOVERY_POINTS; k++) {
      const hoursAgo = b.lastHoursAgo + k * b.intervalHours;
      points.push({
        id: `${b.arn}/recovery-point-${Math.floor(hoursAgo)}`,
        completedAt: this.ago(hoursAgo),
        status: k === failedAt ? 'FAILED' : 'COMPLETED',
        origin: 'scheduled',
        ...(k === failedAt
          ? {}
          : { sizeBytes: (8 + (hash(`${b.arn}/${k}`) % 4)) * 1024 ** 3 }),
      });
    }
    return points;
  }

  /** The second Sunday of next month at 02:00 UTC, as the sandbox window's cron says. */
  private nextWindow(): string {
    const now = this.now();
    for (let offset = 0; offset < 2; offset++) {
      const first = new Date(
        Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1, 2),
      );
      const firstSunday = 1 + ((7 - first.getUTCDay()) % 7);
      const second = new Date(
        Date.UTC(
          first.getUTCFullYear(),
          first.getUTCMonth(),
          firstSunday + 7,
          2,
        ),
      );
      if (second > now) return second.toISOString();
    }
    return now.toISOString();
  }
}
