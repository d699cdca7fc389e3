/*
 * P3: the RFC API over HTTP on the real portal backend (packages/backend:
 * catalog, permission and auth plugins, demo users, the ops plugins with
 * the executor running), on SQLite and on PostgreSQL.
 *
 * 1. create + submit + approve triples per second with 10 clients: ana
 *    (payments) creates and submits an RFC of a change type that needs
 *    approval, omar (Central IT) approves it. Target >= 150 triples/s.
 * 2. p95 of filtered, paged RFC lists over 100,000 RFCs. Target <= 20 ms.
 *
 * Beside each figure, measured in the same run on the same backend: the
 * catalog's by-name read with the same number of clients (anchor).
 *
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs bench/rfc-bench.ts
 *
 * Options (env): CLIENTS (10), DURATION_SECONDS (20), RFC_BENCH_ROWS
 * (100000), DATABASES (sqlite,pg), IN_PROCESS (1: also print the in-process
 * stand-in, bench/rfc-bench-inprocess.ts, as a second line).
 */
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  machineLine,
  postgresAnswers,
  processCpuMs,
  startPortal,
  type Portal,
  type PortalDatabase,
} from './lib/portal';
import { OWNERS, percentile, SEED_BASE, seedRfcs } from './lib/rfcRows';

const CLIENTS = Number(process.env.CLIENTS ?? 10);
const DURATION = Number(process.env.DURATION_SECONDS ?? 20);
const ROWS = Number(process.env.RFC_BENCH_ROWS ?? 100_000);
const COMPONENTS = 200;
const PG =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

type Timings = Record<'create' | 'submit' | 'approve', number[]>;

async function call(
  portal: Portal,
  token: string,
  method: string,
  urlPath: string,
  body?: unknown,
) {
  const res = await fetch(`${portal.baseUrl}${urlPath}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `${method} ${urlPath}: ${res.status} ${text.slice(0, 300)}`,
    );
  }
  return JSON.parse(text);
}

function rfcBody(i: number) {
  // Even components are the payments team's (bench/lib/portal.ts), ana's team.
  const target = `component:default/bench-service-${(2 * i) % COMPONENTS}`;
  return {
    changeTypeId: 'request-backup-snapshot',
    title: `Snapshot before release ${i}`,
    description: 'One snapshot outside the schedule.',
    targetEntityRef: target,
    parameters: {
      owner: 'group:default/payments',
      component: target,
      environment: 'prod',
      costCenter: 'CC-1001',
      stack: target,
      reason: 'A known-good point before the release.',
    },
    implementationPlan: 'Take an on-demand snapshot.',
    testPlan: 'The recovery point shows on the timeline.',
    rollbackPlan: 'Delete the snapshot.',
    // Next month: the executor runs, but has nothing due during the run.
    requestedStartTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  };
}

/** CLIENTS loops of create, submit, approve, for `seconds`. */
async function triples(
  portal: Portal,
  requester: string,
  approver: string,
  seconds: number,
) {
  const timings: Timings = { create: [], submit: [], approve: [] };
  let done = 0;
  let next = 0;
  const failures: string[] = [];
  const until = performance.now() + seconds * 1000;
  const timed = async <T>(what: keyof Timings, fn: () => Promise<T>) => {
    const s = performance.now();
    const value = await fn();
    timings[what].push(performance.now() - s);
    return value;
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const i = next++;
        try {
          const draft = await timed('create', () =>
            call(portal, requester, 'POST', '/api/ops/rfcs', rfcBody(i)),
          );
          const submitted = await timed('submit', () =>
            call(
              portal,
              requester,
              'POST',
              `/api/ops/rfcs/${draft.id}/submit`,
              {
                version: draft.version,
              },
            ),
          );
          await timed('approve', () =>
            call(
              portal,
              approver,
              'POST',
              `/api/ops/rfcs/${draft.id}/approve`,
              {
                version: submitted.version,
              },
            ),
          );
          done++;
        } catch (error) {
          failures.push(String(error));
          if (failures.length > 20) throw error;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: done / elapsed, done, elapsed, timings, failures };
}

/** The anchor: the catalog by-name read with `connections` clients. */
async function catalogReads(
  portal: Portal,
  token: string,
  connections: number,
  seconds: number,
) {
  const latencies: number[] = [];
  const cpuBefore = processCpuMs(portal.pid);
  const instance = autocannon({
    url: portal.baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: req => ({
          ...req,
          method: 'GET',
          path: `/api/catalog/entities/by-name/component/default/bench-service-${Math.floor(
            Math.random() * COMPONENTS,
          )}`,
          headers: { authorization: `Bearer ${token}` },
        }),
      },
    ],
  });
  instance.on('response', (_c: unknown, _s: number, _b: number, ms: number) =>
    latencies.push(ms),
  );
  const result = await instance;
  const cpuAfter = processCpuMs(portal.pid);
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p95: percentile(latencies, 95),
    failed: result.non2xx + result.errors,
    cpuMs:
      cpuBefore !== undefined && cpuAfter !== undefined
        ? (cpuAfter - cpuBefore) / result.requests.total
        : undefined,
  };
}

/** Filtered lists the RFC queue and calendar ask for, with CLIENTS clients. */
async function lists(
  portal: Portal,
  token: string,
  seconds: number,
  connections: number,
) {
  const shapes = [
    (i: number) =>
      `status=PendingApproval&owner=${encodeURIComponent(
        OWNERS[i % 20],
      )}&limit=50`,
    (i: number) =>
      `status=Scheduled&status=PendingApproval&from=${new Date(
        SEED_BASE + (i % 300) * 86_400_000,
      ).toISOString()}&to=${new Date(
        SEED_BASE + ((i % 300) + 30) * 86_400_000,
      ).toISOString()}&sort=requestedStartTime&order=asc&limit=50`,
    (i: number) =>
      `targetEntityRef=${encodeURIComponent(
        `component:default/service-${i % 500}`,
      )}&limit=50`,
    (i: number) =>
      `requester=${encodeURIComponent(
        `user:default/user-${i % 200}`,
      )}&origin=user&limit=50`,
  ];
  const latencies: number[] = [];
  const byShape: number[][] = shapes.map(() => []);
  let n = 0;
  const shapeOf = new Map<string, number>();
  const instance = autocannon({
    url: portal.baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: req => {
          const i = n++;
          const p = `/api/ops/rfcs?${shapes[i % shapes.length](i)}`;
          shapeOf.set(p, i % shapes.length);
          return {
            ...req,
            method: 'GET',
            path: p,
            headers: { authorization: `Bearer ${token}` },
          };
        },
      },
    ],
  });
  let k = 0;
  instance.on('response', (_c: unknown, _s: number, _b: number, ms: number) => {
    latencies.push(ms);
    byShape[k++ % shapes.length].push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    failed: result.non2xx + result.errors,
    byShape: byShape.map(l =>
      percentile(
        l.sort((a, b) => a - b),
        95,
      ),
    ),
  };
}

const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));

async function measure(database: PortalDatabase) {
  console.log(`\nP3 on ${database.client}: starting the portal backend`);
  const portal = await startPortal({
    components: COMPONENTS,
    database,
    waitForSnapshots: false,
    // One requester and one approver write far more than the per-caller
    // limit (ops.limits.writesPerWindow) lets a person: off for the run.
    config: { ops: { limits: { writesPerWindow: 0 } } },
  });
  try {
    const ana = await portal.token('ana');
    const omar = await portal.token('omar');
    // Warm up both paths.
    await triples(portal, ana, omar, 3);
    await catalogReads(portal, ana, CLIENTS, 3);

    const anchorBefore = await catalogReads(portal, ana, CLIENTS, 10);
    const cpuBefore = processCpuMs(portal.pid);
    const run = await triples(portal, ana, omar, DURATION);
    const cpuAfter = processCpuMs(portal.pid);
    const anchorAfter = await catalogReads(portal, ana, CLIENTS, 10);
    const anchorRps = (anchorBefore.rps + anchorAfter.rps) / 2;
    console.log(`  ${machineLine()} (the load generator shares the machine)`);
    console.log(
      `  catalog by-name read, ${CLIENTS} clients (anchor): ${anchorBefore.rps.toFixed(
        0,
      )} req/s before, ${anchorAfter.rps.toFixed(0)} after; p95 ${ms(
        anchorBefore.p95,
      )} / ${ms(anchorAfter.p95)} ms; backend CPU ${ms(
        anchorBefore.cpuMs,
      )} ms/request`,
    );
    const sorted = (l: number[]) => [...l].sort((a, b) => a - b);
    console.log(
      `  create+submit+approve over HTTP, ${CLIENTS} clients: ${
        run.done
      } triples in ${run.elapsed.toFixed(1)} s = ${run.perSecond.toFixed(
        1,
      )} triples/s = ${(run.perSecond * 3).toFixed(0)} requests/s (${(
        (run.perSecond * 3) /
        anchorRps
      ).toFixed(
        2,
      )} x the catalog read's requests/s); target >= 150 triples/s: ${
        run.perSecond >= 150 ? 'met' : 'NOT met'
      }`,
    );
    console.log(
      `    p50/p95 ms: create ${ms(
        percentile(sorted(run.timings.create), 50),
      )}/${ms(percentile(sorted(run.timings.create), 95))}, submit ${ms(
        percentile(sorted(run.timings.submit), 50),
      )}/${ms(percentile(sorted(run.timings.submit), 95))}, approve ${ms(
        percentile(sorted(run.timings.approve), 50),
      )}/${ms(percentile(sorted(run.timings.approve), 95))}; backend CPU ${
        cpuBefore !== undefined && cpuAfter !== undefined && run.done
          ? ((cpuAfter - cpuBefore) / (run.done * 3)).toFixed(2)
          : '-'
      } ms/request; ${run.failures.length} failed${
        run.failures.length ? `: ${run.failures[0]}` : ''
      }`,
    );

    const knex = portal.opsDatabase();
    let seeded: number;
    try {
      seeded = await seedRfcs(knex, ROWS);
    } finally {
      await knex.destroy();
    }
    await lists(portal, omar, 3, CLIENTS);
    let listsOk = true;
    for (const clients of [1, CLIENTS]) {
      const list = await lists(portal, omar, DURATION / 2, clients);
      const anchor = await catalogReads(portal, omar, clients, DURATION / 2);
      listsOk &&= list.failed === 0 && list.rps > 0;
      console.log(
        `  filtered RFC list over ${ROWS} RFCs (seeded in ${seeded.toFixed(
          1,
        )} s), ${clients} client(s), as Central IT: p50 ${ms(
          list.p50,
        )} ms, p95 ${ms(list.p95)} ms, ${list.rps.toFixed(0)} req/s, ${
          list.failed
        } failed; p95 per shape (status+owner, start-time range, target, requester) ${list.byShape
          .map(ms)
          .join(' / ')} ms; target p95 <= 20 ms: ${
          list.p95 <= 20 ? 'met' : 'NOT met'
        }`,
      );
      console.log(
        `    catalog by-name read, same clients, same run (anchor): p95 ${ms(
          anchor.p95,
        )} ms, ${anchor.rps.toFixed(0)} req/s; ratio list/catalog p95 ${(
          list.p95 / anchor.p95
        ).toFixed(2)}`,
      );
    }
    return run.failures.length === 0 && listsOk;
  } finally {
    await portal.stop();
  }
}

async function main() {
  console.log(`P3 benchmark: ${machineLine()}`);
  const wanted = (process.env.DATABASES ?? 'sqlite,pg').split(',');
  let ok = true;
  if (wanted.includes('sqlite'))
    ok = (await measure({ client: 'sqlite' })) && ok;
  if (wanted.includes('pg')) {
    if (await postgresAnswers(PG)) {
      ok = (await measure({ client: 'pg', connection: PG })) && ok;
    } else {
      console.log(`\nP3 on pg: skipped, no PostgreSQL answers at ${PG}`);
    }
  }
  if (process.env.IN_PROCESS !== '0') {
    console.log(
      '\nIn process (STAND-IN: RFC service with catalog, identity and permissions answered in-process; no HTTP), bench/rfc-bench-inprocess.ts:',
    );
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, path.join(__dirname, 'rfc-bench-inprocess.ts')],
      { encoding: 'utf8', env: { ...process.env, RFC_BENCH_PAIRS: '1000' } },
    );
    console.log(
      child.stdout
        .trim()
        .split('\n')
        .map(l => `  ${l}`)
        .join('\n') || `  failed: ${child.stderr.slice(-500)}`,
    );
  }
  process.exit(ok ? 0 : 1);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
