import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { OperationsSnapshotKind } from '@cloud-ops/plugin-ops-common';
import {
  DatabaseOperationsSnapshotStore,
  type StoredOperationsSnapshot,
} from '../../database/OperationsSnapshotStore';
import { AwsOperationsReader } from './AwsOperationsReader';
import { OperationsRefresher } from './OperationsRefresher';
import {
  FakeAwsAccount,
  fakeClientFactory,
  mockAwsAccount,
} from './__testUtils__/fakeAws';
import {
  FaultName,
  injectFault,
  ReaderSource,
  SOURCE_CALLS,
} from './__testUtils__/awsFaults';

/**
 * Faults end to end: the reader's results through the refresher into the
 * snapshot store, read back as the Operations tab gets them.
 */

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const FIRST = '2026-11-21T12:00:00.000Z';
const SECOND = '2026-11-21T12:15:00.000Z';
const THIRD = '2026-11-21T12:30:00.000Z';
const REF = 'component:default/app-0';
const KINDS: OperationsSnapshotKind[] = ['alarms', 'patch', 'backups'];

const entity = (app: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: app,
    namespace: 'default',
    annotations: {
      'cloud-ops.io/aws-tag-selector': `app=${app}`,
      'cloud-ops.io/aws-account': '111122223333',
      'cloud-ops.io/aws-region': 'eu-west-1',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/ops',
    lifecycle: 'production',
  },
});

/**
 * One call per source, the faults spread over them. `stale`: the kinds
 * whose last good snapshot is kept, marked stale; the others are stored
 * fresh, with `warning` naming the failed source on the kind it belongs to.
 */
const CASES: {
  operation: string;
  fault: FaultName;
  stale: OperationsSnapshotKind[];
  warning?: { kind: OperationsSnapshotKind; source: ReaderSource };
}[] = [
  { operation: 'tag:GetResources', fault: 'access denied', stale: KINDS },
  {
    operation: 'cloudwatch:DescribeAlarms',
    fault: 'throttling',
    stale: ['alarms'],
  },
  {
    operation: 'ssm:DescribeInstancePatchStates',
    fault: 'timeout',
    stale: ['patch'],
  },
  {
    operation: 'ssm:DescribeMaintenanceWindows',
    fault: 'endless pages',
    stale: [],
    warning: { kind: 'patch', source: 'maintenance-windows' },
  },
  {
    operation: 'ssm:DescribeInstancePatches',
    fault: 'malformed page',
    stale: [],
    warning: { kind: 'patch', source: 'pending-updates' },
  },
  {
    operation: 'backup:ListProtectedResources',
    fault: 'access denied',
    stale: [],
    warning: { kind: 'backups', source: 'aws-backup' },
  },
  {
    operation: 'ec2:DescribeSnapshots',
    fault: 'throttling',
    stale: [],
    warning: { kind: 'backups', source: 'ebs-snapshots' },
  },
  {
    operation: 'rds:DescribeDBSnapshots',
    fault: 'endless pages',
    stale: [],
    warning: { kind: 'backups', source: 'rds-snapshots' },
  },
];

/** The rows of the failed refresh: stale kinds keep the first read, the rest are fresh. */
function expectedRows(options: {
  operation: string;
  stale: OperationsSnapshotKind[];
  warning?: { kind: OperationsSnapshotKind; source: ReaderSource };
  error: RegExp;
  first: StoredOperationsSnapshot[];
}) {
  const { operation, stale, warning, error, first } = options;
  const sourceFailed = expect.arrayContaining([
    expect.objectContaining({
      source: warning?.source,
      error: expect.stringContaining(
        `${operation} in 111122223333/eu-west-1 failed`,
      ),
    }),
  ]);
  return KINDS.map(kind => {
    const before = first.find(r => r.kind === kind)!;
    if (stale.includes(kind)) {
      return expect.objectContaining({
        kind,
        stale: true,
        refreshedAt: FIRST,
        attemptedAt: SECOND,
        payload: before.payload,
        error: expect.stringMatching(error),
      });
    }
    return expect.objectContaining({
      kind,
      stale: false,
      refreshedAt: SECOND,
      error: null,
      payload:
        warning?.kind === kind
          ? expect.objectContaining({ warnings: sourceFailed })
          : expect.not.objectContaining({ warnings: expect.anything() }),
    });
  });
}

describe.each(databases.eachSupportedId())(
  'Operations refresh with AWS faults on %p',
  databaseId => {
    let aws: ReturnType<typeof mockAwsAccount>;
    afterEach(() => aws?.restore());

    async function setup() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseOperationsSnapshotStore.create({
        database: { getClient: async () => knex },
      });
      // app-0's first instance misses patches, so its patches are listed.
      const account = new FakeAwsAccount({
        entities: 2,
        alarmsPerEntity: 1,
        instancesPerEntity: 2,
        databasesPerEntity: 1,
      });
      aws = mockAwsAccount(account);
      let now = new Date(FIRST);
      const refresher = new OperationsRefresher({
        reader: new AwsOperationsReader({
          clients: fakeClientFactory(),
          logger: mockServices.logger.mock(),
          now: () => now,
        }),
        store,
        catalog: catalogServiceMock({
          entities: [entity('app-0'), entity('app-1')],
        }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        now: () => now,
      });
      await refresher.refreshAll();
      const first = await store.getSnapshots(REF);
      expect(first.every(r => !r.stale && r.refreshedAt === FIRST)).toBe(true);
      return {
        store,
        refresher,
        first,
        setNow: (at: string) => {
          now = new Date(at);
        },
      };
    }

    it.each(CASES)(
      'when $operation fails ($fault): stale $stale, the rest fresh',
      async ({ operation, fault, stale, warning }) => {
        const { store, refresher, first, setNow } = await setup();
        const call = SOURCE_CALLS.find(c => c.operation === operation)!;
        const error = injectFault(aws.mocks, call, fault);
        setNow(SECOND);

        await refresher.refreshAll();

        const rows = await store.getSnapshots(REF);
        const expected = expectedRows({
          operation,
          stale,
          warning,
          error,
          first,
        });
        expect(KINDS.map(kind => rows.find(r => r.kind === kind))).toEqual(
          expected,
        );

        // The next good read clears the error and the warnings.
        aws.restore();
        aws = mockAwsAccount(
          new FakeAwsAccount({
            entities: 2,
            alarmsPerEntity: 1,
            instancesPerEntity: 2,
            databasesPerEntity: 1,
          }),
        );
        setNow(THIRD);
        await refresher.refreshAll();
        const healed = await store.getSnapshots(REF);
        expect(healed).toHaveLength(3);
        for (const row of healed) {
          expect(row).toMatchObject({
            stale: false,
            error: null,
            refreshedAt: THIRD,
          });
          expect(row.payload).not.toHaveProperty('warnings');
        }
      },
    );
  },
);
