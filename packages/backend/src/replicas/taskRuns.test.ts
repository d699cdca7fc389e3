import { replicaTestMode } from './harness';
import {
  durationSeconds,
  overlappingRuns,
  taskRuns,
  type TaskRunEvent,
} from './taskRuns';

const event = (
  replica: string,
  run: string,
  kind: TaskRunEvent['event'],
  at: number,
  task = 'ops-rfc-executor',
  scope: TaskRunEvent['scope'] = 'global',
): TaskRunEvent => ({
  replica,
  pid: replica === 'a' ? 1 : 2,
  at,
  plugin: 'ops',
  task,
  scope: kind === 'start' ? scope : undefined,
  run,
  event: kind,
});

describe('task runs of replicas', () => {
  it('pairs starts with ends per replica and run', () => {
    expect(
      taskRuns([
        event('a', 'r1', 'start', 10),
        event('b', 'r1', 'start', 20),
        event('a', 'r1', 'end', 30),
        event('b', 'r1', 'error', 40),
        event('a', 'r2', 'start', 50),
      ]),
    ).toEqual([
      {
        key: 'ops/ops-rfc-executor',
        replica: 'a',
        scope: 'global',
        start: 10,
        end: 30,
      },
      {
        key: 'ops/ops-rfc-executor',
        replica: 'b',
        scope: 'global',
        start: 20,
        end: 40,
      },
      { key: 'ops/ops-rfc-executor', replica: 'a', scope: 'global', start: 50 },
    ]);
  });

  it('finds runs of a global task that overlapped across replicas', () => {
    const runs = taskRuns([
      event('a', 'r1', 'start', 10),
      event('a', 'r1', 'end', 20),
      event('b', 'r2', 'start', 20),
      event('b', 'r2', 'end', 30),
      event('a', 'r3', 'start', 25),
      event('a', 'r3', 'end', 35),
    ]);
    expect(overlappingRuns(runs, {})).toEqual([[runs[1], runs[2]]]);
  });

  it('counts a run cut off by a dead replica as running until it died, and leaves local tasks alone', () => {
    const runs = taskRuns([
      event('a', 'r1', 'start', 10),
      event('b', 'r2', 'start', 40),
      event('b', 'r2', 'end', 50),
      event('a', 'l1', 'start', 10, 'cleanup', 'local'),
      event('b', 'l2', 'start', 11, 'cleanup', 'local'),
    ]);
    expect(overlappingRuns(runs, { a: 30 })).toEqual([]);
    expect(overlappingRuns(runs, { a: 45 })).toHaveLength(1);
    // Never ended and never died: still running.
    expect(overlappingRuns(runs, {})).toHaveLength(1);
  });

  it('reads the cadences the scheduler keeps', () => {
    expect(durationSeconds('PT2S')).toBe(2);
    expect(durationSeconds('PT1M10S')).toBe(70);
    expect(durationSeconds('PT30M')).toBe(1800);
    expect(durationSeconds('P1DT1H')).toBe(90_000);
    expect(durationSeconds('PT0.5S')).toBe(0.5);
    expect(durationSeconds('0 0 * * *')).toBeUndefined();
    expect(durationSeconds('PT')).toBeUndefined();
  });
});

describe('whether the replica test runs', () => {
  const services = {
    postgres: 'postgresql://postgres@127.0.0.1:5432',
    redis: 'redis://127.0.0.1:6379',
  };
  const noPostgres = 'PostgreSQL at x does not answer';
  const noRedis = 'Redis at y does not answer';

  it('runs when both services answer, in CI or not', () => {
    expect(replicaTestMode(services, {}, [])).toEqual({ mode: 'run' });
    expect(replicaTestMode(services, { CI: 'true' }, [])).toEqual({
      mode: 'run',
    });
  });

  it('is skipped outside CI when either does not answer, naming it', () => {
    expect(replicaTestMode(services, {}, [noPostgres, noRedis])).toEqual({
      mode: 'skip',
      message: expect.stringContaining(`${noPostgres}; ${noRedis}`),
    });
    expect(replicaTestMode(services, {}, [noRedis])).toEqual({
      mode: 'skip',
      message: expect.stringContaining(noRedis),
    });
    expect(
      replicaTestMode(services, { OPS_TEST_REPLICAS: 'required' }, [
        noPostgres,
        noRedis,
      ]).mode,
    ).toBe('fail');
  });

  it('fails in CI, unless OPS_TEST_REPLICAS=auto allows the skip', () => {
    expect(
      replicaTestMode(services, { CI: 'true' }, [noPostgres, noRedis]),
    ).toEqual({
      mode: 'fail',
      message: expect.stringContaining(noPostgres),
    });
    expect(
      replicaTestMode(services, { CI: 'true', OPS_TEST_REPLICAS: 'auto' }, [
        noPostgres,
        noRedis,
      ]).mode,
    ).toBe('skip');
  });
});
