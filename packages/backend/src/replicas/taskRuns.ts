/**
 * The lines a replica (replicaBackend.ts) prints about its scheduled task
 * runs, and what replicas.test.ts reads from them.
 */

/** Prefix of each line; the rest of the line is a {@link TaskRunEvent} as JSON. */
export const TASK_RUN_MARKER = 'OPS_REPLICA_TASK_RUN';

export type TaskRunEvent = {
  /** The replica's id (OPS_REPLICA_ID) and process id. */
  replica: string;
  pid: number;
  /** Milliseconds since the epoch. */
  at: number;
  plugin: string;
  task: string;
  /** The task's scope; global unless it says local. */
  scope?: 'global' | 'local';
  /** Names one run: its start and its end or error carry the same run. */
  run: string;
  event: 'start' | 'end' | 'error';
};

/** One run of a task, on one replica. */
export type TaskRun = {
  key: string;
  replica: string;
  scope: 'global' | 'local';
  start: number;
  /** Undefined while it runs, or when its process died in it. */
  end?: number;
};

/** `plugin/task`, which names a task across plugins. */
export const taskKey = (e: Pick<TaskRunEvent, 'plugin' | 'task'>) =>
  `${e.plugin}/${e.task}`;

/** Pairs the start and end events of each run, of every replica. */
export function taskRuns(events: TaskRunEvent[]): TaskRun[] {
  const runs = new Map<string, TaskRun>();
  for (const e of events) {
    const id = `${e.replica}:${e.run}`;
    if (e.event === 'start') {
      runs.set(id, {
        key: taskKey(e),
        replica: e.replica,
        scope: e.scope ?? 'global',
        start: e.at,
      });
    } else {
      const run = runs.get(id);
      if (run) run.end = e.at;
    }
  }
  return [...runs.values()].sort((a, b) => a.start - b.start);
}

/**
 * Runs of one global task that overlapped: a run that started while another
 * run of it, on any replica, had not ended. A run of a replica that died in
 * it counts as running until the replica died.
 */
export function overlappingRuns(
  runs: TaskRun[],
  diedAt: Record<string, number | undefined>,
): Array<[TaskRun, TaskRun]> {
  const overlaps: Array<[TaskRun, TaskRun]> = [];
  const byTask = new Map<string, TaskRun[]>();
  for (const run of runs) {
    if (run.scope !== 'global') continue;
    byTask.set(run.key, [...(byTask.get(run.key) ?? []), run]);
  }
  for (const list of byTask.values()) {
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1];
      const until = before.end ?? diedAt[before.replica] ?? Infinity;
      if (list[i].start < until) overlaps.push([before, list[i]]);
    }
  }
  return overlaps;
}

/** Seconds in an ISO 8601 duration such as PT10S or P1DT2H; undefined for cron. */
export function durationSeconds(iso: string): number | undefined {
  const match =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      iso,
    );
  if (!match || iso === 'P' || iso === 'PT') return undefined;
  const [d, h, m, s] = match.slice(1).map(v => Number(v ?? 0));
  return ((d * 24 + h) * 60 + m) * 60 + s;
}
