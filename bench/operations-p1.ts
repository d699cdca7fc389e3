/*
 * P1: the Operations-tab request against the catalog's own by-name read, on
 * the real portal backend (packages/backend: catalog, permission and auth
 * plugins, demo users, the ops plugins), with a generated catalog of N
 * components, each with sandbox snapshots, and 50 connections each asking
 * for a random component.
 *
 * Target: the ops request's p97.5 is at most 1.5 x the catalog read's p97.5,
 * measured in the same run, on SQLite and on PostgreSQL; its body is at most
 * 8 KB.
 *
 * Run from the repo root:
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs bench/operations-p1.ts
 * Options (env): ENTITIES (5000), CONNECTIONS (50), DURATION_SECONDS (15 per
 * round; two rounds of each request, interleaved), DATABASES (sqlite,pg; pg
 * only when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING or
 * postgresql://postgres@127.0.0.1:5432 answers), IN_PROCESS (1: also print
 * the in-process stand-in's figure, bench/operations-p1-inprocess.ts).
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

const ENTITIES = Number(process.env.ENTITIES ?? 5000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION_SECONDS ?? 15);
const PG =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';
const USERS = ['ana', 'priya', 'wei', 'omar', 'lena'];

type Run = {
  requests: number;
  rps: number;
  p50: number;
  p975: number;
  p99: number;
  non2xx: number;
  maxBytes: number;
  cpuMsPerRequest?: number;
};

async function drive(
  portal: Portal,
  tokens: string[],
  pathOf: (entityName: string) => string,
  seconds: number,
): Promise<Run> {
  let n = 0;
  let maxBytes = 0;
  const cpuBefore = processCpuMs(portal.pid);
  const instance = autocannon({
    url: portal.baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest: req => {
          const i = Math.floor(Math.random() * ENTITIES);
          const token = tokens[n++ % tokens.length];
          return {
            ...req,
            method: 'GET',
            path: pathOf(`bench-service-${i}`),
            headers: { authorization: `Bearer ${token}` },
          };
        },
      },
    ],
  });
  instance.on('response', (_c: unknown, _s: number, bytes: number) => {
    if (bytes > maxBytes) maxBytes = bytes;
  });
  const result = await instance;
  const cpuAfter = processCpuMs(portal.pid);
  const requests = result.requests.total;
  return {
    requests,
    rps: result.requests.average,
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    maxBytes,
    ...(cpuBefore !== undefined && cpuAfter !== undefined && requests
      ? { cpuMsPerRequest: (cpuAfter - cpuBefore) / requests }
      : {}),
  };
}

const catalogPath = (name: string) =>
  `/api/catalog/entities/by-name/component/default/${name}`;
const opsPath = (name: string) =>
  `/api/ops/entities/component/default/${name}/operations`;

function line(label: string, run: Run) {
  return `  ${label.padEnd(44)} p50 ${run.p50
    .toFixed(0)
    .padStart(4)} ms  p97.5 ${run.p975.toFixed(0).padStart(4)} ms  p99 ${run.p99
    .toFixed(0)
    .padStart(4)} ms  ${run.rps.toFixed(0).padStart(5)} req/s  ${
    run.requests
  } requests, ${run.non2xx} failed, body <= ${(run.maxBytes / 1024).toFixed(
    1,
  )} KB${
    run.cpuMsPerRequest !== undefined
      ? `, backend CPU ${run.cpuMsPerRequest.toFixed(2)} ms/request`
      : ''
  }`;
}

async function measure(database: PortalDatabase) {
  console.log(
    `\nP1 on ${database.client}: starting the portal backend with ${ENTITIES} components`,
  );
  const portal = await startPortal({ components: ENTITIES, database });
  try {
    const tokens = await Promise.all(USERS.map(u => portal.token(u)));
    // The body of one ops answer, as the tab receives it.
    const sample = await fetch(
      `${portal.baseUrl}${opsPath('bench-service-1')}`,
      {
        headers: { authorization: `Bearer ${tokens[0]}` },
      },
    );
    const sampleBytes = (await sample.arrayBuffer()).byteLength;
    // Warm both routes (JIT, connection pools, caches a running portal has).
    await drive(portal, tokens, catalogPath, 5);
    await drive(portal, tokens, opsPath, 5);
    const catalogRuns: Run[] = [];
    const opsRuns: Run[] = [];
    for (let round = 0; round < 2; round++) {
      catalogRuns.push(await drive(portal, tokens, catalogPath, DURATION));
      opsRuns.push(await drive(portal, tokens, opsPath, DURATION));
    }
    console.log(
      `  ${machineLine()} (after the runs; the load generator shares the machine)`,
    );
    catalogRuns.forEach((r, i) =>
      console.log(line(`catalog by-name read, round ${i + 1} (anchor)`, r)),
    );
    opsRuns.forEach((r, i) =>
      console.log(line(`ops Operations-tab request, round ${i + 1}`, r)),
    );
    const worst = (runs: Run[]) => Math.max(...runs.map(r => r.p975));
    const best = (runs: Run[]) => Math.min(...runs.map(r => r.p975));
    const ratios = opsRuns.map((r, i) => r.p975 / catalogRuns[i].p975);
    const ratio = Math.max(...ratios);
    const failed = [...catalogRuns, ...opsRuns].some(r => r.non2xx > 0);
    console.log(
      `  ratio ops/catalog p97.5 per round: ${ratios
        .map(r => r.toFixed(2))
        .join(', ')} (catalog p97.5 ${best(catalogRuns).toFixed(0)}-${worst(
        catalogRuns,
      ).toFixed(0)} ms); target <= 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  ops body ${(sampleBytes / 1024).toFixed(1)} KB; target <= 8 KB: ${
        sampleBytes <= 8192 ? 'met' : 'NOT met'
      }${failed ? '; SOME REQUESTS FAILED' : ''}`,
    );
    return { database: database.client, ratio, sampleBytes, failed };
  } finally {
    await portal.stop();
  }
}

async function main() {
  console.log(
    `P1 benchmark: ${ENTITIES} components, ${CONNECTIONS} connections, ${DURATION} s per round; ${machineLine()}`,
  );
  const wanted = (process.env.DATABASES ?? 'sqlite,pg').split(',');
  const results = [];
  if (wanted.includes('sqlite')) {
    results.push(await measure({ client: 'sqlite' }));
  }
  if (wanted.includes('pg')) {
    if (await postgresAnswers(PG)) {
      results.push(await measure({ client: 'pg', connection: PG }));
    } else {
      console.log(`\nP1 on pg: skipped, no PostgreSQL answers at ${PG}`);
    }
  }
  if (process.env.IN_PROCESS !== '0') {
    console.log(
      '\nIn process (STAND-IN: stand-in catalog, no HTTP auth or permission round trips), bench/operations-p1-inprocess.ts:',
    );
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, path.join(__dirname, 'operations-p1-inprocess.ts')],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          DURATION_SECONDS: String(Math.min(DURATION, 10)),
        },
      },
    );
    try {
      const figures = JSON.parse(child.stdout.slice(child.stdout.indexOf('{')));
      console.log(
        `  in-process ops request: p50 ${figures.latencyMs.p50} ms, p95 ${figures.latencyMs.p95} ms, ${figures.requestsPerSecond} req/s (stand-in)`,
      );
    } catch {
      console.log(`  the in-process run failed: ${child.stderr.slice(-500)}`);
    }
  }
  const failedAny = results.some(r => r.failed);
  process.exit(failedAny ? 1 : 0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
