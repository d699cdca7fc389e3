import type { Entity } from '@backstage/catalog-model';
import type {
  EntityOperations,
  RaciConfig,
  Rfc,
} from '@cloud-ops/plugin-ops-common';

export const NOW = new Date('2026-03-02T12:00:00Z');
const hoursAgo = (h: number) =>
  new Date(NOW.getTime() - h * 3_600_000).toISOString();

export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'cloud-ops.io/aws-tag-selector': 'app=payments-api',
      'cloud-ops.io/aws-account': '111122223333',
      'cloud-ops.io/aws-region': 'eu-west-1',
    },
  },
  spec: { type: 'service', owner: 'group:default/payments' },
};

export function entityOperations(
  overrides: Partial<EntityOperations> = {},
): EntityOperations {
  return {
    entityRef: 'component:default/payments-api',
    alarms: {
      source: 'sandbox',
      refreshedAt: hoursAgo(0.2),
      stale: false,
      data: {
        alarms: [
          {
            name: 'payments-api-5xx',
            arn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-5xx',
            state: 'ALARM',
            reason: 'Threshold crossed: 12 errors in 5 minutes',
            stateUpdatedAt: hoursAgo(2),
            consoleUrl: 'https://console.example/alarm/payments-api-5xx',
          },
          {
            name: 'payments-api-latency',
            arn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-latency',
            state: 'OK',
            reason: 'Within threshold',
            stateUpdatedAt: hoursAgo(30),
            consoleUrl: 'https://console.example/alarm/payments-api-latency',
          },
          {
            name: 'payments-api-cpu',
            arn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-cpu',
            state: 'INSUFFICIENT_DATA',
            reason: 'No datapoints for 3 periods',
            stateUpdatedAt: hoursAgo(1),
            consoleUrl: 'https://console.example/alarm/payments-api-cpu',
          },
        ],
      },
    },
    patch: {
      source: 'sandbox',
      refreshedAt: hoursAgo(0.2),
      stale: false,
      data: {
        instances: [
          {
            instanceId: 'i-0aaa',
            installed: 120,
            missing: 0,
            failed: 0,
            criticalMissing: 0,
            securityMissing: 0,
            lastScanAt: hoursAgo(5),
            compliant: true,
            maintenanceWindow: {
              id: 'mw-1',
              name: 'Sunday patching',
              nextExecutionAt: '2026-03-08T02:00:00Z',
            },
          },
          {
            instanceId: 'i-0bbb',
            installed: 110,
            missing: 4,
            failed: 0,
            criticalMissing: 2,
            securityMissing: 3,
            lastScanAt: hoursAgo(3),
            compliant: false,
            pendingUpdates: [
              {
                id: 'ALAS2-2026-101',
                title: 'kernel: privilege escalation (CVE-2026-0101)',
                classification: 'Security',
                severity: 'Critical',
                updateClass: 'critical-security',
                releasedAt: hoursAgo(20),
              },
              {
                id: 'ALAS2-2026-097',
                title: 'openssl: denial of service (CVE-2026-0097)',
                classification: 'Security',
                severity: 'Important',
                updateClass: 'important',
                releasedAt: hoursAgo(100),
              },
              {
                id: 'ALAS2-2026-090',
                title: 'glibc: heap overflow in iconv',
                classification: 'Security',
                severity: 'Important',
                updateClass: 'important',
                releasedAt: hoursAgo(300),
              },
              {
                id: 'ALAS2-2026-085',
                title: 'tzdata: 2026a time zone rules',
                classification: 'Bugfix',
                severity: 'Low',
                updateClass: 'other',
                releasedAt: hoursAgo(400),
              },
            ],
          },
        ],
        unmanagedInstanceIds: ['i-0ccc'],
      },
    },
    backups: {
      source: 'sandbox',
      refreshedAt: hoursAgo(0.2),
      stale: false,
      data: {
        resources: [
          {
            resourceArn: 'arn:aws:rds:eu-west-1:111122223333:db:payments-db',
            resourceType: 'RDS',
            method: 'aws-backup',
            lastRecoveryPoint: {
              id: 'rp-1',
              completedAt: hoursAgo(30),
              ageHours: 30,
            },
            recoveryPoints: [
              {
                id: 'rp-1',
                completedAt: hoursAgo(30),
                status: 'COMPLETED',
                origin: 'scheduled',
                sizeBytes: 5_368_709_120,
              },
              {
                id: 'rp-0b',
                completedAt: hoursAgo(40),
                status: 'COMPLETED',
                origin: 'on-demand',
                sizeBytes: 5_300_000_000,
              },
              {
                id: 'rp-0a',
                completedAt: hoursAgo(54),
                status: 'FAILED',
                origin: 'scheduled',
              },
              {
                id: 'rp-09',
                completedAt: hoursAgo(78),
                status: 'COMPLETED',
                origin: 'scheduled',
                sizeBytes: 5_200_000_000,
              },
            ],
            plan: {
              id: 'plan-1',
              name: 'daily',
              schedule: 'cron(0 2 * * ? *)',
            },
            expectedIntervalHours: 24,
            overdue: true,
          },
        ],
      },
    },
    tagCompliance: {
      compliant: false,
      violations: [
        {
          rule: 'required-tag',
          key: 'data-classification',
          message: 'Tag data-classification is required',
          severity: 'error',
        },
      ],
    },
    recentRfcs: {
      available: true,
      items: [
        {
          id: 'RFC-000007',
          title: 'Restore payments-db',
          status: 'PendingApproval',
          updatedAt: hoursAgo(1),
        },
      ],
    },
    settings: {
      maintenanceWindow: {
        week: 2,
        weekday: 'TUE',
        startTime: '03:00',
        durationHours: 1,
        rfcId: 'RFC-000003',
        at: hoursAgo(24 * 20),
      },
      nextMaintenanceAt: '2026-03-10T03:00:00.000Z',
      patchingExclusion: null,
      rejectedUpdates: [
        {
          updateId: 'ALAS2-2026-060',
          rfcId: 'RFC-000005',
          at: hoursAgo(24 * 6),
        },
      ],
      backupSchedule: {
        frequency: 'daily',
        startTime: '02:00',
        retentionDays: 35,
        rfcId: 'RFC-000004',
        at: hoursAgo(24 * 15),
      },
    },
    // What the sandbox holds: what the RFCs above set, tagged with them.
    settingsInForce: {
      source: 'sandbox',
      refreshedAt: hoursAgo(0.2),
      stale: false,
      data: {
        maintenanceWindow: {
          id: 'mw-0123456789abcdef0',
          name: 'cloud-ops-payments-api',
          schedule: 'cron(0 3 ? * TUE#2 *)',
          window: {
            week: 2,
            weekday: 'TUE',
            startTime: '03:00',
            durationHours: 1,
          },
          enabled: true,
          nextExecutionAt: '2026-03-10T03:00:00.000Z',
          rfcId: 'RFC-000003',
        },
        rejectedUpdates: [
          {
            updateId: 'ALAS2-2026-060',
            baselineId: 'pb-0123456789abcdef0',
            rfcId: 'RFC-000005',
          },
        ],
        backupPlan: {
          id: 'plan-payments-api',
          name: 'cloud-ops-payments-api',
          schedule: 'cron(0 2 ? * * *)',
          backupSchedule: {
            frequency: 'daily',
            startTime: '02:00',
            retentionDays: 35,
          },
          rfcId: 'RFC-000004',
        },
        drift: [],
      },
    },
    incidents: {
      available: true,
      items: [
        {
          id: 'INC-000012',
          entityRef: 'component:default/payments-api',
          ownerGroup: 'group:default/payments',
          alarmArn:
            'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-5xx',
          alarmName: 'payments-api-5xx',
          reason: 'Threshold crossed: 12 errors in 5 minutes',
          priority: 'P2',
          priorityRule: 'production-5xx',
          status: 'Open',
          openedAt: hoursAgo(2),
          consoleUrl: 'https://console.example/alarm/payments-api-5xx',
        },
        {
          id: 'INC-000010',
          entityRef: 'component:default/payments-api',
          ownerGroup: 'group:default/payments',
          alarmArn:
            'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-latency',
          alarmName: 'payments-api-latency',
          reason: 'Threshold crossed: p99 latency 2.4 s',
          priority: 'P3',
          priorityRule: 'default',
          status: 'Resolved',
          openedAt: hoursAgo(50),
          resolvedAt: hoursAgo(49.25),
          resolvedBy: 'system',
          resolution: 'alarm-cleared',
        },
        {
          id: 'INC-000008',
          entityRef: 'component:default/payments-api',
          ownerGroup: 'group:default/payments',
          alarmArn:
            'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-5xx',
          alarmName: 'payments-api-5xx',
          reason: 'Threshold crossed: 40 errors in 5 minutes',
          priority: 'P1',
          priorityRule: 'production-5xx',
          status: 'Resolved',
          openedAt: hoursAgo(120),
          resolvedAt: hoursAgo(117),
          resolvedBy: 'user:default/omar',
          resolution: 'manual',
          resolutionNotes: 'Rolled back release 2.14.',
          problemId: 'PRB-000002',
        },
      ],
    },
    ...overrides,
  };
}

/** What `GET /raci` answers: the matrix as it ships, for the demo Central IT group. */
export function raciConfig(overrides: Partial<RaciConfig> = {}): RaciConfig {
  return {
    centralItGroup: 'group:default/central-it',
    overrides: null,
    ...overrides,
  };
}

export function rfc(overrides: Partial<Rfc> = {}): Rfc {
  return {
    id: 'RFC-000007',
    changeTypeId: 'restore-stack-from-snapshot',
    changeTypeVersion: '1.0',
    title: 'Restore payments-db',
    description: "Restore last night's snapshot next to the original.",
    targetEntityRef: 'component:default/payments-api',
    parameters: { snapshotId: 'snap-0123' },
    ownerGroup: 'group:default/payments',
    origin: 'user',
    requester: 'user:default/ana',
    approvalRule: 'by-origin',
    approverGroup: 'group:default/central-it',
    implementationPlan: 'Provision the restore product.',
    testPlan: 'Check the rows.',
    rollbackPlan: 'Terminate the restored stack.',
    risk: 'high',
    status: 'PendingApproval',
    approvals: [],
    automation: 'automated',
    attempt: 0,
    createdAt: hoursAgo(2),
    updatedAt: hoursAgo(1),
    version: 2,
    ...overrides,
  };
}
