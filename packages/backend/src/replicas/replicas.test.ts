/* eslint-disable no-console -- the test reports what the replicas did */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  call,
  connectDatabase,
  createDatabase,
  databaseUrl,
  dropDatabase,
  freePort,
  redisCommand,
  redisKeys,
  Replica,
  replicaTestMode,
  serviceUrls,
  sleep,
  waitFor,
  type HttpResult,
  type PgClient,
} from './harness';
import {
  durationSeconds,
  overlappingRuns,
  taskKey,
  taskRuns,
  type TaskRun,
  type TaskRunEvent,
} from './taskRuns';

// Two processes of the portal backend (src/index.ts: the ops plugin, the
// catalog with the repository's examples, permissions, auth with the demo
// provider, the scaffolder, ...) on one PostgreSQL database and with Redis as
// backend.cache, as production replicas run. Everything is asked over HTTP
// as demo users and checked in the shared database.

const services = serviceUrls();
const plan = replicaTestMode(services);

const RUN = `${Date.now().toString(36)}${Math.random()
  .toString(36)
  .slice(2, 6)}`;
const DATABASE = `ops_replicas_${RUN}`;
const CACHE_NAMESPACE = `ops-replicas-${RUN}`;

// Short schedules and timeouts, so that a dead replica's work is taken over
// within the test. Production keeps the defaults.
const EXECUTOR_FREQUENCY_S = 2;
const EXECUTOR_RUN_TIMEOUT_S = 10;
const LEASE_S = 5;
const REFRESH_FREQUENCY_S = 10;
const REFRESH_TIMEOUT_S = 15;
const PROVISION_DELAY_S = 20;
const STALE_TASK_S = 5;
/** The scheduler's janitor frees the runs of dead processes once a minute. */
const JANITOR_S = 60;

/** RFCs created at once, half on each replica, each approved on the other. */
const PARALLEL_RFCS = 40;
/** RFCs each approved on both replicas at once. */
const CONTESTED_RFCS = 10;
/** Pre-approved RFCs that provision a bucket each. */
const PROVISIONING_RFCS = 6;
/** The window in which nothing triggers the scheduled tasks. */
const QUIET_WINDOW_S = 24;

const ownership = {
  owner: 'group:default/payments',
  component: 'component:default/payments-api',
  environment: 'prod',
  costCenter: 'CC-1001',
};

/** A backup snapshot of payments-api that Central IT approves, next month. */
function snapshotRfc(title: string) {
  return {
    changeTypeId: 'request-backup-snapshot',
    title,
    description: 'One snapshot outside the schedule.',
    targetEntityRef: 'component:default/payments-api',
    parameters: {
      ...ownership,
      stack: 'component:default/payments-api',
      reason: 'A known-good point before the release.',
    },
    implementationPlan: 'Take an on-demand snapshot.',
    testPlan: 'The recovery point shows on the timeline.',
    rollbackPlan: 'Delete the snapshot.',
    requestedStartTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    submit: true,
  };
}

/** A pre-approved S3 bucket for payments-api, provisioned at once. */
function bucketRfc(bucketName: string) {
  return {
    changeTypeId: 's3-bucket',
    title: `S3 bucket ${bucketName}`,
    description: 'A bucket for the release artefacts.',
    targetEntityRef: 'component:default/payments-api',
    parameters: { ...ownership, bucketName, versioning: true },
    implementationPlan: 'Provision the S3 bucket product.',
    testPlan: 'Standard product.',
    rollbackPlan: 'Terminate the provisioned product.',
    submit: true,
  };
}

/**
 * A replica's config on `database`, with its files in `dir`: short
 * schedules, Redis as backend.cache, demo sign-in.
 */
const replicaConfig = (port: number, dir: string, database: string) => ({
  backend: {
    baseUrl: `http://127.0.0.1:${port}`,
    listen: { port, host: '127.0.0.1' },
    database: {
      client: 'pg',
      // Each plugin in its own schema of the one database.
      pluginDivisionMode: 'schema',
      connection: databaseUrl(services.postgres, database),
    },
    cache: {
      store: 'redis',
      connection: services.redis,
      redis: { client: { namespace: CACHE_NAMESPACE } },
    },
  },
  // Demo sign-in, as app-config.yaml has it for local runs.
  auth: {
    environment: 'development',
    providers: { demo: { development: {} } },
  },
  scaffolder: {
    taskRecovery: { enabled: true, staleTimeout: `PT${STALE_TASK_S}S` },
  },
  ops: {
    execution: {
      frequency: `PT${EXECUTOR_FREQUENCY_S}S`,
      lease: `PT${LEASE_S}S`,
      runTimeout: `PT${EXECUTOR_RUN_TIMEOUT_S}S`,
    },
    operations: {
      schedule: {
        frequency: `PT${REFRESH_FREQUENCY_S}S`,
        timeout: `PT${REFRESH_TIMEOUT_S}S`,
        initialDelay: 'PT5S',
      },
    },
    scaffolder: { provisionPollInterval: 'PT1S' },
    aws: {
      sandbox: {
        provisionDelay: `PT${PROVISION_DELAY_S}S`,
        // One sandbox account for both, as one AWS account would be.
        stateFile: path.join(dir, 'service-catalog.json'),
        settingsStateFile: path.join(dir, 'sandbox-settings.json'),
      },
    },
  },
});

/** A token for a demo user, from a replica. */
async function tokenFor(replica: Replica, user: string) {
  const answer = await fetch(`${replica.baseUrl}/api/auth/demo/refresh`, {
    headers: { 'x-demo-user': user },
  });
  if (answer.status !== 200) return undefined;
  return (await answer.json()).backstageIdentity.token as string;
}

const seqOf = (id: string) => Number(/^RFC-(\d+)$/.exec(id)![1]);

if (plan.mode === 'skip') {
  console.warn(plan.message);
}
if (plan.mode === 'fail') {
  describe('the replica test', () => {
    // eslint-disable-next-line jest/expect-expect
    it('can reach PostgreSQL and Redis', () => {
      throw new Error(plan.message);
    });
  });
}
const describeReplicas = plan.mode === 'run' ? describe : describe.skip;

describeReplicas('two backend replicas on one PostgreSQL and Redis', () => {
  let dir = '';
  let stateFile = '';
  let a: Replica;
  let b: Replica;
  let db: PgClient;
  let databaseCreated = false;
  let ana = '';
  let omar = '';
  let failed = false;
  const startedAt = Date.now();
  /** Every answer the replicas gave, for the check that none was a 5xx. */
  const answers: Array<{ replica: string; what: string; status: number }> = [];

  const api = async <T = any>(
    replica: Replica,
    method: string,
    urlPath: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<HttpResult<T>> => {
    const result = await call<T>(replica, method, urlPath, options);
    answers.push({
      replica: replica.id,
      what: `${method} ${urlPath}`,
      status: result.status,
    });
    return result;
  };

  /** Runs a step; when it fails, says what each replica printed last. */
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      failed = true;
      const tails = [a, b]
        .filter(Boolean)
        .map(
          r =>
            `--- replica ${r.id} (log ${dir}/${r.id}.log):\n${r.lastLines()}`,
        )
        .join('\n');
      (error as Error).message = `${what}: ${
        (error as Error).message
      }\n${tails}`;
      throw error;
    }
  };

  const config = (port: number) => replicaConfig(port, dir, DATABASE);

  /** Ready: it signs in demo users and offers the example change types. */
  const ready = (replica: Replica) =>
    waitFor(
      `replica ${replica.id} to sign in ana and offer the example change types`,
      async () => {
        const answer = await fetch(`${replica.baseUrl}/api/auth/demo/refresh`, {
          headers: { 'x-demo-user': 'ana' },
        });
        if (answer.status !== 200) return undefined;
        const token = (await answer.json()).backstageIdentity.token;
        const types = await call(replica, 'GET', '/api/ops/change-types', {
          token,
        });
        const ids = (types.body?.items ?? []).map((t: any) => t.id);
        return ['s3-bucket', 'request-backup-snapshot'].every(id =>
          ids.includes(id),
        )
          ? token
          : undefined;
      },
      {
        timeoutMs: 240_000,
        intervalMs: 1_000,
        stopEarly: () => {
          if (!replica.running) return `replica ${replica.id} exited`;
          return replica.startupFailure;
        },
      },
    );

  const rfcRows = async (seqs: number[]) =>
    (
      await db.query(
        `SELECT r.seq, r.status, r.version, r.attempt, r.task_id, r.lease_owner,
                array_agg(e.action ORDER BY e.id) AS actions,
                array_agg(e.actor ORDER BY e.id) AS actors
           FROM ops.ops_rfcs r JOIN ops.ops_rfc_events e ON e.rfc_seq = r.seq
          WHERE r.seq = ANY($1::int[])
          GROUP BY r.seq ORDER BY r.seq`,
        [seqs],
      )
    ).rows;

  const sandboxRecords = (): Array<{
    provisionedProductName: string;
    createdAt: number;
  }> => {
    if (!fs.existsSync(stateFile)) return [];
    return JSON.parse(fs.readFileSync(stateFile, 'utf8')).records ?? [];
  };

  const scaffolderTasks = async (bucketName: string) =>
    (
      await db.query(
        `SELECT id, status, spec FROM scaffolder.tasks
          WHERE spec::jsonb -> 'parameters' ->> 'bucketName' = $1`,
        [bucketName],
      )
    ).rows;

  const allRuns = () =>
    taskRuns([...a.runs, ...b.runs].sort((x, y) => x.at - y.at));

  beforeAll(async () => {
    await step('start two replicas', async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-replicas-'));
      stateFile = path.join(dir, 'service-catalog.json');
      await createDatabase(services.postgres, DATABASE);
      databaseCreated = true;
      const portA = await freePort();
      let portB = await freePort();
      while (portB === portA) portB = await freePort();
      a = new Replica('a', portA, path.join(dir, 'a.log'));
      b = new Replica('b', portB, path.join(dir, 'b.log'));
      const start = (replica: Replica) => {
        const file = path.join(dir, `${replica.id}.yaml`);
        // JSON is YAML.
        fs.writeFileSync(file, JSON.stringify(config(replica.port), null, 2));
        replica.start([file]);
      };
      // One after the other, as a rolling deployment starts them: two
      // backends migrating one empty database at once fail to start (the
      // plugins' knex migrations race; see docs/operations.md).
      start(a);
      ana = await ready(a);
      const aReadyAt = Date.now();
      start(b);
      await ready(b);
      const token = await tokenFor(b, 'omar');
      if (!token) throw new Error('b signed in no omar');
      omar = token;
      db = await connectDatabase(databaseUrl(services.postgres, DATABASE));
      console.log(
        `Replica a (pid ${a.pid}, port ${a.port}) ready after ${
          aReadyAt - startedAt
        } ms (listening after ${
          a.listeningAfterMs
        } ms, then migrations and the catalog's first ingestion); replica b (pid ${
          b.pid
        }, port ${b.port}) ready ${
          Date.now() - aReadyAt
        } ms later; database ${DATABASE}`,
      );
    });
  }, 300_000);

  afterAll(async () => {
    // Both process groups go, whatever happened; a stopped one is continued
    // first so that it can die.
    for (const replica of [a, b].filter(Boolean)) {
      replica.signal('SIGCONT');
    }
    await Promise.all([a, b].filter(Boolean).map(r => r.stopped()));
    await db?.end().catch(() => undefined);
    if (databaseCreated) await dropDatabase(services.postgres, DATABASE);
    const keys = await redisKeys(services.redis, `${CACHE_NAMESPACE}:*`).catch(
      () => [],
    );
    for (let i = 0; i < keys.length; i += 500) {
      await redisCommand(services.redis, ['DEL', ...keys.slice(i, i + 500)]);
    }
    if (!dir) return;
    if (failed) {
      console.warn(`The replicas' logs are kept in ${dir}`);
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `The replica test took ${Math.round((Date.now() - startedAt) / 1000)} s`,
    );
  }, 60_000);

  it('either replica serves any request, with one sign-in and one cache', async () => {
    await step('one RFC through both replicas', async () => {
      const created = await api(a, 'POST', '/api/ops/rfcs', {
        token: ana,
        body: snapshotRfc('Snapshot before the release'),
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('PendingApproval');
      // A token a signed is good on b, and b reads what a wrote.
      const read = await api(b, 'GET', `/api/ops/rfcs/${created.body.id}`, {
        token: ana,
      });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        id: created.body.id,
        status: 'PendingApproval',
        version: created.body.version,
        requester: 'user:default/ana',
      });

      const approved = await api(
        b,
        'POST',
        `/api/ops/rfcs/${created.body.id}/approve`,
        { token: omar, body: { version: created.body.version } },
      );
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('Scheduled');
      const again = await api(a, 'GET', `/api/ops/rfcs/${created.body.id}`, {
        token: omar,
      });
      expect(again.body).toMatchObject({
        status: 'Scheduled',
        version: approved.body.version,
      });
    });

    await step('the cache', async () => {
      // What one replica puts in backend.cache the other reads: Redis.
      const put = await call(
        a,
        'PUT',
        `/api/replica-probe/cache/probe?value=${RUN}`,
      );
      expect(put.status).toBe(200);
      const got = await call(b, 'GET', '/api/replica-probe/cache/probe');
      expect(got.body).toEqual({ replica: 'b', value: RUN });
      expect(
        (await redisKeys(services.redis, `${CACHE_NAMESPACE}:*`)).length,
      ).toBeGreaterThan(0);
    });
  }, 60_000);

  it('loses no update when transitions go through both replicas at once', async () => {
    const reference = await step('the history of one RFC alone', async () => {
      const { items } = (
        await api(a, 'GET', '/api/ops/rfcs?status=Scheduled&limit=10', {
          token: omar,
        })
      ).body;
      expect(items).toHaveLength(1);
      return (await rfcRows([seqOf(items[0].id)]))[0];
    });

    await step(
      `${PARALLEL_RFCS} RFCs created and approved across replicas`,
      async () => {
        const started = Date.now();
        const created = await Promise.all(
          Array.from({ length: PARALLEL_RFCS }, (_, i) =>
            api(i % 2 ? b : a, 'POST', '/api/ops/rfcs', {
              token: ana,
              body: snapshotRfc(`Parallel snapshot ${i}`),
            }),
          ),
        );
        expect(created.map(r => r.status)).toEqual(
          Array(PARALLEL_RFCS).fill(201),
        );
        const ids = created.map(r => r.body.id as string);
        expect(new Set(ids).size).toBe(PARALLEL_RFCS);

        // Each approved on the replica that did not create it.
        const approved = await Promise.all(
          created.map((r, i) =>
            api(i % 2 ? a : b, 'POST', `/api/ops/rfcs/${r.body.id}/approve`, {
              token: omar,
              body: { version: r.body.version },
            }),
          ),
        );
        expect(approved.map(r => r.status)).toEqual(
          Array(PARALLEL_RFCS).fill(200),
        );
        const tookMs = Date.now() - started;

        // Every history is whole: the same events as the RFC handled alone.
        const rows = await rfcRows(ids.map(seqOf));
        expect(rows).toHaveLength(PARALLEL_RFCS);
        for (const row of rows) {
          expect({
            seq: row.seq,
            actions: row.actions,
            actors: row.actors,
          }).toEqual({
            seq: row.seq,
            actions: reference.actions,
            actors: reference.actors,
          });
          expect(row.status).toBe('Scheduled');
          expect(row.version).toBe(reference.version);
        }
        // And each replica answers the same for each.
        for (const [i, id] of ids.entries()) {
          const [fromA, fromB] = await Promise.all([
            api(a, 'GET', `/api/ops/rfcs/${id}`, { token: omar }),
            api(b, 'GET', `/api/ops/rfcs/${id}/events`, { token: omar }),
          ]);
          expect(fromA.body.version).toBe(approved[i].body.version);
          expect(fromB.body.items.map((e: any) => e.action)).toEqual(
            reference.actions,
          );
        }
        console.log(
          `${PARALLEL_RFCS} RFCs created at once (half on each replica) and each approved on the other: ${tookMs} ms, every history whole`,
        );
      },
    );

    await step(
      `${CONTESTED_RFCS} RFCs approved on both replicas at once`,
      async () => {
        const created = await Promise.all(
          Array.from({ length: CONTESTED_RFCS }, (_, i) =>
            api(i % 2 ? b : a, 'POST', '/api/ops/rfcs', {
              token: ana,
              body: snapshotRfc(`Contested snapshot ${i}`),
            }),
          ),
        );
        expect(created.map(r => r.status)).toEqual(
          Array(CONTESTED_RFCS).fill(201),
        );
        const pairs = await Promise.all(
          created.map(r =>
            Promise.all(
              [a, b].map(replica =>
                api(replica, 'POST', `/api/ops/rfcs/${r.body.id}/approve`, {
                  token: omar,
                  body: { version: r.body.version },
                }),
              ),
            ),
          ),
        );
        // Exactly one approval wins; the other is told it lost (409).
        for (const pair of pairs) {
          expect(pair.map(r => r.status).sort()).toEqual([200, 409]);
        }
        const rows = await rfcRows(created.map(r => seqOf(r.body.id)));
        for (const row of rows) {
          expect(row.actions).toEqual(reference.actions);
          expect(row.status).toBe('Scheduled');
        }
        const winners = pairs.map(pair => (pair[0].status === 200 ? 'a' : 'b'));
        console.log(
          `${CONTESTED_RFCS} RFCs approved on both replicas at once: one approval each won (${
            winners.filter(w => w === 'a').length
          } on a, ${
            winners.filter(w => w === 'b').length
          } on b), the other got 409`,
        );
      },
    );

    expect(answers.filter(r => r.status >= 500)).toEqual([]);
  }, 180_000);

  it('executes each pre-approved RFC once, and runs each scheduled task once per interval across both', async () => {
    const buckets = Array.from(
      { length: PROVISIONING_RFCS },
      (_, i) => `replicas-${RUN}-${i}`,
    );
    const ids = await step(
      'pre-approved RFCs created on both replicas',
      async () => {
        const created = await Promise.all(
          buckets.map((bucket, i) =>
            api(i % 2 ? b : a, 'POST', '/api/ops/rfcs', {
              token: ana,
              body: bucketRfc(bucket),
            }),
          ),
        );
        expect(created.map(r => [r.status, r.body.status])).toEqual(
          Array(PROVISIONING_RFCS).fill([201, 'Scheduled']),
        );
        return created.map(r => r.body.id as string);
      },
    );

    // Nothing triggers a task in this window: the runs are the schedules'.
    const windowStart = Date.now();
    await sleep(QUIET_WINDOW_S * 1000);
    const windowEnd = Date.now();
    const windowS = (windowEnd - windowStart) / 1000;

    await step('the scheduled tasks in the quiet window', async () => {
      const inWindow = allRuns().filter(
        r => r.start >= windowStart && r.start < windowEnd,
      );
      const count = (task: string) => {
        const runs = inWindow.filter(r => r.key === task);
        return {
          total: runs.length,
          a: runs.filter(r => r.replica === 'a').length,
          b: runs.filter(r => r.replica === 'b').length,
        };
      };
      const executor = count('ops/ops-rfc-executor');
      const refresh = count('ops/ops-operations-refresh');
      console.log(
        `In ${windowS.toFixed(
          1,
        )} s: the executor (every ${EXECUTOR_FREQUENCY_S} s) ran ${
          executor.total
        } times (${executor.a} on a, ${
          executor.b
        } on b); the operations refresh (every ${REFRESH_FREQUENCY_S} s) ran ${
          refresh.total
        } times (${refresh.a} on a, ${refresh.b} on b)`,
      );
      // Once per interval across both: had each replica run its own
      // schedule, there would be about twice as many.
      expect(executor.total).toBeLessThanOrEqual(
        Math.floor(windowS / EXECUTOR_FREQUENCY_S) + 2,
      );
      expect(executor.total).toBeGreaterThanOrEqual(
        Math.floor(windowS / EXECUTOR_FREQUENCY_S / 2),
      );
      expect(refresh.total).toBeLessThanOrEqual(
        Math.floor(windowS / REFRESH_FREQUENCY_S) + 2,
      );
      expect(refresh.total).toBeGreaterThanOrEqual(1);
      expect(overlappingRuns(inWindow, {})).toEqual([]);
    });

    await step('each pre-approved RFC executed once', async () => {
      await waitFor(
        'the pre-approved RFCs to succeed',
        async () => {
          const rows = await rfcRows(ids.map(seqOf));
          if (rows.some(r => r.status === 'Failure')) {
            throw new Error(`an RFC failed: ${JSON.stringify(rows)}`);
          }
          return rows.every(r => r.status === 'Success') ? rows : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      const rows = await rfcRows(ids.map(seqOf));
      expect(rows).toHaveLength(PROVISIONING_RFCS);
      const records = sandboxRecords();
      const launchedOn: string[] = [];
      for (const [i, id] of ids.entries()) {
        const row = rows.find(r => r.seq === seqOf(id))!;
        // One attempt, started once, by the executor.
        expect(row.attempt).toBe(1);
        expect(row.actions.filter((x: string) => x === 'start')).toHaveLength(
          1,
        );
        expect(row.actions.filter((x: string) => x === 'succeed')).toHaveLength(
          1,
        );
        // One execution run in the scaffolder, and one bucket in the account.
        const tasks = await scaffolderTasks(buckets[i]);
        expect(tasks.map(t => [t.id, t.status])).toEqual([
          [row.task_id, 'completed'],
        ]);
        expect(
          records.filter(r => r.provisionedProductName === buckets[i]),
        ).toHaveLength(1);
        const marker = new RegExp(
          `Executing ${id} attempt 1 as scaffolder task`,
        );
        launchedOn.push(
          [a, b]
            .filter(r => r.printed(marker) !== undefined)
            .map(r => r.id)
            .join('+') || '?',
        );
      }
      console.log(
        `${PROVISIONING_RFCS} pre-approved RFCs: each launched once (by replica ${launchedOn.join(
          ', ',
        )}), one scaffolder task and one provisioned bucket each`,
      );
    });
  }, 240_000);

  it('loses nothing when a replica is killed mid-execution and mid-refresh', async () => {
    const bucket = `replicas-${RUN}-killed`;
    // Only a works until the kill, so that the execution and the refresh to
    // be cut off are a's: b is stopped, then continued after a is killed.
    b.signal('SIGSTOP');
    let kill!: {
      at: number;
      refreshStartedAt: number;
      rfc: any;
      task: any;
      refreshTicket: string | null;
      executorTicket: string | null;
      provisionedAt: number;
    };
    let id = '';
    try {
      id = await step('an execution under way on a', async () => {
        const created = await api(a, 'POST', '/api/ops/rfcs', {
          token: ana,
          body: bucketRfc(bucket),
        });
        expect(created.status).toBe(201);
        await waitFor(
          'the execution to provision on a',
          async () => {
            const [row] = await rfcRows([seqOf(created.body.id)]);
            if (row?.status !== 'InProgress' || !row.task_id) return undefined;
            const [task] = (
              await db.query(
                'SELECT status FROM scaffolder.tasks WHERE id = $1',
                [row.task_id],
              )
            ).rows;
            const provisioning = sandboxRecords().some(
              r => r.provisionedProductName === bucket,
            );
            return task?.status === 'processing' && provisioning
              ? true
              : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        return created.body.id as string;
      });

      kill = await step('the kill of a in a refresh', async () => {
        // SIGKILL while a runs the operations refresh, and not the executor:
        // a dead replica would hold the executor's run until its run timeout.
        const open = (task: string) => {
          const last = a.runs.filter(r => r.task === task).pop();
          return last?.event === 'start' ? last : undefined;
        };
        const executorClaimed = async () =>
          (
            await db.query(
              `SELECT current_run_ticket FROM ops.backstage_backend_tasks__tasks
                WHERE id = 'ops-rfc-executor'`,
            )
          ).rows[0]?.current_run_ticket;
        const refreshStart = await new Promise<TaskRunEvent>(
          (resolve, reject) => {
            let done = false;
            let off = () => {};
            const timer = setTimeout(() => {
              done = true;
              off();
              reject(new Error('a ran no operations refresh to kill it in'));
            }, (REFRESH_FREQUENCY_S + 20) * 1000);
            // Within the refresh, the first moment the executor holds no
            // run: it claims a run before it starts and releases it after it
            // ends, so the database is asked too.
            const watch = async (refresh: TaskRunEvent) => {
              await sleep(25);
              while (!done && open('ops-operations-refresh') === refresh) {
                if (!open('ops-rfc-executor') && !(await executorClaimed())) {
                  if (open('ops-operations-refresh') !== refresh) return;
                  done = true;
                  a.kill();
                  clearTimeout(timer);
                  off();
                  resolve(refresh);
                  return;
                }
                await sleep(5);
              }
            };
            off = a.onRun(run => {
              if (
                run.task === 'ops-operations-refresh' &&
                run.event === 'start'
              ) {
                watch(run).catch(reject);
              }
            });
          },
        );
        await a.stopped();
        const tickets = Object.fromEntries(
          (
            await db.query(
              `SELECT id, current_run_ticket FROM ops.backstage_backend_tasks__tasks`,
            )
          ).rows.map(r => [r.id, r.current_run_ticket]),
        );
        const [rfc] = await rfcRows([seqOf(id)]);
        const [task] = (
          await db.query(
            'SELECT id, status FROM scaffolder.tasks WHERE id = $1',
            [rfc.task_id],
          )
        ).rows;
        return {
          at: a.killedAt!,
          refreshStartedAt: refreshStart.at,
          rfc,
          task,
          refreshTicket: tickets['ops-operations-refresh'],
          executorTicket: tickets['ops-rfc-executor'],
          provisionedAt: sandboxRecords().find(
            r => r.provisionedProductName === bucket,
          )!.createdAt,
        };
      });
    } finally {
      b.signal('SIGCONT');
    }

    await step('what a was doing when it died', async () => {
      // a died holding the refresh, the RFC's lease and a running task whose
      // provisioning had not finished.
      expect(kill.refreshTicket).toBeTruthy();
      expect(kill.rfc.status).toBe('InProgress');
      expect(kill.rfc.lease_owner).toContain(`:${a.pid}:`);
      expect(kill.task.status).toBe('processing');
      expect(kill.at - kill.provisionedAt).toBeLessThan(
        PROVISION_DELAY_S * 1000,
      );
    });

    const recovery = await step('b finishing the work', async () => {
      const leaseOwners: Array<{ at: number; owner: string | null }> = [];
      let leaseTakenAt: number | undefined;
      let endedAt: number | undefined;
      const done = await waitFor(
        'b to finish the RFC and the refresh',
        async () => {
          const [row] = await rfcRows([seqOf(id)]);
          if (leaseOwners[leaseOwners.length - 1]?.owner !== row.lease_owner) {
            leaseOwners.push({ at: Date.now(), owner: row.lease_owner });
          }
          if (!leaseTakenAt && String(row.lease_owner).includes(`:${b.pid}:`)) {
            leaseTakenAt = Date.now();
          }
          if (!endedAt && row.status !== 'InProgress') endedAt = Date.now();
          const refreshOnB = b.runs.find(
            r =>
              r.task === 'ops-operations-refresh' &&
              r.event === 'end' &&
              r.at > kill.at,
          );
          return row.status !== 'InProgress' && refreshOnB
            ? { row, refreshOnB }
            : undefined;
        },
        {
          timeoutMs: (REFRESH_TIMEOUT_S + JANITOR_S + 45) * 1000,
          intervalMs: 250,
        },
      );
      return { ...done, leaseOwners, leaseTakenAt, endedAt: endedAt! };
    });

    await step('nothing lost, nothing done twice', async () => {
      const { row } = recovery;
      // The RFC ended well, as one attempt started once.
      expect(row.status).toBe('Success');
      expect(row.attempt).toBe(1);
      expect(row.actions.filter((x: string) => x === 'start')).toHaveLength(1);
      expect(row.actions.filter((x: string) => x === 'succeed')).toHaveLength(
        1,
      );
      // b's executor took the RFC over and closed it, following the same
      // task, which the scaffolder recovered and ran again from the start.
      const closedOnB = b.printed(
        /Executor: \d+ started, \d+ relaunched, [1-9]\d* succeeded/,
        kill.at,
      );
      expect(closedOnB).toBeDefined();
      const tasks = await scaffolderTasks(bucket);
      expect(tasks.map(t => [t.id, t.status])).toEqual([
        [kill.task.id, 'completed'],
      ]);
      const recovered = (
        await db.query(
          `SELECT created_at FROM scaffolder.task_events
            WHERE task_id = $1 AND event_type = 'recovered'`,
          [kill.task.id],
        )
      ).rows;
      expect(recovered).toHaveLength(1);
      // The same token: one bucket in the account, not two.
      expect(
        sandboxRecords().filter(r => r.provisionedProductName === bucket),
      ).toHaveLength(1);

      // The refresh a held was freed once its timeout had passed, and b ran
      // it: every entity's snapshots were read again after the kill.
      const refreshOnB = b.runs.find(
        r =>
          r.task === 'ops-operations-refresh' &&
          r.event === 'start' &&
          r.at > kill.at,
      )!;
      expect(refreshOnB.at - kill.refreshStartedAt).toBeGreaterThanOrEqual(
        REFRESH_TIMEOUT_S * 1000 - 1000,
      );
      const freedAt = b.printed(
        /Task timed out and was lost: ops-operations-refresh/,
        kill.at,
      );
      expect(freedAt).toBeDefined();
      const snapshots = (
        await db.query(
          'SELECT entity_ref, kind, attempted_at FROM ops.ops_operations_snapshots',
        )
      ).rows;
      expect(snapshots.length).toBeGreaterThan(0);
      expect(
        snapshots.filter(s => Date.parse(s.attempted_at) < kill.at),
      ).toEqual([]);

      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      const since = (at: number | string | Date | undefined) =>
        at === undefined ? '?' : s(new Date(at).getTime() - kill.at);
      console.log(
        [
          `a (pid ${a.pid}) was killed ${
            kill.at - kill.refreshStartedAt
          } ms into an operations refresh and ${s(
            kill.at - kill.provisionedAt,
          )} into provisioning ${bucket} (${id}, task ${
            kill.task.id
          }); its executor was ${
            kill.executorTicket ? 'in a run' : 'between runs'
          }`,
          `after the kill: the scaffolder on b recovered the task at +${since(
            recovered[0].created_at,
          )} and ran it again from the start; b's executor, holding the lease from +${since(
            recovery.leaseTakenAt,
          )}, closed the RFC ${row.status} at +${since(
            recovery.endedAt,
          )}: one attempt, one task, one bucket`,
          `b's janitor freed the refresh a held at +${since(
            freedAt,
          )}; b ran it at +${since(refreshOnB.at)}; ${
            snapshots.length
          } snapshots read again`,
        ].join('\n'),
      );
    });
  }, 300_000);

  it('never ran a global task twice at once, nor more often than its schedule, over the whole run', async () => {
    await step('every task run of both replicas', async () => {
      const runs = allRuns();
      const end = Date.now();
      const died = { a: a.killedAt };
      expect(overlappingRuns(runs, died)).toEqual([]);

      // Each global task's cadence, as the scheduler keeps it.
      const schemas = (
        await db.query(
          `SELECT table_schema FROM information_schema.tables
            WHERE table_name = 'backstage_backend_tasks__tasks'`,
        )
      ).rows.map(r => r.table_schema as string);
      const cadences = new Map<string, number>();
      let executorTimeout: string | undefined;
      for (const schema of schemas) {
        const rows = (
          await db.query(
            `SELECT id, settings_json FROM "${schema}".backstage_backend_tasks__tasks`,
          )
        ).rows;
        for (const row of rows) {
          const settings = JSON.parse(row.settings_json);
          const seconds = durationSeconds(settings.cadence);
          if (seconds)
            cadences.set(taskKey({ plugin: schema, task: row.id }), seconds);
          if (schema === 'ops' && row.id === 'ops-rfc-executor') {
            executorTimeout = settings.timeoutAfterDuration;
          }
        }
      }
      const lines: string[] = [];
      const tooOften: string[] = [];
      const byTask = new Map<string, TaskRun[]>();
      for (const run of runs.filter(r => r.scope === 'global')) {
        byTask.set(run.key, [...(byTask.get(run.key) ?? []), run]);
      }
      for (const [key, list] of [...byTask.entries()].sort()) {
        // A run cut off by the kill is done again, in the same slot.
        const finished = list.filter(r => r.end !== undefined);
        const cadence = cadences.get(key);
        lines.push(
          `${key}: ${finished.length} runs (${
            finished.filter(r => r.replica === 'a').length
          } on a, ${finished.filter(r => r.replica === 'b').length} on b)${
            cadence ? `, every ${cadence} s` : ''
          }`,
        );
        // The executor is also woken by approvals; its schedule alone is
        // checked in the quiet window.
        if (!cadence || key === 'ops/ops-rfc-executor') continue;
        // Each run takes the next slot of the one schedule both share.
        const allowed = Math.floor((end - startedAt) / 1000 / cadence) + 1;
        if (finished.length > allowed) {
          tooOften.push(`${key}: ${finished.length} runs, at most ${allowed}`);
        }
      }
      console.log(
        `Global task runs over ${Math.round(
          (end - startedAt) / 1000,
        )} s:\n${lines.join('\n')}`,
      );
      expect(tooOften).toEqual([]);
      // ops.execution.runTimeout reached the scheduler.
      expect(executorTimeout).toBe(`PT${EXECUTOR_RUN_TIMEOUT_S}S`);
      expect(answers.filter(r => r.status >= 500)).toEqual([]);
    });
  }, 60_000);
});

describeReplicas('two backend replicas starting at once', () => {
  const database = `ops_replicas_${RUN}_at_once`;
  let dir = '';
  let databaseCreated = false;
  let failed = false;
  const replicas: Replica[] = [];

  afterAll(async () => {
    await Promise.all(replicas.map(r => r.stopped()));
    if (databaseCreated) await dropDatabase(services.postgres, database);
    const keys = await redisKeys(services.redis, `${CACHE_NAMESPACE}:*`).catch(
      () => [],
    );
    for (let i = 0; i < keys.length; i += 500) {
      await redisCommand(services.redis, ['DEL', ...keys.slice(i, i + 500)]);
    }
    if (failed) console.warn(`The replicas' logs are kept in ${dir}`);
    else if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('both become ready on an empty database, each migration applied once', async () => {
    const startedAt = Date.now();
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-replicas-at-once-'));
      await createDatabase(services.postgres, database);
      databaseCreated = true;
      const portC = await freePort();
      let portD = await freePort();
      while (portD === portC) portD = await freePort();
      for (const [id, port] of [
        ['c', portC],
        ['d', portD],
      ] as const) {
        const replica = new Replica(id, port, path.join(dir, `${id}.log`));
        const file = path.join(dir, `${id}.yaml`);
        fs.writeFileSync(
          file,
          JSON.stringify(replicaConfig(port, dir, database), null, 2),
        );
        replicas.push(replica);
      }
      // The same moment: neither waits for the other's migrations.
      for (const replica of replicas) {
        replica.start([path.join(dir, `${replica.id}.yaml`)]);
      }

      // Ready means every plugin started; a backend whose start failed
      // answers 503 here and says why in its log.
      const readyAfter = await Promise.all(
        replicas.map(replica =>
          waitFor(
            `replica ${replica.id} to be ready`,
            async () => {
              const answer = await fetch(
                `${replica.baseUrl}/.backstage/health/v1/readiness`,
              );
              return answer.status === 200 ? Date.now() - startedAt : undefined;
            },
            {
              timeoutMs: 240_000,
              intervalMs: 500,
              stopEarly: () =>
                replica.running
                  ? replica.startupFailure
                  : `replica ${replica.id} exited`,
            },
          ),
        ),
      );
      expect(replicas.map(r => r.startupFailure)).toEqual([
        undefined,
        undefined,
      ]);

      // Each serves the ops API, to a user the other signed in.
      for (const [signer, server] of [replicas, [...replicas].reverse()]) {
        // Sign-in finds ana once the catalog's first ingestion has run.
        const token = await waitFor(
          `replica ${signer.id} to sign in ana`,
          () => tokenFor(signer, 'ana'),
          { timeoutMs: 120_000, intervalMs: 1_000 },
        );
        const list = await call(server, 'GET', '/api/ops/rfcs?limit=1', {
          token,
        });
        expect(list.status).toBe(200);
      }

      const db = await connectDatabase(
        databaseUrl(services.postgres, database),
      );
      try {
        const migrations = fs
          .readdirSync(
            resolvePackagePath('@cloud-ops/plugin-ops-backend', 'migrations'),
          )
          .filter(name => name.endsWith('.js'))
          .sort();
        const applied = await db.query(
          'SELECT name FROM ops.knex_migrations ORDER BY id',
        );
        expect(applied.rows.map(row => row.name)).toEqual(migrations);
        const lock = await db.query(
          'SELECT is_locked FROM ops.knex_migrations_lock',
        );
        expect(lock.rows).toEqual([{ is_locked: 0 }]);
      } finally {
        await db.end();
      }
      const waited = replicas.filter(r =>
        r.printed(/Can't take lock to run migrations/),
      );
      console.log(
        `Replicas started at once on an empty database: ready after ${readyAfter.join(
          ' and ',
        )} ms; ${
          waited.map(r => r.id).join(' and ') || 'neither'
        } waited for a migration lock`,
      );
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${replicas
        .map(
          r =>
            `--- replica ${r.id} (log ${dir}/${r.id}.log):\n${r.lastLines()}`,
        )
        .join('\n')}`;
      throw error;
    }
  }, 300_000);
});
