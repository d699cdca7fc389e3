import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import type { OperationsSnapshotKind } from '@cloud-ops/plugin-ops-common';
import { AwsClientFactory } from '@cloud-ops/plugin-ops-node';
import { AwsOperationsReader } from './AwsOperationsReader';
import {
  FakeAwsAccount,
  fakeClientFactory,
  fakeCredentialsManager,
  mockAwsAccount,
} from './__testUtils__/fakeAws';
import {
  faultsFor,
  injectFault,
  ReaderSource,
  SOURCE_CALLS,
  SourceCall,
} from './__testUtils__/awsFaults';
import type { OperationsReadResult } from './types';

/**
 * Every source of the reader under every fault AWS can throw at it, against
 * the fake account: the source's failure is named where it belongs, and
 * every other source reads exactly what it reads when nothing fails.
 */

// Each entity: an alarm, an instance in AWS Backup, one relying on EBS
// snapshots, and a database relying on RDS snapshots.
const account = new FakeAwsAccount({
  entities: 3,
  alarmsPerEntity: 1,
  instancesPerEntity: 2,
  databasesPerEntity: 1,
  protectEveryNthInstance: 2,
});
const ENTITIES = account.targets.map(t => t.entityRef);
const KINDS: OperationsSnapshotKind[] = ['alarms', 'patch', 'backups'];

const KIND_OF: Record<ReaderSource, OperationsSnapshotKind | 'all'> = {
  resources: 'all',
  alarms: 'alarms',
  'patch-states': 'patch',
  'maintenance-windows': 'patch',
  'pending-updates': 'patch',
  'aws-backup': 'backups',
  'ebs-snapshots': 'backups',
  'rds-snapshots': 'backups',
};

const SOURCE_OF_COMMAND: Record<string, ReaderSource> = Object.fromEntries(
  SOURCE_CALLS.map(c => [c.command.name.replace(/Command$/, ''), c.source]),
);

type Aws = ReturnType<typeof mockAwsAccount>;

/** The inputs of every call made, by command name. */
function inputsByCommand(aws: Aws): Record<string, unknown[]> {
  const inputs: Record<string, unknown[]> = {};
  for (const mock of Object.values(aws.mocks)) {
    for (const call of mock.calls()) {
      const command = call.args[0] as { input: unknown };
      const name = command.constructor.name.replace(/Command$/, '');
      (inputs[name] ??= []).push(command.input);
    }
  }
  return inputs;
}

function reader(logger = mockServices.logger.mock()) {
  return new AwsOperationsReader({
    clients: fakeClientFactory(),
    logger,
    now: () => account.now,
  });
}

const of = (
  results: OperationsReadResult[],
  entityRef: string,
  kind: OperationsSnapshotKind,
) => results.find(r => r.entityRef === entityRef && r.kind === kind)!;

const good = (r: OperationsReadResult | undefined): any => {
  if (!r?.ok) throw new Error(`not a good read: ${JSON.stringify(r)}`);
  return r.payload;
};

let baseline: OperationsReadResult[];
let baselineInputs: Record<string, unknown[]>;
let aws: Aws | undefined;

beforeAll(async () => {
  aws = mockAwsAccount(account);
  baseline = await reader().read(account.targets);
  baselineInputs = inputsByCommand(aws);
  aws.restore();
  aws = undefined;
});
afterEach(() => aws?.restore());

it('reads the fixture whole when nothing fails, with every backup method the cases take apart', () => {
  expect(baseline.filter(r => !r.ok)).toEqual([]);
  expect(
    ENTITIES.map(ref =>
      good(of(baseline, ref, 'backups'))
        .resources.map((r: any) => r.method)
        .sort(),
    ),
  ).toEqual(ENTITIES.map(() => ['aws-backup', 'ebs-snapshot', 'rds-snapshot']));
});

const failed = (
  entityRef: string,
  kind: OperationsSnapshotKind,
  error: RegExp,
) => ({ entityRef, kind, ok: false, error: expect.stringMatching(error) });

const withPayload = (
  entityRef: string,
  kind: OperationsSnapshotKind,
  payload: unknown,
) => ({ entityRef, kind, ok: true, payload });

/** The failed source's own kind as it must be read, from the baseline and the expected error. */
const EXPECTED: Record<
  ReaderSource,
  (error: RegExp, call: SourceCall) => unknown[]
> = {
  resources: error =>
    ENTITIES.flatMap(ref => KINDS.map(kind => failed(ref, kind, error))),
  alarms: error => ENTITIES.map(ref => failed(ref, 'alarms', error)),
  'patch-states': error => ENTITIES.map(ref => failed(ref, 'patch', error)),
  'maintenance-windows': error =>
    ENTITIES.map(ref => {
      const before = good(of(baseline, ref, 'patch'));
      return withPayload(ref, 'patch', {
        ...before,
        instances: before.instances.map((i: any) => ({
          ...i,
          maintenanceWindow: undefined,
        })),
        warnings: [
          {
            source: 'maintenance-windows',
            error: expect.stringMatching(error),
          },
        ],
      });
    }),
  'pending-updates': error => {
    const listFailed = new RegExp(
      `^the missing patches of 1 instance\\(s\\) could not be listed: ${error.source.slice(
        1,
      )}`,
    );
    return ENTITIES.map(ref => {
      const before = good(of(baseline, ref, 'patch'));
      const hasPending = before.instances.some((i: any) => !i.compliant);
      return withPayload(
        ref,
        'patch',
        hasPending
          ? {
              ...before,
              instances: before.instances.map((i: any) =>
                i.compliant ? i : { ...i, pendingUpdates: undefined },
              ),
              warnings: [
                {
                  source: 'pending-updates',
                  error: expect.stringMatching(listFailed),
                },
              ],
            }
          : before,
      );
    });
  },
  'aws-backup': (error, call) =>
    ENTITIES.map(ref => {
      const before = good(of(baseline, ref, 'backups')).resources;
      if (call.operation !== 'backup:ListProtectedResources') {
        return withPayload(ref, 'backups', {
          resources: before.filter((r: any) => r.method !== 'aws-backup'),
          warnings: [
            {
              source: 'aws-backup',
              error: expect.stringMatching(error),
              resourcesLeftOut: 1,
            },
          ],
        });
      }
      // What AWS Backup protects is unknown: every instance's EBS
      // snapshots are read, and those it has are shown.
      return withPayload(ref, 'backups', {
        resources: before.map((r: any) =>
          expect.objectContaining({
            resourceArn: r.resourceArn,
            method: r.method === 'aws-backup' ? 'ebs-snapshot' : r.method,
          }),
        ),
        warnings: [
          { source: 'aws-backup', error: expect.stringMatching(error) },
        ],
      });
    }),
  'ebs-snapshots': error =>
    ENTITIES.map(ref =>
      withPayload(ref, 'backups', {
        resources: good(of(baseline, ref, 'backups')).resources.filter(
          (r: any) => r.method !== 'ebs-snapshot',
        ),
        warnings: [
          {
            source: 'ebs-snapshots',
            error: expect.stringMatching(error),
            resourcesLeftOut: 1,
          },
        ],
      }),
    ),
  'rds-snapshots': error =>
    ENTITIES.map(ref =>
      withPayload(ref, 'backups', {
        resources: good(of(baseline, ref, 'backups')).resources.filter(
          (r: any) => r.method !== 'rds-snapshot',
        ),
        warnings: [
          {
            source: 'rds-snapshots',
            error: expect.stringMatching(error),
            resourcesLeftOut: 1,
          },
        ],
      }),
    ),
};

/**
 * The calls the other sources must make, as when nothing fails; the
 * failing source's own calls are counted separately.
 */
function expectedOtherCalls(call: SourceCall): Record<string, unknown> {
  if (call.source === 'resources') return {};
  const expected: Record<string, unknown> = {};
  for (const [command, calls] of Object.entries(baselineInputs)) {
    const source = SOURCE_OF_COMMAND[command];
    if (source === call.source) continue;
    if (call.source === 'patch-states' && KIND_OF[source] === 'patch') {
      // Without patch states there is nothing to add windows or patches to.
      expected[command] = undefined;
    } else if (
      call.operation === 'backup:ListProtectedResources' &&
      source === 'ebs-snapshots'
    ) {
      // Not knowing what AWS Backup protects, every instance is asked about.
      expected[command] =
        command === 'DescribeVolumes'
          ? [
              expect.objectContaining({
                Filters: [
                  {
                    Name: 'attachment.instance-id',
                    Values: account.instanceIds,
                  },
                ],
              }),
            ]
          : expect.any(Array);
    } else {
      expected[command] = calls;
    }
  }
  return expected;
}

const CASES = SOURCE_CALLS.flatMap(call =>
  faultsFor(call).map(fault => ({ ...call, fault, call })),
);

describe.each(CASES)(
  'AwsOperationsReader when $operation fails ($fault)',
  ({ call, fault }) => {
    let results: OperationsReadResult[];
    let error: RegExp;
    let logger: ReturnType<typeof mockServices.logger.mock>;

    beforeEach(async () => {
      aws = mockAwsAccount(account);
      error = injectFault(aws.mocks, call, fault);
      logger = mockServices.logger.mock();
      results = await reader(logger).read(account.targets);
    });

    it(`names ${call.operation} where its data would be, and logs it`, () => {
      const kind = KIND_OF[call.source];
      expect(results.filter(r => kind === 'all' || r.kind === kind)).toEqual(
        EXPECTED[call.source](error, call),
      );
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          `${call.operation} in 111122223333/eu-west-1 failed`,
        ),
      );
    });

    it('leaves the other kinds exactly as when nothing fails', () => {
      const kind = KIND_OF[call.source];
      expect(results.filter(r => kind !== 'all' && r.kind !== kind)).toEqual(
        baseline.filter(r => kind !== 'all' && r.kind !== kind),
      );
    });

    it('makes the failing call as often as it must and the other sources their usual calls', () => {
      const inputs = inputsByCommand(aws!);
      const name = call.command.name.replace(/Command$/, '');
      // One failing call per batch (the pending patches: per instance with
      // some), two when the second page repeats the first page's token.
      const batches = call.source === 'pending-updates' ? 2 : 1;
      expect(inputs[name]).toHaveLength(
        batches * (fault === 'endless pages' ? 2 : 1),
      );
      const others = expectedOtherCalls(call);
      expect(
        call.source === 'resources'
          ? Object.keys(inputs)
          : Object.fromEntries(Object.keys(others).map(c => [c, inputs[c]])),
      ).toEqual(call.source === 'resources' ? ['GetResources'] : others);
    });
  },
);

describe('AwsOperationsReader when AWS Backup cannot say what it protects', () => {
  it('reads the EBS snapshots of every instance, and leaves out those without any', async () => {
    aws = mockAwsAccount(account);
    injectFault(
      aws.mocks,
      SOURCE_CALLS.find(c => c.operation === 'backup:ListProtectedResources')!,
      'access denied',
    );
    const protectedInstance = [...account.protectedArns][0];
    const volume = `vol-${protectedInstance.split('/i-')[1]}`;
    // The protected instance's volume has no snapshot outside AWS Backup.
    aws.mocks.ec2.on(DescribeSnapshotsCommand).callsFake(input => ({
      Snapshots: (input.Filters?.[0]?.Values ?? [])
        .filter((v: string) => v !== volume)
        .map((VolumeId: string) => ({
          SnapshotId: `snap-${VolumeId.slice(4)}`,
          VolumeId,
          StartTime: new Date(account.now.getTime() - 3_600_000),
        })),
    }));

    const results = await reader().read(account.targets);

    const owner = account.resources.find(r => r.arn === protectedInstance)!.tags
      .app;
    const backups = good(of(results, `component:default/${owner}`, 'backups'));
    expect(backups.resources.map((r: any) => r.resourceArn)).not.toContain(
      protectedInstance,
    );
    expect(backups.resources).toHaveLength(2);
    expect(backups.warnings).toEqual([
      expect.objectContaining({ source: 'aws-backup', resourcesLeftOut: 1 }),
    ]);
  });

  it('fails the backups of an entity it leaves nothing of, so the last good data is kept', async () => {
    const lonely = new FakeAwsAccount({
      entities: 1,
      alarmsPerEntity: 0,
      instancesPerEntity: 0,
    });
    lonely.resources.push({
      arn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders',
      tags: { app: 'app-0' },
    });
    aws = mockAwsAccount(lonely);
    const expected = injectFault(
      aws.mocks,
      SOURCE_CALLS.find(c => c.operation === 'backup:ListProtectedResources')!,
      'throttling',
    );

    const results = await reader().read(lonely.targets);

    expect(of(results, 'component:default/app-0', 'backups')).toEqual({
      entityRef: 'component:default/app-0',
      kind: 'backups',
      ok: false,
      error: expect.stringMatching(expected),
    });
  });
});

describe('AwsOperationsReader with ARNs it does not understand', () => {
  it('counts them on the cards that would have read them, and logs them with an example', async () => {
    const odd = new FakeAwsAccount({ entities: 2 });
    const arns = {
      notAnArn: 'i-0123456789abcdef0',
      ec2WithoutType: 'arn:aws:ec2:eu-west-1:111122223333:i-0123456789abcdef0',
      alarmWithoutName: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:',
      // Understood: SNS ARNs have no resource type.
      topic: 'arn:aws:sns:eu-west-1:111122223333:app-0-alerts',
    };
    for (const arn of Object.values(arns)) {
      odd.resources.push({ arn, tags: { app: 'app-0' } });
    }
    aws = mockAwsAccount(odd);
    const logger = mockServices.logger.mock();

    const results = await reader(logger).read(odd.targets);

    const ref = 'component:default/app-0';
    expect(good(of(results, ref, 'alarms')).notUnderstood).toEqual({
      count: 2,
      examples: [arns.alarmWithoutName, arns.notAnArn],
    });
    expect(good(of(results, ref, 'patch')).notUnderstood).toEqual({
      count: 2,
      examples: [arns.ec2WithoutType, arns.notAnArn],
    });
    expect(good(of(results, ref, 'backups')).notUnderstood).toEqual({
      count: 2,
      examples: [arns.ec2WithoutType, arns.notAnArn],
    });
    for (const kind of ['alarms', 'patch', 'backups'] as const) {
      expect(
        good(of(results, 'component:default/app-1', kind)),
      ).not.toHaveProperty('notUnderstood');
    }
    expect(logger.warn).toHaveBeenCalledWith(
      `3 resource(s) tagged for entities in 111122223333/eu-west-1 have an ARN the operations reader does not understand, e.g. ${arns.notAnArn}; they are left out of the operations data`,
    );
    // Nothing is asked about them.
    expect(JSON.stringify(inputsByCommand(aws))).not.toContain(
      'i-0123456789abcdef0',
    );
  });
});

describe('AwsOperationsReader when the credentials cannot be had', () => {
  it('fails every kind of that account naming the credentials step, and makes no call', async () => {
    aws = mockAwsAccount(account);
    const logger = mockServices.logger.mock();
    const results = await new AwsOperationsReader({
      clients: new AwsClientFactory({
        credentialsManager: {
          getCredentialProvider: async () => {
            throw new Error(
              'There is no AWS integration that matches 111122223333. Please add a configuration for this AWS account.',
            );
          },
        },
      }),
      logger,
      now: () => account.now,
    }).read(account.targets);

    expect(results).toHaveLength(9);
    for (const r of results) {
      expect(r).toMatchObject({
        ok: false,
        error:
          'could not get credentials for account 111122223333: Error: There is no AWS integration that matches 111122223333. Please add a configuration for this AWS account.',
      });
    }
    expect(aws.totalCalls()).toBe(0);
  });
});

describe('AwsOperationsReader against an endpoint that never answers', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    // Accepts connections and never responds.
    server = createServer(() => {});
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  it('times out and records the timeout instead of hanging', async () => {
    const r = new AwsOperationsReader({
      clients: new AwsClientFactory({
        credentialsManager: fakeCredentialsManager(),
        endpoint,
        requestTimeoutMs: 150,
      }),
      logger: mockServices.logger.mock(),
    });
    const started = Date.now();
    const results = await r.read([account.targets[0]]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result).toMatchObject({
        ok: false,
        error: expect.stringMatching(
          /^tag:GetResources in 111122223333\/eu-west-1 failed: TimeoutError: .*\(AWS did not answer in time\)$/,
        ),
      });
    }
  });
});
