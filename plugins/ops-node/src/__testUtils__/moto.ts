/* eslint-disable jest/no-export, jest/valid-title -- a describe wrapper the moto test files share, named by them */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { ConfigReader } from '@backstage/config';
import { AwsClientFactory, AwsLocation } from '../aws';

/**
 * Tests against moto (https://github.com/getmoto/moto), a real AWS emulator
 * run as `python3 -m moto.server`: one server per test file, state reset
 * before each test.
 *
 * Without python3 or moto the tests are skipped with a message, unless
 * `OPS_TEST_MOTO=required`, which makes that a failure.
 */

/** moto's default account, and the region the tests use. */
export const MOTO_LOCATION: AwsLocation = {
  account: '123456789012',
  region: 'eu-west-1',
};

/** moto takes any credentials; these are the conventional ones. */
export const MOTO_CREDENTIALS = {
  accessKeyId: 'test',
  secretAccessKey: 'test',
};

const START_TIMEOUT_MS = 20_000;

/** Whether moto can run here, and if not, why. */
export type MotoAvailability =
  | { available: true; version: string }
  | { available: false; reason: string };

const found = new Map<string, MotoAvailability>();

/** Asks `python` (python3 by default) for moto's server module. */
export function motoAvailability(python = 'python3'): MotoAvailability {
  const cached = found.get(python);
  if (cached) return cached;
  const result = spawnSync(
    python,
    ['-c', 'import moto, moto.server; print(moto.__version__)'],
    { encoding: 'utf8', timeout: START_TIMEOUT_MS },
  );
  let availability: MotoAvailability;
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    availability = {
      available: false,
      reason:
        code === 'ENOENT'
          ? `${python} is not installed (not found on PATH)`
          : `${python} could not be run: ${result.error.message}`,
    };
  } else if (result.status !== 0) {
    const said = result.stderr.trim().split('\n').pop() ?? '';
    availability = {
      available: false,
      reason: `${python} has no moto server module (moto with its server extras, e.g. pip install "moto[server]"): ${said}`,
    };
  } else {
    availability = { available: true, version: result.stdout.trim() };
  }
  found.set(python, availability);
  return availability;
}

/**
 * What the moto tests do here: run, or, without moto, fail when
 * `OPS_TEST_MOTO=required` and else skip, each with a message saying why.
 */
export function motoTestMode(
  availability: MotoAvailability,
  env: NodeJS.ProcessEnv = process.env,
):
  | { mode: 'run'; version: string }
  | { mode: 'fail'; message: string }
  | { mode: 'skip'; message: string } {
  if (availability.available) {
    return { mode: 'run', version: availability.version };
  }
  if (env.OPS_TEST_MOTO === 'required') {
    return {
      mode: 'fail',
      message: `OPS_TEST_MOTO=required, but the moto tests cannot run: ${availability.reason}`,
    };
  }
  return {
    mode: 'skip',
    message: `the moto tests were skipped: ${availability.reason}. Set OPS_TEST_MOTO=required to fail instead.`,
  };
}

/** A moto server on a free port of 127.0.0.1. */
export class MotoServer {
  private process?: ChildProcess;
  private port?: number;
  private output = '';

  get endpoint(): string {
    if (!this.port) throw new Error('moto is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Config for the `aws` implementation against this server. */
  config(ops: Record<string, unknown> = {}): ConfigReader {
    return new ConfigReader({
      aws: {
        accounts: [{ accountId: MOTO_LOCATION.account, ...MOTO_CREDENTIALS }],
      },
      ops: { aws: { implementation: 'aws', endpoint: this.endpoint, ...ops } },
    });
  }

  /** A client factory for this server, built from {@link MotoServer.config}. */
  clients(): AwsClientFactory {
    return AwsClientFactory.fromConfig(this.config());
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(
      'python3',
      ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(this.port)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) => {
      child.once('exit', code =>
        reject(new Error(`moto.server exited (${code}): ${this.output}`)),
      );
    });
    exited.catch(() => {});
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const answered = await Promise.race([
        request('GET', `${this.endpoint}/moto-api/`).then(
          () => true,
          () => false,
        ),
        exited,
      ]);
      if (answered) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `moto.server did not answer on ${this.endpoint} within ${START_TIMEOUT_MS} ms: ${this.output}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }

  /** Forgets everything moto holds. */
  async reset(): Promise<void> {
    const status = await request('POST', `${this.endpoint}/moto-api/reset`);
    if (status !== 200) throw new Error(`moto did not reset: HTTP ${status}`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * `describe` with a moto server started before the tests and reset before
 * each; skipped (or failed, with `OPS_TEST_MOTO=required`) when moto cannot
 * run here.
 */
export function describeMoto(
  name: string,
  tests: (moto: MotoServer) => void,
): void {
  const plan = motoTestMode(motoAvailability());
  if (plan.mode === 'fail') {
    describe(name, () => {
      // eslint-disable-next-line jest/expect-expect
      it('runs against moto', () => {
        throw new Error(plan.message);
      });
    });
    return;
  }
  if (plan.mode === 'skip') {
    // eslint-disable-next-line no-console
    console.warn(`${name}: ${plan.message}`);
    // eslint-disable-next-line jest/no-disabled-tests
    describe.skip(name, () => {
      tests(new MotoServer());
    });
    return;
  }
  // Each call is a round trip to a Python server: on a busy machine a test
  // takes seconds, not milliseconds.
  jest.setTimeout(60_000);
  describe(`${name} (moto ${plan.version})`, () => {
    const moto = new MotoServer();
    beforeAll(() => moto.start(), START_TIMEOUT_MS + 5_000);
    beforeEach(() => moto.reset());
    afterAll(() => moto.stop());
    tests(moto);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function request(method: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: 2_000 }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
