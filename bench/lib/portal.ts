/*
 * Starts the portal backend of packages/backend (catalog, permission, auth
 * with the demo users, scaffolder, notifications, the ops plugins) as a child
 * process, on SQLite or PostgreSQL, with a generated catalog of N
 * components, for the benchmarks under bench/. The backend is the same one
 * `yarn start` runs; only its config differs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import knexFactory, { type Knex } from 'knex';

const ROOT = path.resolve(__dirname, '..', '..');
const BACKEND_DIR = path.join(ROOT, 'packages', 'backend');

export type PortalDatabase =
  | { client: 'sqlite' }
  | { client: 'pg'; connection: string };

export type Portal = {
  baseUrl: string;
  database: PortalDatabase['client'];
  /** A Backstage token of a demo user (from examples/org.yaml). */
  token(user: string): Promise<string>;
  /** Refs of the generated components. */
  components: string[];
  /** The backend's process id, for CPU figures. */
  pid: number;
  /** A knex client on the ops plugin's own database, for seeding. */
  opsDatabase(): Knex;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const OWNERS = ['payments', 'web'];

/**
 * The generated components: owned by the example teams, mapped to the
 * sandbox accounts by tag selector, with the tags the tag policy asks for on
 * two of three.
 */
function componentsYaml(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `bench-service-${i}`;
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        `  name: ${name}`,
        '  annotations:',
        `    cloud-ops.io/aws-tag-selector: app=${name}`,
        `    cloud-ops.io/aws-account: '${
          i % 2 ? '111122223333' : '444455556666'
        }'`,
        `    cloud-ops.io/aws-region: ${i % 2 ? 'eu-west-1' : 'us-east-1'}`,
        `    tags.cloud-ops.io/cost-center: CC-${1000 + (i % 9000)}`,
        ...(i % 3 ? ['    tags.cloud-ops.io/environment: production'] : []),
        'spec:',
        '  type: service',
        `  lifecycle: ${i % 4 ? 'production' : 'staging'}`,
        `  owner: group:default/${OWNERS[i % OWNERS.length]}`,
      ].join('\n'),
    );
  }
  return `${docs.join('\n---\n')}\n`;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  failed: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(`${what}: ${why}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

/**
 * Starts the backend, waits until the catalog holds the generated components
 * and (unless `waitForSnapshots` is false) the scheduled refresh has stored
 * sandbox snapshots for the last of them.
 */
export async function startPortal(options: {
  components: number;
  database: PortalDatabase;
  log?: (line: string) => void;
  /** Extra config, merged over the benchmark's own. */
  config?: Record<string, unknown>;
  waitForSnapshots?: boolean;
}): Promise<Portal> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-portal-bench-'));
  const port = await freePort();
  const catalogFile = path.join(dir, 'components.yaml');
  fs.writeFileSync(catalogFile, componentsYaml(options.components));
  const prefix = `bench_${process.pid}_${Date.now()}_`;

  const database =
    options.database.client === 'sqlite'
      ? {
          client: 'better-sqlite3',
          connection: { directory: path.join(dir, 'sqlite') },
        }
      : {
          client: 'pg',
          connection: options.database.connection,
          prefix,
        };
  const config = {
    backend: {
      baseUrl: `http://127.0.0.1:${port}`,
      listen: { port, host: '127.0.0.1' },
      database,
    },
    catalog: {
      locations: [
        {
          type: 'file',
          target: path.join(ROOT, 'examples', 'org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
        {
          type: 'file',
          target: path.join(ROOT, 'examples', 'templates', 'all.yaml'),
          rules: [{ allow: ['Location', 'Template'] }],
        },
        { type: 'file', target: catalogFile },
      ],
    },
    // The search collator would index the whole catalog now and then,
    // adding load the benchmark does not ask for.
    search: {
      collators: {
        catalog: {
          schedule: {
            frequency: { hours: 24 },
            timeout: { minutes: 15 },
            initialDelay: { hours: 12 },
          },
        },
      },
    },
    ops: {
      changeTypes: {
        trustedLocations: [
          `file:${path.join(ROOT, 'examples', 'templates')}/*`,
        ],
      },
      operations: {
        schedule: {
          frequency: { minutes: 30 },
          timeout: { minutes: 20 },
          initialDelay: { seconds: 5 },
        },
      },
      aws: {
        sandbox: {
          stateFile: path.join(dir, 'sandbox-state.json'),
          settingsStateFile: path.join(dir, 'sandbox-settings.json'),
        },
      },
      ...(options.config?.ops as object | undefined),
    },
    ...Object.fromEntries(
      Object.entries(options.config ?? {}).filter(([k]) => k !== 'ops'),
    ),
  };
  const configFile = path.join(dir, 'app-config.bench.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));

  const output: string[] = [];
  let exitCode: number | null | undefined;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // e.g. --prof or --cpu-prof, to see where the backend spends its time
      ...(process.env.BENCH_BACKEND_NODE_ARGS?.split(' ').filter(Boolean) ??
        []),
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join('src', 'index.ts'),
      '--config',
      path.join(ROOT, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: BACKEND_DIR,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: process.env.BENCH_BACKEND_LOG_LEVEL ?? 'warn',
      },
    },
  );
  child.once('exit', code => {
    exitCode = code;
  });
  // The backend never outlives the benchmark, even when it fails or is killed.
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  };
  process.once('exit', killGroup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killGroup();
      process.exit(130);
    });
  }
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', line => {
      output.push(line);
      if (output.length > 200) output.shift();
      if (process.env.BENCH_BACKEND_LOG) log(`  [backend] ${line}`);
    });
  }
  const failed = () =>
    exitCode !== undefined
      ? `the backend exited (${exitCode}); last lines:\n${output
          .slice(-40)
          .join('\n')}`
      : undefined;
  const baseUrl = `http://127.0.0.1:${port}`;

  const tokens = new Map<string, string>();
  const token = async (user: string) => {
    const cached = tokens.get(user);
    if (cached) return cached;
    const res = await fetch(`${baseUrl}/api/auth/demo/refresh`, {
      headers: { 'x-demo-user': user },
    });
    if (!res.ok) throw new Error(`demo sign-in of ${user}: ${res.status}`);
    const value = (await res.json()).backstageIdentity.token as string;
    tokens.set(user, value);
    return value;
  };

  const started = Date.now();
  const stop = async () => {
    if (exitCode === undefined && child.pid) {
      const exited = new Promise(r => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone already
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone already
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (options.database.client === 'pg') {
      await dropPrefixedDatabases(options.database.connection, prefix);
    }
  };

  try {
    await waitFor(
      'the backend to sign in a demo user',
      async () => (await token('ana')) || undefined,
      240_000,
      failed,
    );
    log(
      `  backend listening after ${((Date.now() - started) / 1000).toFixed(
        0,
      )} s`,
    );
    const last = `bench-service-${options.components - 1}`;
    const ana = await token('ana');
    await waitFor(
      `the catalog to ingest ${options.components} components`,
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/component/default/${last}`,
          { headers: { authorization: `Bearer ${ana}` } },
        );
        return res.ok ? true : undefined;
      },
      900_000,
      failed,
    );
    log(
      `  catalog ingested after ${((Date.now() - started) / 1000).toFixed(
        0,
      )} s`,
    );
    if (options.waitForSnapshots !== false) {
      // The scheduled refresh may have run before the catalog held them.
      await waitFor(
        'the refresh to start',
        async () => {
          const res = await fetch(
            `${baseUrl}/api/ops/.backstage/scheduler/v1/tasks/ops-operations-refresh/trigger`,
            { method: 'POST', headers: { authorization: `Bearer ${ana}` } },
          );
          return res.ok ? true : undefined;
        },
        120_000,
        failed,
      );
      await waitFor(
        'the refresh to store snapshots of every component',
        async () => {
          const res = await fetch(
            `${baseUrl}/api/ops/entities/component/default/${last}/operations`,
            { headers: { authorization: `Bearer ${ana}` } },
          );
          if (!res.ok) return undefined;
          const body = await res.json();
          return body.alarms?.refreshedAt ? true : undefined;
        },
        900_000,
        failed,
      );
      log(
        `  snapshots stored after ${((Date.now() - started) / 1000).toFixed(
          0,
        )} s`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    baseUrl,
    database: options.database.client,
    token,
    components: Array.from(
      { length: options.components },
      (_, i) => `component:default/bench-service-${i}`,
    ),
    pid: child.pid!,
    opsDatabase: () =>
      options.database.client === 'sqlite'
        ? knexFactory({
            client: 'better-sqlite3',
            connection: { filename: path.join(dir, 'sqlite', 'ops.sqlite') },
            useNullAsDefault: true,
          })
        : knexFactory({
            client: 'pg',
            connection: (() => {
              const url = new URL(options.database.connection);
              url.pathname = `/${prefix}ops`;
              return url.toString();
            })(),
          }),
    stop,
  };
}

async function dropPrefixedDatabases(connection: string, prefix: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg');
  const url = new URL(connection);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers at `connection` (its maintenance database). */
export async function postgresAnswers(connection: string): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg');
  const url = new URL(connection);
  url.pathname = '/postgres';
  const client = new Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system, ms) a process has used, from /proc. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The machine, as a benchmark prints it beside its figures. */
export function machineLine(): string {
  const cpu = os.cpus();
  return `Node ${process.version}, ${cpu.length} x ${
    cpu[0]?.model ?? 'cpu'
  }, load average ${os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ')}`;
}
