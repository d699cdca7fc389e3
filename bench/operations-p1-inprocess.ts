/*
 * STAND-IN, in process: the operations request's own code with an in-memory
 * catalog and no auth or permission round trips. bench/operations-p1.ts
 * measures the real backend and prints this figure as its second line; run
 * alone for the ops code's share of a request.
 *
 * Run from the repo root:
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs bench/operations-p1-inprocess.ts
 * Options (env): ENTITIES (5000), CONNECTIONS (50), DURATION_SECONDS (20).
 *
 * The server is the real operations router, service and SQLite snapshot
 * store, in a child process so that the load generator does not share its
 * event loop; the catalog is an in-memory stand-in answering getEntityByRef,
 * so the figure excludes the catalog's own latency.
 */
import type { Entity } from '@backstage/catalog-model';
import { AuthenticationError, NotFoundError } from '@backstage/errors';
import { compileTagPolicy } from '@cloud-ops/plugin-ops-common';
import autocannon from 'autocannon';
import express from 'express';
import knexFactory from 'knex';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { DatabaseOperationsSnapshotStore } from '../plugins/ops-backend/src/database/OperationsSnapshotStore';
import { createOperationsRouter } from '../plugins/ops-backend/src/routes/operations';
import {
  OperationsRefresher,
  OperationsService,
  SandboxOperationsReader,
} from '../plugins/ops-backend/src/services/OperationsData';

const ENTITIES = Number(process.env.ENTITIES ?? 5000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION_SECONDS ?? 20);

function makeEntity(i: number): Entity {
  const name = `service-${i}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'cloud-ops.io/aws-tag-selector': `app=${name}`,
        'cloud-ops.io/aws-account': i % 2 ? '111122223333' : '444455556666',
        'cloud-ops.io/aws-region': i % 2 ? 'eu-west-1' : 'us-east-1',
        'tags.cloud-ops.io/cost-center': `CC-${String(1000 + (i % 9000))}`,
        ...(i % 3 ? { 'tags.cloud-ops.io/environment': 'production' } : {}),
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: `group:default/team-${i % 40}`,
    },
  };
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

async function serve() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-p1-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'ops.sqlite') },
    useNullAsDefault: true,
  });
  const store = await DatabaseOperationsSnapshotStore.create({
    database: { getClient: async () => knex },
  });

  const entities = Array.from({ length: ENTITIES }, (_, i) => makeEntity(i));
  const groups: Entity[] = Array.from({ length: 40 }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: `team-${i}`, namespace: 'default' },
    spec: { type: 'team', children: [] },
  }));
  const byRef = new Map<string, Entity>();
  for (const e of [...entities, ...groups]) {
    byRef.set(`${e.kind.toLowerCase()}:default/${e.metadata.name}`, e);
  }
  const catalog = {
    async getEntityByRef(ref: any) {
      const key =
        typeof ref === 'string'
          ? ref
          : `${ref.kind.toLowerCase()}:${ref.namespace}/${ref.name}`;
      return byRef.get(key);
    },
    async getEntities() {
      return { items: entities };
    },
  } as any;
  const auth = {
    getOwnServiceCredentials: async () => ({
      principal: { type: 'service', subject: 'plugin:ops' },
    }),
  } as any;
  const logger = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child() {
      return logger;
    },
  } as any;

  const refresher = new OperationsRefresher({
    reader: new SandboxOperationsReader(),
    store,
    catalog,
    auth,
    logger,
  });
  const fillStarted = Date.now();
  const summary = await refresher.refreshAll();
  const fillMs = Date.now() - fillStarted;

  const config = parse(
    fs.readFileSync(path.resolve(__dirname, '../app-config.yaml'), 'utf8'),
  );
  const service = new OperationsService({
    catalog,
    store,
    refresher,
    centralItGroup: 'group:default/central-it',
    tagPolicy: compileTagPolicy(config.ops.tagPolicy),
    refreshIntervalMs: 60_000,
  });
  const httpAuth = {
    async credentials(req: express.Request) {
      if (!req.headers.authorization) throw new AuthenticationError('no token');
      return {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: 'user:default/ana' },
      };
    },
  } as any;

  const app = express();
  // Time spent in the server per request, to tell the code's cost from
  // waiting for a CPU on a busy machine.
  const serverMs: number[] = [];
  app.use((_req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () =>
      serverMs.push(Number(process.hrtime.bigint() - start) / 1e6),
    );
    next();
  });
  app.use(
    '/api/ops',
    await createOperationsRouter({ httpAuth, operations: service }),
  );
  app.use(
    (
      err: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res
        .status(err instanceof NotFoundError ? 404 : 500)
        .json({ error: { message: err.message } });
    },
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;

  process.send!({ type: 'operations-p1-ready', port, summary, fillMs });
  process.on('message', (m: any) => {
    if (m?.type === 'operations-p1-stats') {
      serverMs.sort((a, b) => a - b);
      process.send!({
        type: 'operations-p1-stats',
        p50: percentile(serverMs, 50),
        p95: percentile(serverMs, 95),
        p99: percentile(serverMs, 99),
      });
    }
  });
  process.on('disconnect', async () => {
    server.close();
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

async function main() {
  const child = fork(__filename, ['--serve'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port, summary, fillMs } = await new Promise<any>(
    (resolve, reject) => {
      // The TypeScript transform uses the same channel; wait for our message.
      child.on(
        'message',
        (m: any) => m?.type === 'operations-p1-ready' && resolve(m),
      );
      child.once('exit', code =>
        reject(new Error(`server exited with ${code}`)),
      );
    },
  );
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let n = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { authorization: 'Bearer bench' },
    requests: [
      {
        setupRequest: req => {
          // Every request asks for a different entity, spread over all of them.
          const i = (n++ * 7919) % ENTITIES;
          return {
            ...req,
            method: 'GET',
            path: `/api/ops/entities/component/default/service-${i}/operations`,
          };
        },
      },
    ],
  });
  instance.on(
    'response',
    (
      _client: unknown,
      statusCode: number,
      _bytes: number,
      responseTime: number,
    ) => {
      latencies.push(responseTime);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    },
  );
  const result = await instance;
  child.send({ type: 'operations-p1-stats' });
  const serverLatency = await new Promise<any>(resolve =>
    child.on(
      'message',
      (m: any) => m?.type === 'operations-p1-stats' && resolve(m),
    ),
  );
  child.disconnect();

  latencies.sort((a, b) => a - b);
  const p95 = percentile(latencies, 95);
  const figures = {
    benchmark: 'operations request in process (stand-in catalog, no auth)',
    entities: ENTITIES,
    snapshotsStored: summary.snapshots,
    storeFillMs: fillMs,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    requests: latencies.length,
    statusCodes: Object.fromEntries(statuses),
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: {
      p50: percentile(latencies, 50),
      p95,
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    },
    serverTimeMs: {
      p50: serverLatency.p50,
      p95: serverLatency.p95,
      p99: serverLatency.p99,
    },
    loadAverage1m: os.loadavg()[0],
    allOk: statuses.size === 1 && statuses.has(200),
    node: process.version,
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(figures, null, 2));
}

(process.argv.includes('--serve') ? serve() : main()).catch(e => {
  console.error(e);
  process.exit(1);
});
