import {
  DescribeInstancesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  CreatePatchBaselineCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
  DescribeMaintenanceWindowTasksCommand,
  GetMaintenanceWindowCommand,
  GetPatchBaselineCommand,
  ListCommandsCommand,
  ListTagsForResourceCommand,
  RegisterPatchBaselineForPatchGroupCommand,
  SSMClient,
  UpdateMaintenanceWindowCommand,
  UpdatePatchBaselineCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeMoto, MOTO_LOCATION } from '../../__testUtils__/moto';
import { AwsPatchingGateway } from './AwsPatchingGateway';

/**
 * moto 5.2.1 serves maintenance windows with their targets, tasks and tags,
 * EC2 instances and tags, tag:GetResources for EC2, and SendCommand /
 * ListCommands. It does not serve UpdateMaintenanceWindow, GetPatchBaseline
 * or UpdatePatchBaseline, and fails CreatePatchBaseline with Tags: those are
 * stubbed here (the other calls pass through to moto) and covered in
 * AwsPatchingGateway.test.ts. moto ignores ClientToken (a second
 * CreateMaintenanceWindow with the same token makes a second window), so a
 * repeated call is kept from creating by finding the window by name.
 */
const ssmStub = mockClient(SSMClient);

const stack = {
  ...MOTO_LOCATION,
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

afterAll(() => ssmStub.restore());

describeMoto('AwsPatchingGateway against moto', moto => {
  beforeEach(() => {
    ssmStub.reset();
    ssmStub.send.callThrough();
  });

  const tagsOf = async (ssm: SSMClient, windowId: string) => {
    const { TagList } = await ssm.send(
      new ListTagsForResourceCommand({
        ResourceType: 'MaintenanceWindow',
        ResourceId: windowId,
      }),
    );
    return Object.fromEntries((TagList ?? []).map(t => [t.Key, t.Value]));
  };

  it('creates the window with its target and task, and a repeat with the same stamp creates nothing', async () => {
    const clients = moto.clients();
    const gateway = new AwsPatchingGateway(clients);
    const ssm = clients.ssm(stack);

    const first = await gateway.setMaintenanceWindow({ stack, window, stamp });

    expect(first).toMatchObject({
      schedule: 'cron(0 22 ? * THU#3 *)',
      created: true,
    });
    const held = await ssm.send(
      new GetMaintenanceWindowCommand({ WindowId: first.windowId }),
    );
    expect(held).toMatchObject({
      Name: WINDOW_NAME,
      Schedule: 'cron(0 22 ? * THU#3 *)',
      ScheduleTimezone: 'UTC',
      Duration: 1,
      Cutoff: 0,
      Enabled: true,
    });
    expect(await tagsOf(ssm, first.windowId)).toEqual({
      'cloud-ops.io/entity-ref': 'resource:default/orders-db',
      'cloud-ops.io/rfc': 'RFC-000042',
    });
    const { Targets } = await ssm.send(
      new DescribeMaintenanceWindowTargetsCommand({ WindowId: first.windowId }),
    );
    expect(Targets).toEqual([
      expect.objectContaining({
        Name: 'ops-instances',
        ResourceType: 'INSTANCE',
        Targets: [
          { Key: 'tag:app', Values: ['orders'] },
          { Key: 'tag:env', Values: ['prod'] },
        ],
      }),
    ]);
    const { Tasks } = await ssm.send(
      new DescribeMaintenanceWindowTasksCommand({ WindowId: first.windowId }),
    );
    expect(Tasks).toEqual([
      expect.objectContaining({
        Name: 'ops-run-patch-baseline',
        TaskArn: 'AWS-RunPatchBaseline',
        Targets: [
          { Key: 'WindowTargetIds', Values: [Targets![0].WindowTargetId] },
        ],
        MaxConcurrency: '20%',
        MaxErrors: '10%',
      }),
    ]);

    const again = await gateway.setMaintenanceWindow({ stack, window, stamp });

    expect(again).toEqual({ ...first, created: false });
    const { WindowIdentities } = await ssm.send(
      new DescribeMaintenanceWindowsCommand({}),
    );
    expect(WindowIdentities).toHaveLength(1);
    const targetsAfter = await ssm.send(
      new DescribeMaintenanceWindowTargetsCommand({ WindowId: first.windowId }),
    );
    expect(targetsAfter.Targets).toHaveLength(1);
    const tasksAfter = await ssm.send(
      new DescribeMaintenanceWindowTasksCommand({ WindowId: first.windowId }),
    );
    expect(tasksAfter.Tasks).toHaveLength(1);
    expect(ssmStub).not.toHaveReceivedCommand(UpdateMaintenanceWindowCommand);
  });

  it('moves an existing window to a new schedule and retags it with the new RFC', async () => {
    ssmStub.on(UpdateMaintenanceWindowCommand).resolves({});
    const clients = moto.clients();
    const gateway = new AwsPatchingGateway(clients);
    const { windowId } = await gateway.setMaintenanceWindow({
      stack,
      window,
      stamp,
    });

    const result = await gateway.setMaintenanceWindow({
      stack,
      window: { ...window, week: 'last', weekday: 'FRI' },
      stamp: { rfcId: 'RFC-000050', attempt: 2, token: 'ops-RFC-000050-a2' },
    });

    expect(result).toEqual({
      windowId,
      schedule: 'cron(0 22 ? * 6L *)',
      created: false,
    });
    expect(ssmStub).toHaveReceivedCommandTimes(
      UpdateMaintenanceWindowCommand,
      1,
    );
    expect(ssmStub).toHaveReceivedCommandWith(UpdateMaintenanceWindowCommand, {
      WindowId: windowId,
      Schedule: 'cron(0 22 ? * 6L *)',
      Enabled: true,
    });
    expect(await tagsOf(clients.ssm(stack), windowId)).toEqual({
      'cloud-ops.io/entity-ref': 'resource:default/orders-db',
      'cloud-ops.io/rfc': 'RFC-000050',
    });
  });

  it('excludes a stack without a window and includes it again', async () => {
    ssmStub.on(UpdateMaintenanceWindowCommand).resolves({});
    const clients = moto.clients();
    const gateway = new AwsPatchingGateway(clients, {
      now: () => new Date('2026-06-01T00:00:00Z'),
    });
    const ssm = clients.ssm(stack);

    const { windowId } = await gateway.setPatchingExclusion({
      stack,
      until: '2026-08-31',
      stamp,
    });

    const held = await ssm.send(
      new GetMaintenanceWindowCommand({ WindowId: windowId }),
    );
    expect(held.Schedule).toBe('cron(0 3 ? * TUE#2 *)');
    expect(await tagsOf(ssm, windowId)).toMatchObject({
      'cloud-ops.io/patching-excluded-until': '2026-08-31',
    });
    expect(ssmStub).toHaveReceivedCommandWith(UpdateMaintenanceWindowCommand, {
      WindowId: windowId,
      Enabled: false,
    });

    await gateway.setPatchingExclusion({
      stack,
      until: null,
      stamp: { rfcId: 'RFC-000051', attempt: 1, token: 'ops-RFC-000051-a1' },
    });

    expect(await tagsOf(ssm, windowId)).toEqual({
      'cloud-ops.io/entity-ref': 'resource:default/orders-db',
      'cloud-ops.io/rfc': 'RFC-000051',
    });
  });

  it('puts the stack instances in its patch group and runs one patch run per attempt', async () => {
    const BASELINE = 'pb-0123456789abcdef0';
    ssmStub
      .on(CreatePatchBaselineCommand)
      .resolves({ BaselineId: BASELINE })
      .on(RegisterPatchBaselineForPatchGroupCommand)
      .resolves({})
      .on(GetPatchBaselineCommand)
      .resolves({ BaselineId: BASELINE, RejectedPatches: ['KB5039212'] })
      .on(UpdatePatchBaselineCommand)
      .resolves({})
      .on(AddTagsToResourceCommand, { ResourceType: 'PatchBaseline' })
      .resolves({});
    const clients = moto.clients();
    const ec2 = clients.ec2(stack);
    const run = async (tags: Record<string, string>) => {
      const { Instances } = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: Object.entries(tags).map(([Key, Value]) => ({
                Key,
                Value,
              })),
            },
          ],
        }),
      );
      return Instances![0].InstanceId!;
    };
    const inStack = await run({ app: 'orders', env: 'prod' });
    const otherEnv = await run({ app: 'orders', env: 'test' });
    const gateway = new AwsPatchingGateway(clients);

    const first = await gateway.applyUpdate({
      stack,
      updateId: 'KB5039212',
      stamp,
    });
    const again = await gateway.applyUpdate({
      stack,
      updateId: 'KB5039212',
      stamp,
    });

    expect(first.baselineId).toBe(BASELINE);
    expect(first.commandId).toEqual(expect.any(String));
    expect(again).toEqual(first);
    const { Reservations } = await clients
      .ec2(stack)
      .send(new DescribeInstancesCommand({ InstanceIds: [inStack, otherEnv] }));
    const patchGroups = Object.fromEntries(
      Reservations!
        .flatMap(r => r.Instances!)
        .map(i => [
          i.InstanceId,
          i.Tags?.find(t => t.Key === 'PatchGroup')?.Value,
        ]),
    );
    expect(patchGroups).toEqual({
      [inStack]: 'ops-resource-default-orders-db',
      [otherEnv]: undefined,
    });
    const { Commands } = await clients
      .ssm(stack)
      .send(new ListCommandsCommand({}));
    expect(Commands).toEqual([
      expect.objectContaining({
        CommandId: first.commandId,
        DocumentName: 'AWS-RunPatchBaseline',
        Comment: 'RFC-000042 attempt 1: install KB5039212 [ops-RFC-000042-a1]',
        Targets: [
          { Key: 'tag:app', Values: ['orders'] },
          { Key: 'tag:env', Values: ['prod'] },
        ],
        Parameters: {
          Operation: ['Install'],
          RebootOption: ['RebootIfNeeded'],
        },
      }),
    ]);
    expect(ssmStub).toHaveReceivedCommandWith(UpdatePatchBaselineCommand, {
      BaselineId: BASELINE,
      RejectedPatches: [],
    });
  });
});
