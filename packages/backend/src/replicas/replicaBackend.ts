// Starts the portal backend of src/index.ts as one replica among several, for
// src/replicas/replicas.test.ts. It is the same backend with two additions:
// - every scheduled task run prints a line naming this replica, so a test
//   can tell which process ran what and when;
// - a small probe plugin reads and writes the shared cache (backend.cache).
// Run with the transpiling require hook that `backstage-cli package start`
// uses, from packages/backend, with OPS_REPLICA_ID set.

import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  type SchedulerService,
  type SchedulerServiceTaskInvocationDefinition,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import { TASK_RUN_MARKER, type TaskRunEvent } from './taskRuns';

const replica = process.env.OPS_REPLICA_ID ?? `pid-${process.pid}`;

function report(event: Omit<TaskRunEvent, 'replica' | 'pid' | 'at'>): void {
  process.stdout.write(
    `${TASK_RUN_MARKER} ${JSON.stringify({
      replica,
      pid: process.pid,
      at: Date.now(),
      ...event,
    })}\n`,
  );
}

type TaskDefinition = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

/** The default scheduler, whose task functions report each run. */
const reportingScheduler = createServiceFactory({
  service: coreServices.scheduler,
  deps: {
    database: coreServices.database,
    logger: coreServices.logger,
    rootLifecycle: coreServices.rootLifecycle,
    httpRouter: coreServices.httpRouter,
    pluginMetadata: coreServices.pluginMetadata,
    metrics: metricsServiceRef,
  },
  async factory(deps) {
    const inner = DefaultSchedulerService.create(deps);
    const plugin = deps.pluginMetadata.getId();
    const reporting = (task: TaskDefinition): TaskDefinition => ({
      ...task,
      fn: async signal => {
        const run = Math.random().toString(36).slice(2, 10);
        report({
          plugin,
          task: task.id,
          scope: task.scope ?? 'global',
          run,
          event: 'start',
        });
        try {
          await task.fn(signal);
          report({ plugin, task: task.id, run, event: 'end' });
        } catch (error) {
          report({ plugin, task: task.id, run, event: 'error' });
          throw error;
        }
      },
    });
    const scheduler: SchedulerService = {
      triggerTask: id => inner.triggerTask(id),
      cancelTask: id => inner.cancelTask(id),
      scheduleTask: task => inner.scheduleTask(reporting(task)),
      createScheduledTaskRunner: schedule => ({
        run: task => inner.scheduleTask(reporting({ ...task, ...schedule })),
      }),
      getScheduledTasks: () => inner.getScheduledTasks(),
    };
    return scheduler;
  },
});

/**
 * `GET /api/replica-probe/cache/:key` reads a value through coreServices.cache
 * and `PUT /api/replica-probe/cache/:key?value=...` writes one, so a test can
 * see whether the replicas share the cache.
 */
const probePlugin = createBackendPlugin({
  pluginId: 'replica-probe',
  register(reg) {
    reg.registerInit({
      deps: { cache: coreServices.cache, httpRouter: coreServices.httpRouter },
      async init({ cache, httpRouter }) {
        httpRouter.addAuthPolicy({ path: '/cache', allow: 'unauthenticated' });
        httpRouter.use(async (req, res, next) => {
          const match = /^\/cache\/([\w.-]{1,100})$/.exec(req.path);
          if (!match) {
            next();
            return;
          }
          try {
            if (req.method === 'PUT') {
              await cache.set(match[1], String(req.query.value ?? ''));
              res.json({ replica });
            } else if (req.method === 'GET') {
              res.json({ replica, value: (await cache.get(match[1])) ?? null });
            } else {
              res.status(405).json({ error: `${req.method} is not allowed` });
            }
          } catch (error) {
            next(error);
          }
        });
      },
    });
  },
});

// A replica whose test process died stops too, rather than hold its port.
const parent = Number(process.env.OPS_REPLICA_PARENT_PID);
if (parent > 0) {
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 2_000).unref();
}

// src/index.ts builds and starts the backend when loaded; add to it on the way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const defaults = require('@backstage/backend-defaults');

const createBackend = defaults.createBackend;
defaults.createBackend = (...args: unknown[]) => {
  const backend = createBackend(...args);
  backend.add(reportingScheduler);
  backend.add(probePlugin);
  return backend;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../index');
