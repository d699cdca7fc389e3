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
import { AwsBackupGateway } from './AwsBackupGateway';
import { shortHash, suffixedToken } from './naming';

/**
 * Every write of the backup gateway under throttling, access denied, a
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
const schedule = {
  frequency: 'daily' as const,
  startTime: '01:30',
  retentionDays: 35,
};
const NAME = 'ops-resource-default-orders-db';
const PLAN_ID = 'plan-1';
const PLAN_ARN = `arn:aws:backup:eu-west-1:111122223333:backup-plan:${PLAN_ID}`;
const TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders';
const INSTANCE =
  'arn:aws:ec2:eu-west-1:111122223333:instance/i-0a1b2c3d4e5f60718';
const DATABASE = 'arn:aws:rds:eu-west-1:111122223333:db:orders-db';
const RECOVERY_POINT =
  'arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-0123456789abcdef0';

const gateway = (clients: Parameters<FaultScenario['run']>[0]) =>
  new AwsBackupGateway(clients);

const selectionCreated = (done: string[]) => ({
  operation: 'backup:CreateBackupSelection',
  ok: { json: { SelectionId: 'sel-1', BackupPlanId: PLAN_ID } },
  write: {
    kind: 'token' as const,
    token: { field: 'CreatorRequestId', value: `${stamp.token}-selection` },
    done,
    required: { field: 'SelectionId', answer: { json: {} } },
  },
});

const SCENARIOS: FaultScenario[] = [
  {
    name: 'setBackupSchedule (no plan yet)',
    run: clients =>
      gateway(clients).setBackupSchedule({ stack, schedule, stamp }),
    steps: [
      {
        operation: 'backup:ListBackupPlans',
        ok: { json: { BackupPlansList: [] } },
      },
      {
        operation: 'backup:CreateBackupPlan',
        ok: { json: { BackupPlanId: PLAN_ID, BackupPlanArn: PLAN_ARN } },
        write: {
          kind: 'token',
          token: { field: 'CreatorRequestId', value: stamp.token },
          done: [],
          required: {
            field: 'BackupPlanId',
            answer: { json: { BackupPlanArn: PLAN_ARN } },
          },
        },
      },
      selectionCreated([`created backup plan ${PLAN_ID} (${NAME})`]),
    ],
  },
  {
    name: 'setBackupSchedule (plan without its selection)',
    run: clients =>
      gateway(clients).setBackupSchedule({ stack, schedule, stamp }),
    steps: [
      {
        operation: 'backup:ListBackupPlans',
        ok: {
          json: {
            BackupPlansList: [
              {
                BackupPlanId: PLAN_ID,
                BackupPlanArn: PLAN_ARN,
                BackupPlanName: NAME,
              },
            ],
          },
        },
      },
      {
        operation: 'backup:UpdateBackupPlan',
        ok: { json: { BackupPlanId: PLAN_ID, VersionId: 'v2' } },
        write: { kind: 'natural', done: [] },
      },
      {
        operation: 'backup:TagResource',
        ok: { json: {} },
        write: {
          kind: 'natural',
          bodyUnread: true,
          done: [`updated backup plan ${PLAN_ID} to rule ops-daily`],
        },
      },
      {
        operation: 'backup:ListBackupSelections',
        ok: { json: { BackupSelectionsList: [] } },
      },
      selectionCreated([
        `updated backup plan ${PLAN_ID} to rule ops-daily`,
        `tagged backup plan ${PLAN_ID} with RFC-000042`,
      ]),
    ],
  },
  {
    name: 'takeSnapshot (a backup job, EBS and RDS snapshots)',
    run: clients => gateway(clients).takeSnapshot({ stack, stamp }),
    steps: [
      {
        operation: 'tag:GetResources',
        ok: {
          json: {
            ResourceTagMappingList: [TABLE, INSTANCE, DATABASE].map(arn => ({
              ResourceARN: arn,
              Tags: [{ Key: 'app', Value: 'orders' }],
            })),
          },
        },
      },
      {
        operation: 'backup:ListProtectedResources',
        ok: { json: { Results: [] } },
      },
      {
        operation: 'backup:StartBackupJob',
        ok: { json: { BackupJobId: 'job-1' } },
        write: {
          kind: 'token',
          token: {
            field: 'IdempotencyToken',
            value: suffixedToken(stamp.token, shortHash(TABLE)),
          },
          done: [],
          required: { field: 'BackupJobId', answer: { json: {} } },
        },
      },
      {
        operation: 'ec2:DescribeSnapshots',
        ok: {
          xml: '<DescribeSnapshotsResponse><requestId>r</requestId><snapshotSet/></DescribeSnapshotsResponse>',
        },
      },
      {
        // No token: a repeat after a lost answer would snapshot twice.
        operation: 'ec2:CreateSnapshots',
        ok: {
          xml: '<CreateSnapshotsResponse><requestId>r</requestId><snapshotSet><item><snapshotId>snap-1</snapshotId><volumeId>vol-1</volumeId></item></snapshotSet></CreateSnapshotsResponse>',
        },
        write: {
          kind: 'once',
          done: [`started backup-job job-1 of ${TABLE}`],
          required: {
            field: 'SnapshotId',
            answer: {
              xml: '<CreateSnapshotsResponse><requestId>r</requestId><snapshotSet><item><volumeId>vol-1</volumeId></item></snapshotSet></CreateSnapshotsResponse>',
            },
          },
        },
      },
      {
        // Named after the token: a repeat is refused as existing, and found.
        operation: 'rds:CreateDBSnapshot',
        ok: {
          xml: '<CreateDBSnapshotResponse><CreateDBSnapshotResult><DBSnapshot><DBSnapshotIdentifier>ops-rfc-000042-a1-orders-db</DBSnapshotIdentifier></DBSnapshot></CreateDBSnapshotResult></CreateDBSnapshotResponse>',
        },
        write: {
          kind: 'natural',
          done: [
            `started backup-job job-1 of ${TABLE}`,
            `started ebs-snapshot snap-1 of ${INSTANCE}`,
          ],
        },
      },
    ],
  },
  {
    name: 'restore',
    run: clients =>
      gateway(clients).restore({
        stack,
        recoveryPointId: RECOVERY_POINT,
        stamp,
      }),
    steps: [
      {
        operation: 'backup:GetRecoveryPointRestoreMetadata',
        ok: {
          json: {
            RecoveryPointArn: RECOVERY_POINT,
            RestoreMetadata: { volumeType: 'gp3' },
            ResourceType: 'EBS',
          },
        },
      },
      {
        operation: 'backup:StartRestoreJob',
        ok: { json: { RestoreJobId: 'restore-1' } },
        write: {
          kind: 'token',
          token: { field: 'IdempotencyToken', value: stamp.token },
          done: [],
          required: { field: 'RestoreJobId', answer: { json: {} } },
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

describe.each(SCENARIOS)('AwsBackupGateway.$name', scenario => {
  it('makes exactly the calls the fault cases fail, when nothing fails', async () => {
    await expect(
      runWithoutFaults(aws, scenario, clients()),
    ).resolves.toBeDefined();
  });
});

describe.each(writerFaultCases(SCENARIOS))(
  'AwsBackupGateway.$name when $operation ($kind) meets $fault',
  c => {
    it('fails naming the call, what AWS said and what was done, and repeats it only if safe', async () => {
      const error = await runWriterFault(aws, c, clients());
      expect(error.message).toMatch(expectedMessage(c.step, c.fault));
    });
  },
);

describe('AwsBackupGateway with a lookup page missing the id of what it names', () => {
  it('fails instead of creating a second plan of the same name', async () => {
    aws.reset();
    aws.on('backup:ListBackupPlans', {
      json: { BackupPlansList: [{ BackupPlanName: NAME }] },
    });

    await expect(
      gateway(clients()).setBackupSchedule({ stack, schedule, stamp }),
    ).rejects.toThrow(
      `backup:ListBackupPlans in 111122223333/eu-west-1 failed: MalformedResponse: the answer has no BackupPlanId for the plan named ${NAME}`,
    );
    expect(aws.operationsSent()).toEqual(['backup:ListBackupPlans']);
  });
});

describe('AwsBackupGateway.takeSnapshot with several resources of a kind', () => {
  it('starts no further backup job once one has failed, and lists those started', async () => {
    const tables = [1, 2, 3, 4, 5, 6].map(
      n => `arn:aws:dynamodb:eu-west-1:111122223333:table/orders-${n}`,
    );
    aws.reset();
    aws.on('tag:GetResources', {
      json: {
        ResourceTagMappingList: tables.map(arn => ({ ResourceARN: arn })),
      },
    });
    aws.on('backup:ListProtectedResources', { json: { Results: [] } });
    // The first job is refused at once; the three in flight with it take a
    // while to start.
    aws.on('backup:StartBackupJob', (_attempt, body) => {
      const arn = JSON.parse(body).ResourceArn;
      return arn === tables[0]
        ? { error: 'AccessDeniedException', message: 'no', status: 403 }
        : { json: { BackupJobId: `job-${arn.slice(-1)}` }, delayMs: 100 };
    });

    const error = await gateway(clients())
      .takeSnapshot({ stack, stamp })
      .catch(e => e);
    // Time for a job that would start after the failure to reach the endpoint.
    await new Promise(resolve => setTimeout(resolve, 200));

    expect(
      aws
        .attemptsOf('backup:StartBackupJob')
        .map(j => JSON.parse(j.body).ResourceArn),
    ).toEqual(tables.slice(0, 4));
    expect(error.message).toBe(
      `backup:StartBackupJob in 111122223333/eu-west-1 failed: AccessDeniedException: no (allow backup:StartBackupJob for the role the portal uses in account 111122223333); already done: ${[
        2, 3, 4,
      ]
        .map(n => `started backup-job job-${n} of ${tables[n - 1]}`)
        .join(', ')}`,
    );
    expect(aws.operationsSent()).not.toContain('ec2:DescribeSnapshots');
  });
});
