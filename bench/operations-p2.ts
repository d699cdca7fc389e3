/*
 * P2: AWS calls per refresh of 1,000 components, the batched reader against
 * a per-entity reader, measured in the same run against the same simulated
 * account (aws-sdk-client-mock). Target: batched <= 1/20 of per-entity.
 *
 * Run from the repo root:
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs bench/operations-p2.ts
 * Options (env): COMPONENTS (1000), ALARMS (2), INSTANCES (2), DATABASES (1)
 * per component.
 *
 * The per-entity reader is the same reader code given one entity at a time,
 * which is what reading "per component" means: its selector is resolved
 * with a value-filtered GetResources, and its alarms, patch states,
 * maintenance windows and backups are read with calls of its own. Stack
 * discovery by the entity-ref tag is left out of both readers so that they
 * do the same work.
 */
import { AwsOperationsReader } from '../plugins/ops-backend/src/services/OperationsData/AwsOperationsReader';
import {
  FakeAwsAccount,
  fakeClientProvider,
  mockAwsAccount,
} from '../plugins/ops-backend/src/services/OperationsData/__testUtils__/fakeAws';

const COMPONENTS = Number(process.env.COMPONENTS ?? 1000);

async function main() {
  const account = new FakeAwsAccount({
    entities: COMPONENTS,
    alarmsPerEntity: Number(process.env.ALARMS ?? 2),
    instancesPerEntity: Number(process.env.INSTANCES ?? 2),
    databasesPerEntity: Number(process.env.DATABASES ?? 1),
  });
  const aws = mockAwsAccount(account);
  const logger = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child: () => logger,
  } as any;
  const reader = new AwsOperationsReader({
    clients: fakeClientProvider,
    logger,
    discoverStacks: false,
    now: () => account.now,
  });

  let started = Date.now();
  const batchedResults = await reader.read(account.targets);
  const batchedMs = Date.now() - started;
  const batched = aws.callCounts();
  const batchedTotal = aws.totalCalls();
  aws.reset();

  started = Date.now();
  const perEntityResults = [];
  for (const target of account.targets) {
    perEntityResults.push(...(await reader.read([target])));
  }
  const perEntityMs = Date.now() - started;
  const perEntity = aws.callCounts();
  const perEntityTotal = aws.totalCalls();
  aws.restore();

  // Both must have read the same data, or the comparison means nothing.
  const key = (r: { entityRef: string; kind: string }) =>
    `${r.entityRef}/${r.kind}`;
  const sameData =
    JSON.stringify(
      [...batchedResults].sort((a, b) => key(a).localeCompare(key(b))),
    ) ===
    JSON.stringify(
      [...perEntityResults].sort((a, b) => key(a).localeCompare(key(b))),
    );
  const failures = [...batchedResults, ...perEntityResults].filter(
    r => !r.ok,
  ).length;

  const ratio = batchedTotal / perEntityTotal;
  console.log(
    JSON.stringify(
      {
        benchmark: 'P2 AWS calls per refresh',
        components: COMPONENTS,
        resources: account.resources.length,
        batched: { total: batchedTotal, byApi: batched, ms: batchedMs },
        perEntity: { total: perEntityTotal, byApi: perEntity, ms: perEntityMs },
        ratio: Number(ratio.toFixed(4)),
        ratioAsFraction: `1/${Math.round(perEntityTotal / batchedTotal)}`,
        sameData,
        failedReads: failures,
        target: 'batched <= 1/20 of per-entity',
        met: ratio <= 1 / 20 && sameData && failures === 0,
      },
      null,
      2,
    ),
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
