// Runs several processes of the portal backend (src/index.ts, through
// replicaBackend.ts) against one PostgreSQL database and one Redis, as
// production replicas run, for replicas.test.ts.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TASK_RUN_MARKER, type TaskRunEvent } from './taskRuns';

/** The part of a `pg` client the test uses (pg ships no types). */
export interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  end(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};

/** A client of the database at `connection`, connected. */
export async function connectDatabase(connection: string): Promise<PgClient> {
  const client = new Client({ connectionString: connection });
  await client.connect();
  return client;
}

/** packages/backend, where the backend runs (catalog paths are relative to it). */
export const BACKEND_DIR = resolvePackagePath('backend');

export type Services = { postgres: string; redis: string };

/** Where the machine's PostgreSQL and Redis are. */
export function serviceUrls(env: NodeJS.ProcessEnv = process.env): Services {
  return {
    postgres:
      env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
      'postgresql://postgres@127.0.0.1:5432',
    redis: env.OPS_TEST_REDIS_CONNECTION_STRING ?? 'redis://127.0.0.1:6379',
  };
}

/**
 * What the replica test does here. It runs when PostgreSQL and Redis both
 * answer. When it is required (`CI` set, unless `OPS_TEST_REPLICAS=auto`;
 * or `OPS_TEST_REPLICAS=required`) and one does not, it fails saying which.
 * Otherwise it is skipped, with a message naming what is missing, so that
 * a machine with only Node.js, or with PostgreSQL but no Redis, still runs
 * every other test.
 */
export function replicaTestMode(
  services: Services,
  env: NodeJS.ProcessEnv = process.env,
  missing: string[] = unreachable(services),
): { mode: 'run' } | { mode: 'skip' | 'fail'; message: string } {
  if (missing.length === 0) return { mode: 'run' };
  const required =
    env.OPS_TEST_REPLICAS === 'required' ||
    (Boolean(env.CI) && env.OPS_TEST_REPLICAS !== 'auto');
  const reason = missing.join('; ');
  if (!required) {
    return {
      mode: 'skip',
      message: `the replica test was skipped: ${reason}. It runs, or fails, whenever CI or OPS_TEST_REPLICAS=required is set.`,
    };
  }
  return {
    mode: 'fail',
    message: `the replica test needs PostgreSQL and Redis, and ${reason}`,
  };
}

/** Which of the services do not answer, checked in a child process. */
function unreachable(services: Services): string[] {
  const script = `
    const net = require('node:net');
    const { Client } = require('pg');
    const [pgUrl, redisUrl] = process.argv.slice(1);
    const pg = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
    const postgres = pg.connect().then(() => pg.end()).then(() => null, e => 'PostgreSQL at ' + pgUrl + ' does not answer (' + e.message + ')');
    const redis = new Promise(resolve => {
      const u = new URL(redisUrl);
      const socket = net.connect(Number(u.port || 6379), u.hostname);
      const fail = m => { socket.destroy(); resolve('Redis at ' + redisUrl + ' does not answer (' + m + ')'); };
      socket.setTimeout(3000, () => fail('timed out'));
      socket.on('error', e => fail(e.message));
      socket.on('connect', () => socket.write('PING\\r\\n'));
      socket.on('data', d => { socket.destroy(); resolve(/^\\+PONG|^-NOAUTH/.test(String(d)) ? null : 'Redis at ' + redisUrl + ' answered ' + String(d).trim()); });
    });
    Promise.all([postgres, redis]).then(r => { console.log(JSON.stringify(r.filter(Boolean))); });
  `;
  const result = spawnSync(
    process.execPath,
    ['-e', script, adminUrl(services.postgres), services.redis],
    { cwd: BACKEND_DIR, encoding: 'utf8', timeout: 15_000 },
  );
  try {
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '');
  } catch {
    return [
      `the check for PostgreSQL and Redis failed: ${
        result.error?.message ?? result.stderr.trim()
      }`,
    ];
  }
}

/** The connection string with the `postgres` maintenance database. */
function adminUrl(connection: string): string {
  const url = new URL(connection);
  url.pathname = '/postgres';
  return url.toString();
}

/** A connection string for `database` on the same server. */
export function databaseUrl(connection: string, database: string): string {
  const url = new URL(connection);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createDatabase(connection: string, name: string) {
  const client = await connectDatabase(adminUrl(connection));
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** Drops the database even while connections to it remain. */
export async function dropDatabase(connection: string, name: string) {
  const client = await connectDatabase(adminUrl(connection));
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

type RespValue = string | number | null | RespValue[] | Error;

/** One Redis command over a connection of its own (RESP, no client library). */
export async function redisCommand(
  redisUrl: string,
  args: string[],
): Promise<RespValue> {
  const url = new URL(redisUrl);
  const commands = [args];
  if (url.password) {
    commands.unshift(
      url.username
        ? [
            'AUTH',
            decodeURIComponent(url.username),
            decodeURIComponent(url.password),
          ]
        : ['AUTH', decodeURIComponent(url.password)],
    );
  }
  const encode = (cmd: string[]) =>
    `*${cmd.length}\r\n${cmd
      .map(a => `$${Buffer.byteLength(a)}\r\n${a}\r\n`)
      .join('')}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port || 6379), url.hostname);
    let buffer = Buffer.alloc(0);
    const replies: RespValue[] = [];
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`Redis ${args[0]} timed out`));
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(commands.map(encode).join('')));
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      for (;;) {
        const parsed = parseResp(buffer, 0);
        if (!parsed) break;
        replies.push(parsed.value);
        buffer = buffer.subarray(parsed.end);
      }
      if (replies.length === commands.length) {
        socket.end();
        const last = replies[replies.length - 1];
        if (last instanceof Error) reject(last);
        else resolve(last);
      }
    });
  });
}

function parseResp(
  buffer: Buffer,
  start: number,
): { value: RespValue; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[start]);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return {
        value: buffer.toString('utf8', next, next + length),
        end: next + length + 2,
      };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buffer, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`Unexpected Redis reply: ${line}`);
  }
}

/** The Redis keys matching `pattern`. */
export async function redisKeys(
  redisUrl: string,
  pattern: string,
): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const reply = (await redisCommand(redisUrl, [
      'SCAN',
      cursor,
      'MATCH',
      pattern,
      'COUNT',
      '1000',
    ])) as [string, string[]];
    cursor = reply[0];
    keys.push(...reply[1]);
  } while (cursor !== '0');
  return keys;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** One backend process, in a process group of its own. */
export class Replica {
  /** The scheduled task runs this process reported, in order. */
  readonly runs: TaskRunEvent[] = [];
  /** Milliseconds from spawn to listening, once it listens. */
  listeningAfterMs?: number;
  /** When it was killed with SIGKILL, if it was. */
  killedAt?: number;
  /**
   * Why the backend did not start, when it said so. It then keeps running
   * and answers 503.
   */
  startupFailure?: string;
  private child?: ChildProcess;
  private exit?: Promise<void>;
  private readonly lines: Array<{ at: number; text: string }> = [];
  private readonly listeners = new Set<(run: TaskRunEvent) => void>();
  private log?: fs.WriteStream;

  constructor(
    readonly id: string,
    readonly port: number,
    private readonly logFile: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`replica ${this.id} is not running`);
    return this.child.pid;
  }

  get running(): boolean {
    return Boolean(
      this.child && this.child.exitCode === null && !this.child.signalCode,
    );
  }

  /**
   * Starts `node replicaBackend.ts` with the require hook of
   * `backstage-cli package start`, which transpiles the TypeScript sources
   * as they load (no build), and the given config files after
   * app-config.yaml.
   */
  start(configFiles: string[]) {
    const started = Date.now();
    this.log = fs.createWriteStream(this.logFile);
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join('src', 'replicas', 'replicaBackend.ts'),
        '--config',
        path.join('..', '..', 'app-config.yaml'),
        ...configFiles.flatMap(file => ['--config', file]),
      ],
      {
        cwd: BACKEND_DIR,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          // Not Jest's `test`: the scheduler's janitor, which frees the runs
          // of dead processes, only runs outside tests.
          NODE_ENV: 'development',
          OPS_REPLICA_ID: this.id,
          OPS_REPLICA_PARENT_PID: String(process.pid),
          LOG_LEVEL: 'info',
        },
      },
    );
    this.child = child;
    this.exit = new Promise(resolve => child.once('exit', () => resolve()));
    const onLine = (line: string) => {
      if (line.startsWith(`${TASK_RUN_MARKER} `)) {
        const run = JSON.parse(line.slice(TASK_RUN_MARKER.length + 1));
        this.runs.push(run);
        this.log?.write(`${line}\n`);
        for (const listener of this.listeners) listener(run);
        return;
      }
      const plain = line.replace(ANSI, '');
      if (
        this.listeningAfterMs === undefined &&
        plain.includes('Listening on')
      ) {
        this.listeningAfterMs = Date.now() - started;
      }
      if (!this.startupFailure && plain.includes('Backend startup failed')) {
        this.startupFailure = plain;
      }
      this.log?.write(`${plain}\n`);
      this.lines.push({ at: Date.now(), text: plain });
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
  }

  /** Called with each task run event as the process prints it. */
  onRun(listener: (run: TaskRunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** When the process first printed a line matching `pattern` (after `since`). */
  printed(pattern: RegExp, since = 0): number | undefined {
    return this.lines.find(line => line.at >= since && pattern.test(line.text))
      ?.at;
  }

  /** Its last lines of output, for a failure message. */
  lastLines(count = 40): string {
    return this.lines
      .slice(-count)
      .map(line => line.text)
      .join('\n');
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals) {
    if (!this.running) return;
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** SIGKILL to the process group; nothing runs on in it. */
  kill() {
    if (!this.running) return;
    this.killedAt ??= Date.now();
    this.signal('SIGKILL');
  }

  async stopped(): Promise<void> {
    this.kill();
    await this.exit;
    await new Promise<void>(resolve => {
      if (!this.log) resolve();
      else this.log.end(() => resolve());
    });
  }
}

export type HttpResult<T = any> = { status: number; body: T; text: string };

/** A JSON request to a replica, as a demo user when a token is given. */
export async function call<T = any>(
  replica: Replica,
  method: string,
  urlPath: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpResult<T>> {
  const res = await fetch(`${replica.baseUrl}${urlPath}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...options.headers,
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    /** Gives up at once when this says why. */
    stopEarly?: () => string | undefined;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const stop = options.stopEarly?.();
    if (stop) throw new Error(`Gave up waiting for ${what}: ${stop}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${what}${
          lastError ? `: ${(lastError as Error).message}` : ''
        }`,
      );
    }
    await sleep(options.intervalMs ?? 500);
  }
}
