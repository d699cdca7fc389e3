import { BackupClient, GetBackupPlanCommand } from '@aws-sdk/client-backup';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeMaintenanceWindowsCommand,
  GetPatchBaselineCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../aws';
import { AwsSettingsReader } from './AwsSettingsReader';

const ssm = mockClient(SSMClient);
const backup = mockClient(BackupClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const A = { account: '111122223333', region: 'eu-west-1' };
const B = { account: '444455556666', region: 'us-east-1' };
const orders = {
  ...A,
  entityRef: 'resource:default/orders-db',
  selector: { app: 'orders' },
};
const web = {
  ...A,
  entityRef: 'resource:default/web',
  selector: { app: 'web' },
};
const bare = {
  ...A,
  entityRef: 'resource:default/bare',
  selector: { app: 'bare' },
};
const far = {
  ...B,
  entityRef: 'resource:default/far',
  selector: { app: 'far' },
};

const WINDOW_ARN =
  'arn:aws:ssm:eu-west-1:111122223333:maintenancewindow/mw-0123456789abcdef0';
const BASELINE_ARN =
  'arn:aws:ssm:eu-west-1:111122223333:patchbaseline/pb-0123456789abcdef0';
const PLAN_ARN = 'arn:aws:backup:eu-west-1:111122223333:backup-plan:plan-1';

const tags = (t: Record<string, string>) =>
  Object.entries(t).map(([Key, Value]) => ({ Key, Value }));

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

const reader = () =>
  new AwsSettingsReader(clients(), {
    now: () => new Date('2026-06-01T00:00:00Z'),
  });

async function regionsOf(mock: { commandCalls: Function }, command: unknown) {
  return Promise.all(
    mock
      .commandCalls(command)
      .map((c: any) => (c.thisValue as SSMClient).config.region()),
  );
}

/** Location A holds a window and baseline for orders-db and a plan for web. */
function locationA() {
  tagging
    .on(GetResourcesCommand, { PaginationToken: undefined })
    .callsFake(async (_input, getClient) => {
      if ((await getClient().config.region()) !== 'eu-west-1') {
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
        });
      }
      return {
        ResourceTagMappingList: [
          {
            ResourceARN: WINDOW_ARN,
            Tags: tags({
              'cloud-ops.io/entity-ref': 'Resource:default/Orders-DB',
              'cloud-ops.io/rfc': 'RFC-000012',
              'cloud-ops.io/patching-excluded-until': '2026-06-30',
            }),
          },
          {
            ResourceARN:
              'arn:aws:ssm:eu-west-1:111122223333:maintenancewindow/mw-unrequested',
            Tags: tags({
              'cloud-ops.io/entity-ref': 'resource:default/someone-else',
            }),
          },
        ],
        PaginationToken: 'page-2',
      };
    });
  tagging.on(GetResourcesCommand, { PaginationToken: 'page-2' }).resolves({
    ResourceTagMappingList: [
      {
        ResourceARN: BASELINE_ARN,
        Tags: tags({
          'cloud-ops.io/entity-ref': 'resource:default/orders-db',
          'cloud-ops.io/rfc': 'RFC-000015',
        }),
      },
      {
        ResourceARN: PLAN_ARN,
        Tags: tags({
          'cloud-ops.io/entity-ref': 'resource:default/web',
          'cloud-ops.io/rfc': 'RFC-000020',
        }),
      },
    ],
    PaginationToken: '',
  });
  ssm
    .on(DescribeMaintenanceWindowsCommand, { NextToken: undefined })
    .resolves({
      WindowIdentities: [{ WindowId: 'mw-unrequested', Name: 'x' }],
      NextToken: 'w2',
    })
    .on(DescribeMaintenanceWindowsCommand, { NextToken: 'w2' })
    .resolves({
      WindowIdentities: [
        {
          WindowId: 'mw-0123456789abcdef0',
          Name: 'ops-patch-resource-default-orders-db',
          Schedule: 'cron(0 3 ? * TUE#2 *)',
          Enabled: false,
        },
      ],
    });
  ssm.on(GetPatchBaselineCommand).resolves({
    BaselineId: 'pb-0123456789abcdef0',
    RejectedPatches: ['KB5039212', 'ALAS2023-2026-0412'],
  });
  backup.on(GetBackupPlanCommand).resolves({
    BackupPlanId: 'plan-1',
    BackupPlan: {
      BackupPlanName: 'ops-resource-default-web',
      Rules: [
        {
          RuleName: 'ops-every-12-hours',
          TargetBackupVaultName: 'Default',
          ScheduleExpression: 'cron(30 1/12 ? * * *)',
          Lifecycle: { DeleteAfterDays: 14 },
        },
      ],
    },
  });
}

beforeEach(() => {
  ssm.reset();
  backup.reset();
  tagging.reset();
});

describe('AwsSettingsReader', () => {
  it('reads the settings of many stacks with one scan per location, and one failing location fails only its stacks', async () => {
    locationA();

    const results = await reader().readSettings([orders, web, bare, far]);

    expect([...results.keys()].sort()).toEqual([
      'resource:default/bare',
      'resource:default/far',
      'resource:default/orders-db',
      'resource:default/web',
    ]);
    expect(results.get('resource:default/orders-db')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: {
          id: 'mw-0123456789abcdef0',
          name: 'ops-patch-resource-default-orders-db',
          schedule: 'cron(0 3 ? * TUE#2 *)',
          window: {
            week: 2,
            weekday: 'TUE',
            startTime: '03:00',
            durationHours: 1,
          },
          enabled: false,
          excludedUntil: '2026-06-30',
          rfcId: 'RFC-000012',
        },
        rejectedUpdates: [
          {
            updateId: 'KB5039212',
            baselineId: 'pb-0123456789abcdef0',
            rfcId: 'RFC-000015',
          },
          {
            updateId: 'ALAS2023-2026-0412',
            baselineId: 'pb-0123456789abcdef0',
            rfcId: 'RFC-000015',
          },
        ],
        backupPlan: null,
      },
    });
    expect(results.get('resource:default/web')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: {
          id: 'plan-1',
          name: 'ops-resource-default-web',
          schedule: 'cron(30 1/12 ? * * *)',
          backupSchedule: {
            frequency: 'every-12-hours',
            startTime: '01:30',
            retentionDays: 14,
          },
          rfcId: 'RFC-000020',
        },
      },
    });
    expect(results.get('resource:default/bare')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: null,
      },
    });
    expect(results.get('resource:default/far')).toEqual({
      ok: false,
      error:
        'tag:GetResources in 444455556666/us-east-1 failed: ThrottlingException: Rate exceeded (AWS throttled the call; try again later)',
    });

    expect(tagging.commandCalls(GetResourcesCommand)[0].args[0].input).toEqual({
      TagFilters: [{ Key: 'cloud-ops.io/entity-ref' }],
      ResourceTypeFilters: [
        'ssm:maintenancewindow',
        'ssm:patchbaseline',
        'backup:backup-plan',
      ],
      ResourcesPerPage: 100,
      PaginationToken: undefined,
    });
    expect((await regionsOf(tagging, GetResourcesCommand)).sort()).toEqual([
      'eu-west-1',
      'eu-west-1',
      'us-east-1',
    ]);
    expect(await regionsOf(ssm, DescribeMaintenanceWindowsCommand)).toEqual([
      'eu-west-1',
      'eu-west-1',
    ]);
    expect(ssm).toHaveReceivedCommandTimes(GetPatchBaselineCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetPatchBaselineCommand, {
      BaselineId: 'pb-0123456789abcdef0',
    });
    expect(backup).toHaveReceivedCommandTimes(GetBackupPlanCommand, 1);
    expect(backup).toHaveReceivedCommandWith(GetBackupPlanCommand, {
      BackupPlanId: 'plan-1',
    });
  });

  it('fails only the stack whose detail call fails, naming the call', async () => {
    locationA();
    ssm
      .on(GetPatchBaselineCommand)
      .rejects(
        Object.assign(new Error('not authorized'), {
          name: 'AccessDeniedException',
        }),
      );

    const results = await reader().readSettings([orders, web]);

    expect(results.get('resource:default/orders-db')).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^ssm:GetPatchBaseline in 111122223333\/eu-west-1 failed: AccessDeniedException: not authorized/,
      ),
    });
    expect(results.get('resource:default/web')).toMatchObject({
      ok: true,
      settings: { backupPlan: { id: 'plan-1' } },
    });
  });

  it('fails the stacks with a window when DescribeMaintenanceWindows fails, not the others', async () => {
    locationA();
    ssm
      .on(DescribeMaintenanceWindowsCommand)
      .rejects(
        Object.assign(new Error('boom'), { name: 'InternalServerError' }),
      );

    const results = await reader().readSettings([orders, web]);

    expect(results.get('resource:default/orders-db')).toEqual({
      ok: false,
      error:
        'ssm:DescribeMaintenanceWindows in 111122223333/eu-west-1 failed: InternalServerError: boom',
    });
    expect(results.get('resource:default/web')?.ok).toBe(true);
  });

  it('treats a baseline deleted since the scan as gone and works out the next window when AWS gives none', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: WINDOW_ARN,
          Tags: tags({ 'cloud-ops.io/entity-ref': orders.entityRef }),
        },
        {
          ResourceARN: BASELINE_ARN,
          Tags: tags({ 'cloud-ops.io/entity-ref': orders.entityRef }),
        },
      ],
    });
    ssm.on(DescribeMaintenanceWindowsCommand).resolves({
      WindowIdentities: [
        {
          WindowId: 'mw-0123456789abcdef0',
          Name: 'ops-patch-resource-default-orders-db',
          Schedule: 'cron(0 3 ? * TUE#2 *)',
          Enabled: true,
        },
      ],
    });
    ssm
      .on(GetPatchBaselineCommand)
      .rejects(
        Object.assign(new Error('gone'), { name: 'DoesNotExistException' }),
      );

    const results = await reader().readSettings([orders]);

    expect(results.get('resource:default/orders-db')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: expect.objectContaining({
          enabled: true,
          nextExecutionAt: '2026-06-09T03:00:00.000Z',
        }),
        rejectedUpdates: [],
        backupPlan: null,
      },
    });
  });

  it('takes the next execution AWS gives, and reads no details when nothing is found', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });

    const results = await reader().readSettings([orders]);

    expect(results.get('resource:default/orders-db')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: null,
      },
    });
    expect(ssm.calls()).toHaveLength(0);
    expect(backup.calls()).toHaveLength(0);

    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: WINDOW_ARN,
          Tags: tags({ 'cloud-ops.io/entity-ref': orders.entityRef }),
        },
      ],
    });
    ssm.on(DescribeMaintenanceWindowsCommand).resolves({
      WindowIdentities: [
        {
          WindowId: 'mw-0123456789abcdef0',
          Name: 'custom',
          Schedule: 'rate(7 days)',
          Enabled: true,
          NextExecutionTime: '2026-06-03T10:00Z',
        },
      ],
    });
    const again = await reader().readSettings([orders]);
    expect(again.get('resource:default/orders-db')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: {
          id: 'mw-0123456789abcdef0',
          name: 'custom',
          schedule: 'rate(7 days)',
          enabled: true,
          nextExecutionAt: '2026-06-03T10:00:00.000Z',
        },
        rejectedUpdates: [],
        backupPlan: null,
      },
    });
  });
});
