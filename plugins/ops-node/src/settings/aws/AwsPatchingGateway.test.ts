import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  AddTagsToResourceCommand,
  CreateMaintenanceWindowCommand,
  CreatePatchBaselineCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
  DescribeMaintenanceWindowTasksCommand,
  DescribePatchBaselinesCommand,
  GetPatchBaselineCommand,
  ListCommandsCommand,
  ListTagsForResourceCommand,
  RegisterPatchBaselineForPatchGroupCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  RemoveTagsFromResourceCommand,
  SendCommandCommand,
  SSMClient,
  UpdateMaintenanceWindowCommand,
  UpdatePatchBaselineCommand,
} from '@aws-sdk/client-ssm';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../aws';
import { AwsPatchingGateway } from './AwsPatchingGateway';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const stack = {
  account: '111122223333',
  region: 'eu-west-1',
  entityRef: 'resource:default/orders-db',
  selector: { app: 'orders', env: 'prod' },
};
const stamp = { rfcId: 'RFC-000042', attempt: 1, token: 'ops-RFC-000042-a1' };
const window = {
  week: 3 as const,
  weekday: 'THU' as const,
  startTime: '22:00',
  durationHours: 1,
};
const WINDOW_NAME = 'ops-patch-resource-default-orders-db';
const BASELINE_NAME = 'ops-resource-default-orders-db';
const stampTags = [
  { Key: 'cloud-ops.io/entity-ref', Value: 'resource:default/orders-db' },
  { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
];
const instanceArn = (id: string) =>
  `arn:aws:ec2:eu-west-1:111122223333:instance/${id}`;

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

const gateway = (now = '2026-06-01T00:00:00Z') =>
  new AwsPatchingGateway(clients(), { now: () => new Date(now) });

const inputs = <T>(mock: { commandCalls: Function }, command: T) =>
  mock.commandCalls(command).map((c: any) => c.args[0].input);

/** An existing window of the stack, as DescribeMaintenanceWindows shows it. */
function existingWindow(
  identity: Record<string, unknown>,
  tags: Record<string, string>,
) {
  ssm.on(DescribeMaintenanceWindowsCommand).resolves({
    WindowIdentities: [
      {
        WindowId: 'mw-0123456789abcdef0',
        Name: WINDOW_NAME,
        Schedule: 'cron(0 3 ? * TUE#2 *)',
        ScheduleTimezone: 'UTC',
        Duration: 1,
        Cutoff: 0,
        Enabled: true,
        ...identity,
      },
    ],
  });
  ssm.on(ListTagsForResourceCommand).resolves({
    TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
}

function targetAndTaskRegistered() {
  ssm
    .on(DescribeMaintenanceWindowTargetsCommand)
    .resolves({ Targets: [{ WindowTargetId: 'wt-1', Name: 'ops-instances' }] });
  ssm
    .on(DescribeMaintenanceWindowTasksCommand)
    .resolves({
      Tasks: [{ WindowTaskId: 'task-1', Name: 'ops-run-patch-baseline' }],
    });
}

beforeEach(() => {
  ssm.reset();
  ec2.reset();
  tagging.reset();
});

describe('AwsPatchingGateway.setMaintenanceWindow', () => {
  function noWindowYet() {
    ssm
      .on(DescribeMaintenanceWindowsCommand, { NextToken: undefined })
      .resolves({
        WindowIdentities: [{ WindowId: 'mw-other', Name: 'someone-else' }],
        NextToken: 'page-2',
      })
      .on(DescribeMaintenanceWindowsCommand, { NextToken: 'page-2' })
      .resolves({ WindowIdentities: [] });
    ssm
      .on(CreateMaintenanceWindowCommand)
      .resolves({ WindowId: 'mw-0123456789abcdef0' });
    ssm
      .on(RegisterTargetWithMaintenanceWindowCommand)
      .resolves({ WindowTargetId: 'wt-1' });
    ssm
      .on(RegisterTaskWithMaintenanceWindowCommand)
      .resolves({ WindowTaskId: 'task-1' });
  }

  it('creates window, target and task with the stamp token, after following the pages', async () => {
    noWindowYet();

    const result = await gateway().setMaintenanceWindow({
      stack,
      window,
      stamp,
    });

    expect(result).toEqual({
      windowId: 'mw-0123456789abcdef0',
      schedule: 'cron(0 22 ? * THU#3 *)',
      created: true,
    });
    expect(inputs(ssm, DescribeMaintenanceWindowsCommand)).toEqual([
      {
        Filters: [{ Key: 'Name', Values: [WINDOW_NAME] }],
        MaxResults: 100,
        NextToken: undefined,
      },
      {
        Filters: [{ Key: 'Name', Values: [WINDOW_NAME] }],
        MaxResults: 100,
        NextToken: 'page-2',
      },
    ]);
    expect(inputs(ssm, CreateMaintenanceWindowCommand)).toEqual([
      {
        Name: WINDOW_NAME,
        Description: 'Patching of resource:default/orders-db',
        Schedule: 'cron(0 22 ? * THU#3 *)',
        ScheduleTimezone: 'UTC',
        Duration: 1,
        Cutoff: 0,
        AllowUnassociatedTargets: false,
        ClientToken: 'ops-RFC-000042-a1',
        Tags: stampTags,
      },
    ]);
    expect(inputs(ssm, RegisterTargetWithMaintenanceWindowCommand)).toEqual([
      {
        WindowId: 'mw-0123456789abcdef0',
        ResourceType: 'INSTANCE',
        Targets: [
          { Key: 'tag:app', Values: ['orders'] },
          { Key: 'tag:env', Values: ['prod'] },
        ],
        Name: 'ops-instances',
        ClientToken: 'ops-RFC-000042-a1-target',
      },
    ]);
    expect(inputs(ssm, RegisterTaskWithMaintenanceWindowCommand)).toEqual([
      {
        WindowId: 'mw-0123456789abcdef0',
        Name: 'ops-run-patch-baseline',
        TaskType: 'RUN_COMMAND',
        TaskArn: 'AWS-RunPatchBaseline',
        Targets: [{ Key: 'WindowTargetIds', Values: ['wt-1'] }],
        TaskInvocationParameters: {
          RunCommand: {
            Parameters: {
              Operation: ['Install'],
              RebootOption: ['RebootIfNeeded'],
            },
          },
        },
        Priority: 1,
        MaxConcurrency: '20%',
        MaxErrors: '10%',
        ClientToken: 'ops-RFC-000042-a1-task',
      },
    ]);
    expect(ssm).not.toHaveReceivedCommand(UpdateMaintenanceWindowCommand);
    expect(ssm).not.toHaveReceivedCommand(
      DescribeMaintenanceWindowTargetsCommand,
    );
  });

  it('sends the same tokens when the same stamp comes again', async () => {
    noWindowYet();
    await gateway().setMaintenanceWindow({ stack, window, stamp });
    await gateway().setMaintenanceWindow({ stack, window, stamp });

    const tokens = (command: unknown) =>
      inputs(ssm, command).map((i: any) => i.ClientToken);
    expect(tokens(CreateMaintenanceWindowCommand)).toEqual([
      'ops-RFC-000042-a1',
      'ops-RFC-000042-a1',
    ]);
    expect(tokens(RegisterTargetWithMaintenanceWindowCommand)).toEqual([
      'ops-RFC-000042-a1-target',
      'ops-RFC-000042-a1-target',
    ]);
    expect(tokens(RegisterTaskWithMaintenanceWindowCommand)).toEqual([
      'ops-RFC-000042-a1-task',
      'ops-RFC-000042-a1-task',
    ]);
  });

  it('updates an existing window, retags it with the RFC and registers the missing task', async () => {
    existingWindow(
      {},
      {
        'cloud-ops.io/entity-ref': 'Resource:default/Orders-DB',
        'cloud-ops.io/rfc': 'RFC-000007',
      },
    );
    ssm
      .on(DescribeMaintenanceWindowTargetsCommand, { NextToken: undefined })
      .resolves({
        Targets: [{ WindowTargetId: 'wt-other', Name: 'x' }],
        NextToken: 't2',
      })
      .on(DescribeMaintenanceWindowTargetsCommand, { NextToken: 't2' })
      .resolves({
        Targets: [{ WindowTargetId: 'wt-1', Name: 'ops-instances' }],
      });
    ssm.on(DescribeMaintenanceWindowTasksCommand).resolves({ Tasks: [] });
    ssm
      .on(RegisterTaskWithMaintenanceWindowCommand)
      .resolves({ WindowTaskId: 't' });

    const result = await gateway().setMaintenanceWindow({
      stack,
      window,
      stamp,
    });

    expect(result).toEqual({
      windowId: 'mw-0123456789abcdef0',
      schedule: 'cron(0 22 ? * THU#3 *)',
      created: false,
    });
    expect(ssm).not.toHaveReceivedCommand(CreateMaintenanceWindowCommand);
    expect(inputs(ssm, UpdateMaintenanceWindowCommand)).toEqual([
      {
        WindowId: 'mw-0123456789abcdef0',
        Schedule: 'cron(0 22 ? * THU#3 *)',
        ScheduleTimezone: 'UTC',
        Duration: 1,
        Cutoff: 0,
        Enabled: true,
      },
    ]);
    expect(inputs(ssm, AddTagsToResourceCommand)).toEqual([
      {
        ResourceType: 'MaintenanceWindow',
        ResourceId: 'mw-0123456789abcdef0',
        Tags: stampTags,
      },
    ]);
    expect(ssm).toHaveReceivedCommandTimes(
      DescribeMaintenanceWindowTargetsCommand,
      2,
    );
    expect(ssm).not.toHaveReceivedCommand(
      RegisterTargetWithMaintenanceWindowCommand,
    );
    expect(ssm).toHaveReceivedCommandWith(
      RegisterTaskWithMaintenanceWindowCommand,
      {
        Targets: [{ Key: 'WindowTargetIds', Values: ['wt-1'] }],
        ClientToken: 'ops-RFC-000042-a1-task',
      },
    );
  });

  it('keeps an excluded window disabled when its schedule changes', async () => {
    existingWindow(
      { Enabled: false },
      {
        'cloud-ops.io/entity-ref': 'resource:default/orders-db',
        'cloud-ops.io/rfc': 'RFC-000040',
        'cloud-ops.io/patching-excluded-until': '2026-07-31',
      },
    );
    targetAndTaskRegistered();

    await gateway('2026-06-01T00:00:00Z').setMaintenanceWindow({
      stack,
      window,
      stamp,
    });

    expect(ssm).toHaveReceivedCommandWith(UpdateMaintenanceWindowCommand, {
      Schedule: 'cron(0 22 ? * THU#3 *)',
      Enabled: false,
    });
    expect(ssm).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
  });

  it('writes nothing when the window is already as asked by the same RFC', async () => {
    existingWindow(
      { Schedule: 'cron(0 22 ? * THU#3 *)' },
      {
        'cloud-ops.io/entity-ref': 'resource:default/orders-db',
        'cloud-ops.io/rfc': 'RFC-000042',
      },
    );
    targetAndTaskRegistered();

    const result = await gateway().setMaintenanceWindow({
      stack,
      window,
      stamp,
    });

    expect(result.created).toBe(false);
    expect(ssm).not.toHaveReceivedCommand(UpdateMaintenanceWindowCommand);
    expect(ssm).not.toHaveReceivedCommand(AddTagsToResourceCommand);
    expect(ssm).not.toHaveReceivedCommand(
      RegisterTargetWithMaintenanceWindowCommand,
    );
    expect(ssm).not.toHaveReceivedCommand(
      RegisterTaskWithMaintenanceWindowCommand,
    );
  });

  it('refuses a window of that name that belongs to another entity', async () => {
    existingWindow({}, { 'cloud-ops.io/entity-ref': 'resource:default/other' });

    await expect(
      gateway().setMaintenanceWindow({ stack, window, stamp }),
    ).rejects.toThrow(ConflictError);
    expect(ssm).not.toHaveReceivedCommand(UpdateMaintenanceWindowCommand);
  });

  it('names the failing call, the account and region, and what AWS said', async () => {
    noWindowYet();
    ssm.on(CreateMaintenanceWindowCommand).rejects(
      Object.assign(
        new Error(
          'User is not authorized to perform ssm:CreateMaintenanceWindow',
        ),
        {
          name: 'AccessDeniedException',
        },
      ),
    );

    await expect(
      gateway().setMaintenanceWindow({ stack, window, stamp }),
    ).rejects.toThrow(
      'ssm:CreateMaintenanceWindow in 111122223333/eu-west-1 failed: AccessDeniedException: User is not authorized to perform ssm:CreateMaintenanceWindow',
    );
    expect(ssm).not.toHaveReceivedCommand(
      RegisterTargetWithMaintenanceWindowCommand,
    );
  });

  it('refuses a stack without a selector before calling AWS', async () => {
    await expect(
      gateway().setMaintenanceWindow({
        stack: { ...stack, selector: {} },
        window,
        stamp,
      }),
    ).rejects.toThrow(InputError);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('AwsPatchingGateway.setPatchingExclusion', () => {
  it('disables the window and tags it with the end of the exclusion', async () => {
    existingWindow(
      {},
      {
        'cloud-ops.io/entity-ref': 'resource:default/orders-db',
        'cloud-ops.io/rfc': 'RFC-000007',
      },
    );
    targetAndTaskRegistered();

    const result = await gateway().setPatchingExclusion({
      stack,
      until: '2026-08-31',
      justification: 'quarter close',
      stamp,
    });

    expect(result).toEqual({ windowId: 'mw-0123456789abcdef0' });
    expect(inputs(ssm, UpdateMaintenanceWindowCommand)).toEqual([
      { WindowId: 'mw-0123456789abcdef0', Enabled: false },
    ]);
    expect(inputs(ssm, AddTagsToResourceCommand)).toEqual([
      {
        ResourceType: 'MaintenanceWindow',
        ResourceId: 'mw-0123456789abcdef0',
        Tags: [
          ...stampTags,
          { Key: 'cloud-ops.io/patching-excluded-until', Value: '2026-08-31' },
        ],
      },
    ]);
    expect(ssm).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
  });

  it('enables the window again and removes the tag when until is null', async () => {
    existingWindow(
      { Enabled: false },
      {
        'cloud-ops.io/entity-ref': 'resource:default/orders-db',
        'cloud-ops.io/rfc': 'RFC-000040',
        'cloud-ops.io/patching-excluded-until': '2026-08-31',
      },
    );
    targetAndTaskRegistered();

    await gateway().setPatchingExclusion({ stack, until: null, stamp });

    expect(inputs(ssm, UpdateMaintenanceWindowCommand)).toEqual([
      { WindowId: 'mw-0123456789abcdef0', Enabled: true },
    ]);
    expect(inputs(ssm, AddTagsToResourceCommand)).toEqual([
      {
        ResourceType: 'MaintenanceWindow',
        ResourceId: 'mw-0123456789abcdef0',
        Tags: stampTags,
      },
    ]);
    expect(inputs(ssm, RemoveTagsFromResourceCommand)).toEqual([
      {
        ResourceType: 'MaintenanceWindow',
        ResourceId: 'mw-0123456789abcdef0',
        TagKeys: ['cloud-ops.io/patching-excluded-until'],
      },
    ]);
  });

  it('creates a disabled window on the default schedule for a stack that has none', async () => {
    ssm
      .on(DescribeMaintenanceWindowsCommand)
      .resolves({ WindowIdentities: [] });
    ssm.on(CreateMaintenanceWindowCommand).resolves({ WindowId: 'mw-new' });
    ssm
      .on(RegisterTargetWithMaintenanceWindowCommand)
      .resolves({ WindowTargetId: 'wt-1' });
    ssm
      .on(RegisterTaskWithMaintenanceWindowCommand)
      .resolves({ WindowTaskId: 't' });

    const result = await gateway().setPatchingExclusion({
      stack,
      until: '2026-08-31',
      stamp,
    });

    expect(result).toEqual({ windowId: 'mw-new' });
    expect(ssm).toHaveReceivedCommandWith(CreateMaintenanceWindowCommand, {
      Schedule: 'cron(0 3 ? * TUE#2 *)',
      ClientToken: 'ops-RFC-000042-a1',
      Tags: [
        ...stampTags,
        { Key: 'cloud-ops.io/patching-excluded-until', Value: '2026-08-31' },
      ],
    });
    expect(inputs(ssm, UpdateMaintenanceWindowCommand)).toEqual([
      { WindowId: 'mw-new', Enabled: false },
    ]);
    expect(ssm).toHaveReceivedCommandTimes(
      RegisterTargetWithMaintenanceWindowCommand,
      1,
    );
    expect(ssm).toHaveReceivedCommandTimes(
      RegisterTaskWithMaintenanceWindowCommand,
      1,
    );
  });

  it('refuses an until that is not a date', async () => {
    await expect(
      gateway().setPatchingExclusion({ stack, until: 'soon', stamp }),
    ).rejects.toThrow(InputError);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('AwsPatchingGateway.rejectUpdate and applyUpdate', () => {
  const BASELINE = 'pb-0123456789abcdef0';

  function instances(tagged: string[], untagged: string[]) {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        ...tagged.map(id => ({
          ResourceARN: instanceArn(id),
          Tags: [{ Key: 'PatchGroup', Value: BASELINE_NAME }],
        })),
        ...untagged.map(id => ({ ResourceARN: instanceArn(id), Tags: [] })),
      ],
    });
  }

  function existingBaseline(rejected: string[], patchGroups = [BASELINE_NAME]) {
    ssm.on(DescribePatchBaselinesCommand).resolves({
      BaselineIdentities: [
        { BaselineId: BASELINE, BaselineName: BASELINE_NAME },
      ],
    });
    ssm.on(GetPatchBaselineCommand).resolves({
      BaselineId: BASELINE,
      RejectedPatches: rejected,
      PatchGroups: patchGroups,
    });
  }

  it('creates the stack baseline, registers its patch group, tags the instances and rejects the update', async () => {
    ssm.on(DescribePatchBaselinesCommand).resolves({
      BaselineIdentities: [
        { BaselineId: 'pb-longer', BaselineName: `${BASELINE_NAME}-replica` },
      ],
    });
    ssm.on(CreatePatchBaselineCommand).resolves({ BaselineId: BASELINE });
    ssm.on(GetPatchBaselineCommand).resolves({
      BaselineId: BASELINE,
      RejectedPatches: [],
      PatchGroups: [BASELINE_NAME],
    });
    instances(
      ['i-0aaaaaaaaaaaaaaa1'],
      ['i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'],
    );

    const result = await gateway().rejectUpdate({
      stack,
      updateId: 'ALAS2023-2026-0412',
      stamp,
    });

    expect(result).toEqual({ baselineId: BASELINE });
    expect(inputs(ssm, DescribePatchBaselinesCommand)).toEqual([
      {
        Filters: [
          { Key: 'NAME_PREFIX', Values: [BASELINE_NAME] },
          { Key: 'OWNER', Values: ['Self'] },
        ],
        MaxResults: 100,
        NextToken: undefined,
      },
    ]);
    expect(inputs(ssm, CreatePatchBaselineCommand)).toEqual([
      {
        Name: BASELINE_NAME,
        Description: 'Patch baseline of resource:default/orders-db',
        OperatingSystem: 'AMAZON_LINUX_2023',
        ApprovalRules: {
          PatchRules: [
            {
              PatchFilterGroup: {
                PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['*'] }],
              },
              ApproveAfterDays: 7,
            },
          ],
        },
        RejectedPatches: [],
        RejectedPatchesAction: 'BLOCK',
        ClientToken: 'ops-RFC-000042-a1',
        Tags: stampTags,
      },
    ]);
    expect(inputs(ssm, RegisterPatchBaselineForPatchGroupCommand)).toEqual([
      { BaselineId: BASELINE, PatchGroup: BASELINE_NAME },
    ]);
    expect(inputs(tagging, GetResourcesCommand)).toEqual([
      {
        TagFilters: [
          { Key: 'app', Values: ['orders'] },
          { Key: 'env', Values: ['prod'] },
        ],
        ResourceTypeFilters: ['ec2:instance'],
        ResourcesPerPage: 100,
        PaginationToken: undefined,
      },
    ]);
    expect(inputs(ec2, CreateTagsCommand)).toEqual([
      {
        Resources: ['i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'],
        Tags: [{ Key: 'PatchGroup', Value: BASELINE_NAME }],
      },
    ]);
    expect(inputs(ssm, UpdatePatchBaselineCommand)).toEqual([
      {
        BaselineId: BASELINE,
        RejectedPatches: ['ALAS2023-2026-0412'],
        RejectedPatchesAction: 'BLOCK',
      },
    ]);
    expect(inputs(ssm, AddTagsToResourceCommand)).toEqual([
      { ResourceType: 'PatchBaseline', ResourceId: BASELINE, Tags: stampTags },
    ]);
  });

  it('adds to the rejected patches already there, and not twice', async () => {
    existingBaseline(['KB0000001']);
    instances(['i-0aaaaaaaaaaaaaaa1'], []);

    await gateway().rejectUpdate({ stack, updateId: 'KB5039212', stamp });

    expect(ssm).not.toHaveReceivedCommand(CreatePatchBaselineCommand);
    expect(ssm).not.toHaveReceivedCommand(
      RegisterPatchBaselineForPatchGroupCommand,
    );
    expect(ec2).not.toHaveReceivedCommand(CreateTagsCommand);
    expect(inputs(ssm, UpdatePatchBaselineCommand)).toEqual([
      {
        BaselineId: BASELINE,
        RejectedPatches: ['KB0000001', 'KB5039212'],
        RejectedPatchesAction: 'BLOCK',
      },
    ]);

    ssm.resetHistory();
    existingBaseline(['KB0000001', 'KB5039212']);
    await gateway().rejectUpdate({ stack, updateId: 'KB5039212', stamp });
    expect(ssm).not.toHaveReceivedCommand(UpdatePatchBaselineCommand);
    expect(ssm).toHaveReceivedCommandTimes(AddTagsToResourceCommand, 1);
  });

  it('registers the patch group of a baseline an earlier attempt left unregistered', async () => {
    existingBaseline([], []);
    instances([], []);

    await gateway().rejectUpdate({ stack, updateId: 'KB5039212', stamp });

    expect(inputs(ssm, RegisterPatchBaselineForPatchGroupCommand)).toEqual([
      { BaselineId: BASELINE, PatchGroup: BASELINE_NAME },
    ]);
  });

  it('creates baselines for the configured operating system', async () => {
    ssm.on(DescribePatchBaselinesCommand).resolves({ BaselineIdentities: [] });
    ssm.on(CreatePatchBaselineCommand).resolves({ BaselineId: BASELINE });
    ssm.on(GetPatchBaselineCommand).resolves({ RejectedPatches: [] });
    instances([], []);
    const fromConfig = AwsPatchingGateway.fromConfig(
      new ConfigReader({
        ops: { aws: { patching: { operatingSystem: 'WINDOWS' } } },
      }),
      { clients: clients() },
    );

    await fromConfig.rejectUpdate({ stack, updateId: 'KB5039212', stamp });

    expect(ssm).toHaveReceivedCommandWith(CreatePatchBaselineCommand, {
      OperatingSystem: 'WINDOWS',
    });
  });

  it('reports an update id AWS does not take as bad input', async () => {
    existingBaseline([]);
    instances([], []);
    ssm.on(UpdatePatchBaselineCommand).rejects(
      Object.assign(new Error('Patch name "bad id!" is invalid'), {
        name: 'ValidationException',
      }),
    );

    const error = await gateway()
      .rejectUpdate({ stack, updateId: 'bad id!', stamp })
      .catch(e => e);

    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(
      'AWS does not take "bad id!" as a patch name',
    );
    expect(error.message).toContain(
      'ssm:UpdatePatchBaseline in 111122223333/eu-west-1',
    );
  });

  it('refuses an empty update id before calling AWS', async () => {
    await expect(
      gateway().rejectUpdate({ stack, updateId: '  ', stamp }),
    ).rejects.toThrow(InputError);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('lifts the rejection and runs AWS-RunPatchBaseline once, on a client that does not retry', async () => {
    existingBaseline(['KB5039212', 'KB0000001']);
    instances(['i-0aaaaaaaaaaaaaaa1'], []);
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });

    const result = await gateway().applyUpdate({
      stack,
      updateId: 'KB5039212',
      stamp,
    });

    expect(result).toEqual({ baselineId: BASELINE, commandId: 'cmd-1' });
    expect(inputs(ssm, UpdatePatchBaselineCommand)).toEqual([
      {
        BaselineId: BASELINE,
        RejectedPatches: ['KB0000001'],
        RejectedPatchesAction: 'BLOCK',
      },
    ]);
    expect(inputs(ssm, ListCommandsCommand)).toEqual([
      {
        Filters: [
          { key: 'DocumentName', value: 'AWS-RunPatchBaseline' },
          { key: 'InvokedAfter', value: '2026-05-25T00:00:00.000Z' },
        ],
        MaxResults: 50,
        NextToken: undefined,
      },
    ]);
    expect(inputs(ssm, SendCommandCommand)).toEqual([
      {
        DocumentName: 'AWS-RunPatchBaseline',
        Targets: [
          { Key: 'tag:app', Values: ['orders'] },
          { Key: 'tag:env', Values: ['prod'] },
        ],
        Parameters: {
          Operation: ['Install'],
          RebootOption: ['RebootIfNeeded'],
        },
        Comment: 'RFC-000042 attempt 1: install KB5039212 [ops-RFC-000042-a1]',
        MaxConcurrency: '20%',
        MaxErrors: '10%',
      },
    ]);
    const sendClient = ssm.commandCalls(SendCommandCommand)[0]
      .thisValue as SSMClient;
    expect(await sendClient.config.maxAttempts()).toBe(1);
    const listClient = ssm.commandCalls(ListCommandsCommand)[0]
      .thisValue as SSMClient;
    expect(await listClient.config.maxAttempts()).toBe(3);
  });

  it('finds the patch run of the same attempt instead of starting a second one', async () => {
    existingBaseline([]);
    instances(['i-0aaaaaaaaaaaaaaa1'], []);
    ssm
      .on(ListCommandsCommand, { NextToken: undefined })
      .resolves({
        Commands: [
          {
            CommandId: 'cmd-old',
            Comment: 'RFC-000041 attempt 1: install KB1 [ops-RFC-000041-a1]',
          },
        ],
        NextToken: 'more',
      })
      .on(ListCommandsCommand, { NextToken: 'more' })
      .resolves({
        Commands: [
          {
            CommandId: 'cmd-1',
            Comment:
              'RFC-000042 attempt 1: install KB5039212 [ops-RFC-000042-a1]',
          },
        ],
      });

    const result = await gateway().applyUpdate({
      stack,
      updateId: 'KB5039212',
      stamp,
    });

    expect(result).toEqual({ baselineId: BASELINE, commandId: 'cmd-1' });
    expect(ssm).toHaveReceivedCommandTimes(ListCommandsCommand, 2);
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
    expect(ssm).not.toHaveReceivedCommand(UpdatePatchBaselineCommand);
  });

  it('starts no patch run for a stack without instances', async () => {
    existingBaseline(['KB5039212']);
    instances([], []);

    const result = await gateway().applyUpdate({
      stack,
      updateId: 'KB5039212',
      stamp,
    });

    expect(result).toEqual({ baselineId: BASELINE });
    expect(ssm).toHaveReceivedCommandTimes(UpdatePatchBaselineCommand, 1);
    expect(ssm).not.toHaveReceivedCommand(ListCommandsCommand);
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('names SendCommand when the patch run cannot start', async () => {
    existingBaseline([]);
    instances(['i-0aaaaaaaaaaaaaaa1'], []);
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    ssm
      .on(SendCommandCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
        }),
      );

    await expect(
      gateway().applyUpdate({ stack, updateId: 'KB5039212', stamp }),
    ).rejects.toThrow(
      /^ssm:SendCommand in 111122223333\/eu-west-1 failed: ThrottlingException: Rate exceeded/,
    );
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
  });
});
