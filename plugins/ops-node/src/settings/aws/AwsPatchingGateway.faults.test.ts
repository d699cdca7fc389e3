import { FakeAwsEndpoint } from '../../__testUtils__/fakeAwsEndpoint';
import {
  expectedMessage,
  FAULT_LOCATION,
  FAULT_REQUEST_TIMEOUT_MS,
  FaultScenario,
  runWithoutFaults,
  runWriterFault,
  writerFaultCases,
} from '../../__testUtils__/writerFaults';
import { AwsPatchingGateway } from './AwsPatchingGateway';

/**
 * Every write of the patching gateway under throttling, access denied, a
 * timeout and a malformed answer, through the real SDK clients against a
 * scripted endpoint: the call fails the change naming the AWS call, AWS's
 * code and message and what was already written; nothing is written after
 * it; only writes whose repeat is safe are retried, with the same token.
 */

const stack = {
  ...FAULT_LOCATION,
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
const WINDOW_ID = 'mw-0123456789abcdef0';
const WINDOW_NAME = 'ops-patch-resource-default-orders-db';
const BASELINE_ID = 'pb-0123456789abcdef0';
const BASELINE_NAME = 'ops-resource-default-orders-db';
const PATCH_GROUP = BASELINE_NAME;
const INSTANCE_ID = 'i-0a1b2c3d4e5f60718';
const UPDATE = 'KB5039212';

const gateway = (clients: Parameters<FaultScenario['run']>[0]) =>
  new AwsPatchingGateway(clients, {
    now: () => new Date('2026-06-01T00:00:00Z'),
  });

const windowFound = (identity: object) => ({
  operation: 'ssm:DescribeMaintenanceWindows',
  ok: {
    json: {
      WindowIdentities: [
        {
          WindowId: WINDOW_ID,
          Name: WINDOW_NAME,
          Schedule: 'cron(0 22 ? * THU#3 *)',
          ScheduleTimezone: 'UTC',
          Duration: 1,
          Cutoff: 0,
          ...identity,
        },
      ],
    },
  },
});
const windowTags = (tags: Record<string, string>) => ({
  operation: 'ssm:ListTagsForResource',
  ok: {
    json: {
      TagList: Object.entries({
        'cloud-ops.io/entity-ref': stack.entityRef,
        'cloud-ops.io/rfc': 'RFC-000001',
        ...tags,
      }).map(([Key, Value]) => ({ Key, Value })),
    },
  },
});
const targetAndTaskThere = [
  {
    operation: 'ssm:DescribeMaintenanceWindowTargets',
    ok: {
      json: { Targets: [{ WindowTargetId: 'wt-1', Name: 'ops-instances' }] },
    },
  },
  {
    operation: 'ssm:DescribeMaintenanceWindowTasks',
    ok: {
      json: {
        Tasks: [{ WindowTaskId: 'task-1', Name: 'ops-run-patch-baseline' }],
      },
    },
  },
];
const instances = (tags: Record<string, string>) => ({
  operation: 'tag:GetResources',
  ok: {
    json: {
      ResourceTagMappingList: [
        {
          ResourceARN: `arn:aws:ec2:eu-west-1:111122223333:instance/${INSTANCE_ID}`,
          Tags: Object.entries({ app: 'orders', env: 'prod', ...tags }).map(
            ([Key, Value]) => ({ Key, Value }),
          ),
        },
      ],
    },
  },
});

const SCENARIOS: FaultScenario[] = [
  {
    name: 'setMaintenanceWindow (no window yet)',
    run: clients =>
      gateway(clients).setMaintenanceWindow({ stack, window, stamp }),
    steps: [
      {
        operation: 'ssm:DescribeMaintenanceWindows',
        ok: { json: { WindowIdentities: [] } },
      },
      {
        operation: 'ssm:CreateMaintenanceWindow',
        ok: { json: { WindowId: WINDOW_ID } },
        write: {
          kind: 'token',
          token: { field: 'ClientToken', value: stamp.token },
          done: [],
          required: { field: 'WindowId', answer: { json: {} } },
        },
      },
      {
        operation: 'ssm:RegisterTargetWithMaintenanceWindow',
        ok: { json: { WindowTargetId: 'wt-1' } },
        write: {
          kind: 'token',
          token: { field: 'ClientToken', value: `${stamp.token}-target` },
          done: [`created maintenance window ${WINDOW_ID} (${WINDOW_NAME})`],
          required: { field: 'WindowTargetId', answer: { json: {} } },
        },
      },
      {
        operation: 'ssm:RegisterTaskWithMaintenanceWindow',
        ok: { json: { WindowTaskId: 'task-1' } },
        write: {
          kind: 'token',
          token: { field: 'ClientToken', value: `${stamp.token}-task` },
          done: [
            `created maintenance window ${WINDOW_ID} (${WINDOW_NAME})`,
            'registered target wt-1 (ops-instances)',
          ],
          required: { field: 'WindowTaskId', answer: { json: {} } },
        },
      },
    ],
  },
  {
    name: 'setPatchingExclusion (exclude)',
    run: clients =>
      gateway(clients).setPatchingExclusion({
        stack,
        until: '2026-12-31',
        stamp,
      }),
    steps: [
      windowFound({ Enabled: true }),
      windowTags({}),
      {
        operation: 'ssm:UpdateMaintenanceWindow',
        ok: { json: {} },
        write: { kind: 'natural', done: [] },
      },
      {
        operation: 'ssm:AddTagsToResource',
        ok: { json: {} },
        write: {
          kind: 'natural',
          done: [`updated maintenance window ${WINDOW_ID} (Enabled false)`],
        },
      },
      ...targetAndTaskThere,
    ],
  },
  {
    name: 'setPatchingExclusion (include again)',
    run: clients =>
      gateway(clients).setPatchingExclusion({ stack, until: null, stamp }),
    steps: [
      windowFound({ Enabled: false }),
      windowTags({ 'cloud-ops.io/patching-excluded-until': '2026-12-31' }),
      {
        operation: 'ssm:UpdateMaintenanceWindow',
        ok: { json: {} },
        write: { kind: 'natural', done: [] },
      },
      {
        operation: 'ssm:AddTagsToResource',
        ok: { json: {} },
        write: {
          kind: 'natural',
          done: [`updated maintenance window ${WINDOW_ID} (Enabled true)`],
        },
      },
      {
        operation: 'ssm:RemoveTagsFromResource',
        ok: { json: {} },
        write: {
          kind: 'natural',
          done: [
            `updated maintenance window ${WINDOW_ID} (Enabled true)`,
            `tagged maintenance window ${WINDOW_ID} with RFC-000042`,
          ],
        },
      },
      ...targetAndTaskThere,
    ],
  },
  {
    name: 'rejectUpdate (no baseline yet)',
    run: clients =>
      gateway(clients).rejectUpdate({ stack, updateId: UPDATE, stamp }),
    steps: [
      {
        operation: 'ssm:DescribePatchBaselines',
        ok: { json: { BaselineIdentities: [] } },
      },
      {
        operation: 'ssm:CreatePatchBaseline',
        ok: { json: { BaselineId: BASELINE_ID } },
        write: {
          kind: 'token',
          token: { field: 'ClientToken', value: stamp.token },
          done: [],
          required: { field: 'BaselineId', answer: { json: {} } },
        },
      },
      {
        // A repeat after a lost answer is refused as AlreadyExists, which
        // the gateway checks is this baseline.
        operation: 'ssm:RegisterPatchBaselineForPatchGroup',
        ok: { json: { BaselineId: BASELINE_ID, PatchGroup: PATCH_GROUP } },
        write: {
          kind: 'natural',
          done: [`created patch baseline ${BASELINE_ID} (${BASELINE_NAME})`],
        },
      },
      instances({}),
      {
        operation: 'ec2:CreateTags',
        ok: {
          xml: '<CreateTagsResponse><return>true</return></CreateTagsResponse>',
        },
        write: {
          kind: 'natural',
          done: [
            `created patch baseline ${BASELINE_ID} (${BASELINE_NAME})`,
            `registered it for patch group ${PATCH_GROUP}`,
          ],
        },
      },
      {
        operation: 'ssm:GetPatchBaseline',
        ok: {
          json: {
            BaselineId: BASELINE_ID,
            RejectedPatches: [],
            PatchGroups: [PATCH_GROUP],
          },
        },
      },
      {
        operation: 'ssm:UpdatePatchBaseline',
        ok: { json: { BaselineId: BASELINE_ID } },
        write: {
          kind: 'natural',
          done: [
            `created patch baseline ${BASELINE_ID} (${BASELINE_NAME})`,
            `registered it for patch group ${PATCH_GROUP}`,
            `put instance(s) ${INSTANCE_ID} in patch group ${PATCH_GROUP}`,
          ],
        },
      },
      {
        operation: 'ssm:AddTagsToResource',
        ok: { json: {} },
        write: {
          kind: 'natural',
          done: [
            `created patch baseline ${BASELINE_ID} (${BASELINE_NAME})`,
            `registered it for patch group ${PATCH_GROUP}`,
            `put instance(s) ${INSTANCE_ID} in patch group ${PATCH_GROUP}`,
            `rejected ${UPDATE} in baseline ${BASELINE_ID}`,
          ],
        },
      },
    ],
  },
  {
    name: 'applyUpdate (rejected before, instances in the group)',
    run: clients =>
      gateway(clients).applyUpdate({ stack, updateId: UPDATE, stamp }),
    steps: [
      {
        operation: 'ssm:DescribePatchBaselines',
        ok: {
          json: {
            BaselineIdentities: [
              { BaselineId: BASELINE_ID, BaselineName: BASELINE_NAME },
            ],
          },
        },
      },
      instances({ PatchGroup: PATCH_GROUP }),
      {
        operation: 'ssm:GetPatchBaseline',
        ok: {
          json: {
            BaselineId: BASELINE_ID,
            RejectedPatches: [UPDATE],
            PatchGroups: [PATCH_GROUP],
          },
        },
      },
      {
        operation: 'ssm:UpdatePatchBaseline',
        ok: { json: { BaselineId: BASELINE_ID } },
        write: { kind: 'natural', done: [] },
      },
      {
        operation: 'ssm:AddTagsToResource',
        ok: { json: {} },
        write: {
          kind: 'natural',
          done: [
            `lifted the rejection of ${UPDATE} in baseline ${BASELINE_ID}`,
          ],
        },
      },
      {
        operation: 'ssm:ListCommands',
        ok: { json: { Commands: [] } },
      },
      {
        // No token: a repeat after a lost answer would patch twice.
        operation: 'ssm:SendCommand',
        ok: { json: { Command: { CommandId: 'cmd-0123' } } },
        write: {
          kind: 'once',
          done: [
            `lifted the rejection of ${UPDATE} in baseline ${BASELINE_ID}`,
            `tagged baseline ${BASELINE_ID} with RFC-000042`,
          ],
          required: {
            field: 'Command.CommandId',
            answer: { json: { Command: {} } },
          },
        },
      },
    ],
  },
];

const aws = new FakeAwsEndpoint();
const clients = () =>
  aws.clients({ requestTimeoutMs: FAULT_REQUEST_TIMEOUT_MS });

beforeAll(async () => {
  await aws.start();
  // The SDK's backoff is Math.random() times a base: retries without waiting.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await aws.stop();
});

describe.each(SCENARIOS)('AwsPatchingGateway.$name', scenario => {
  it('makes exactly the calls the fault cases fail, when nothing fails', async () => {
    await expect(
      runWithoutFaults(aws, scenario, clients()),
    ).resolves.toBeDefined();
  });
});

describe.each(writerFaultCases(SCENARIOS))(
  'AwsPatchingGateway.$name when $operation ($kind) meets $fault',
  c => {
    it('fails naming the call, what AWS said and what was done, and repeats it only if safe', async () => {
      const error = await runWriterFault(aws, c, clients());
      expect(error.message).toMatch(expectedMessage(c.step, c.fault));
    });
  },
);

describe('AwsPatchingGateway with a lookup page missing the id of what it names', () => {
  it('fails instead of creating a second window of the same name', async () => {
    aws.reset();
    aws.on('ssm:DescribeMaintenanceWindows', {
      json: { WindowIdentities: [{ Name: WINDOW_NAME, Enabled: true }] },
    });

    await expect(
      gateway(clients()).setMaintenanceWindow({ stack, window, stamp }),
    ).rejects.toThrow(
      `ssm:DescribeMaintenanceWindows in 111122223333/eu-west-1 failed: MalformedResponse: the answer has no WindowId for the window named ${WINDOW_NAME}`,
    );
    expect(aws.operationsSent()).toEqual(['ssm:DescribeMaintenanceWindows']);
  });

  it('fails instead of creating a second baseline of the same name', async () => {
    aws.reset();
    aws.on('ssm:DescribePatchBaselines', {
      json: { BaselineIdentities: [{ BaselineName: BASELINE_NAME }] },
    });

    await expect(
      gateway(clients()).rejectUpdate({ stack, updateId: UPDATE, stamp }),
    ).rejects.toThrow(
      `ssm:DescribePatchBaselines in 111122223333/eu-west-1 failed: MalformedResponse: the answer has no BaselineId for the baseline named ${BASELINE_NAME}`,
    );
    expect(aws.operationsSent()).toEqual(['ssm:DescribePatchBaselines']);
  });
});
