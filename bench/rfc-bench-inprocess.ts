/*
 * STAND-IN, in process: RFC store and service throughput on SQLite, with the
 * catalog, identity and permissions answered in-process (no HTTP, no auth).
 * bench/rfc-bench.ts measures the real backend over HTTP and prints this
 * figure as its second line.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/rfc-bench-inprocess.ts
 *
 * Prints create+approve pairs per second (through the RFC service, with the
 * catalog, identity and permissions answered in-process) and the latency of
 * filtered, paged lists over 100,000 RFCs. Options: RFC_BENCH_PAIRS (default
 * 2000), RFC_BENCH_ROWS (default 100000), RFC_BENCH_QUERIES (default 500).
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { formatRfcId, type RfcStatus } from '@cloud-ops/plugin-ops-common';
import {
  CENTRAL_IT,
  OWNERS,
  percentile,
  SEED_BASE,
  seedRfcs,
} from './lib/rfcRows';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { DatabaseRfcStore } from '../plugins/ops-backend/src/database/DatabaseRfcStore';
import type { ApprovedChangeType } from '../plugins/ops-backend/src/services/ChangeTypes/ChangeTypeService';
import { RfcService } from '../plugins/ops-backend/src/services/Rfcs/RfcService';

const PAIRS = Number(process.env.RFC_BENCH_PAIRS ?? 2000);
const ROWS = Number(process.env.RFC_BENCH_ROWS ?? 100_000);
const QUERIES = Number(process.env.RFC_BENCH_QUERIES ?? 500);

const changeType: ApprovedChangeType = {
  templateRef: 'template:default/ec2-restart',
  id: 'ec2-restart',
  version: '1.0',
  title: 'Restart EC2 instances',
  classification: {
    category: 'Management',
    subcategory: 'Compute',
    item: 'EC2 instance',
    operation: 'Restart',
  },
  automation: 'manual',
  approval: 'by-origin',
  expectedDuration: 'PT30M',
  risk: 'medium',
  parameterSchema: {
    properties: { instanceCount: { type: 'integer', minimum: 1 } },
    required: ['instanceCount'],
  },
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rfc-bench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'ops.sqlite') },
    useNullAsDefault: true,
  });
  const store = await DatabaseRfcStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });

  const groups: Record<string, string[]> = {
    'user:default/ana': ['group:default/team-0'],
    'user:default/omar': [CENTRAL_IT],
  };
  const service = new RfcService({
    store,
    changeTypes: {
      list: async () => [changeType],
      get: async () => changeType,
    },
    catalog: {
      getEntityByRef: async () => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'payments-api', namespace: 'default' },
        spec: { owner: 'team-0' },
      }),
    } as any,
    userInfo: {
      getUserInfo: async (credentials: any) => {
        const ref = credentials.principal.userEntityRef;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [ref, ...groups[ref]],
        };
      },
    },
    permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
    auth: mockServices.auth(),
    logger: mockServices.rootLogger({ level: 'warn' }),
    centralItGroup: CENTRAL_IT,
  });
  const ana = mockCredentials.user('user:default/ana');
  const omar = mockCredentials.user('user:default/omar');
  const start = new Date(Date.now() + 86_400_000).toISOString();

  // 1. create + approve pairs, one after another as a single client would.
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const rfc = await service.create(
      {
        changeTypeId: 'ec2-restart',
        title: `Restart ${i}`,
        description: 'Rolling restart',
        targetEntityRef: 'component:default/payments-api',
        parameters: { instanceCount: 2 },
        implementationPlan: 'One at a time',
        testPlan: 'Staging',
        rollbackPlan: 'None needed',
        requestedStartTime: start,
        submit: true,
      },
      ana,
    );
    await service.act(
      rfc.id,
      { action: 'approve', version: rfc.version },
      omar,
    );
  }
  const pairSeconds = (performance.now() - t0) / 1000;

  // 2. Seed up to ROWS RFCs in bulk, spread over a year, owners and statuses.
  const seedSeconds = await seedRfcs(knex, ROWS);
  const total = Number((await knex('ops_rfcs').count({ n: '*' }))[0].n);
  const base = SEED_BASE;

  // 3. Filtered lists as the RFC queue and calendar ask for them.
  const queries = [
    (i: number) => ({
      status: ['PendingApproval' as RfcStatus],
      owner: OWNERS[i % 20],
      limit: 50,
    }),
    (i: number) => ({
      from: new Date(base + (i % 300) * 86_400_000).toISOString(),
      to: new Date(base + ((i % 300) + 30) * 86_400_000).toISOString(),
      sort: 'requestedStartTime' as const,
      order: 'asc' as const,
      status: ['Scheduled' as RfcStatus, 'PendingApproval' as RfcStatus],
      limit: 50,
    }),
    (i: number) => ({
      targetEntityRef: `component:default/service-${i % 500}`,
      limit: 50,
    }),
    (i: number) => ({
      requester: `user:default/user-${i % 200}`,
      origin: 'user' as const,
      limit: 50,
    }),
  ];
  // Warm up caches the way a running backend would be warm.
  for (let i = 0; i < 20; i++) await service.list(queries[i % 4](i), ana);
  const latencies: number[] = [];
  const byShape: number[][] = queries.map(() => []);
  let pages = 0;
  for (let i = 0; i < QUERIES; i++) {
    const q = queries[i % queries.length](i);
    const s = performance.now();
    const page = await service.list(q, ana);
    latencies.push(performance.now() - s);
    byShape[i % queries.length].push(performance.now() - s);
    if (page.nextCursor && i % 10 === 0) {
      // Follow a cursor now and then: the second page must be as fast.
      const s2 = performance.now();
      await service.list({ ...q, cursor: page.nextCursor }, ana);
      latencies.push(performance.now() - s2);
      pages += 1;
    }
  }
  latencies.sort((a, b) => a - b);

  const cpu = os.cpus();
  console.log(
    `rfc-bench-inprocess (STAND-IN: in process, no HTTP) on SQLite (better-sqlite3, file database), Node ${
      process.version
    }, ${cpu.length} x ${cpu[0]?.model}, load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (the machine is shared; figures move with load)`,
  );
  console.log(
    `create+approve pairs: ${PAIRS} in ${pairSeconds.toFixed(2)} s = ${(
      PAIRS / pairSeconds
    ).toFixed(0)} pairs/s (target >= 300/s)`,
  );
  console.log(
    `seeded up to ${ROWS} RFCs in ${seedSeconds.toFixed(
      1,
    )} s; table holds ${total} (${formatRfcId(total)})`,
  );
  console.log(
    `filtered list over ${total} RFCs, ${latencies.length} requests (${pages} next pages): ` +
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p95 ${percentile(
        latencies,
        95,
      ).toFixed(2)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[
        latencies.length - 1
      ].toFixed(2)} ms (target p95 <= 20 ms)`,
  );
  const shapes = [
    'status+owner',
    'start-time range+statuses',
    'target entity',
    'requester+origin',
  ];
  byShape.forEach((l, i) => {
    l.sort((a, b) => a - b);
    console.log(
      `  ${shapes[i]}: p50 ${percentile(l, 50).toFixed(2)} ms, p95 ${percentile(
        l,
        95,
      ).toFixed(2)} ms`,
    );
  });
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
