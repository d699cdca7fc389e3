import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';

export const discovery = {
  getBaseUrl: async (pluginId: string) => `http://backend.test/api/${pluginId}`,
  getExternalBaseUrl: async (pluginId: string) =>
    `http://backend.test/api/${pluginId}`,
};

export const auth = mockServices.auth();

/**
 * A mock action context whose checkpoints live in `checkpoints`: passing the
 * same map to a second run is what a resumed or retried task sees.
 */
export function actionContext<TInput extends Record<string, any>>(
  input: TInput,
  options: {
    checkpoints?: Map<string, unknown>;
    isDryRun?: boolean;
    stepId?: string;
    taskId?: string;
    signal?: AbortSignal;
  } = {},
) {
  const checkpoints = options.checkpoints ?? new Map<string, unknown>();
  const ctx = createMockActionContext({
    input: input as any,
    task: { id: options.taskId ?? 'task-1' },
  });
  const logs: string[] = [];
  const logger = ctx.logger;
  const info = logger.info.bind(logger);
  logger.info = ((message: string, ...rest: any[]) => {
    logs.push(message);
    return info(message, ...rest);
  }) as typeof logger.info;
  return Object.assign(ctx, {
    isDryRun: options.isDryRun,
    signal: options.signal,
    step: { id: options.stepId ?? 'step', name: 'step' },
    logs,
    checkpoint: async ({ key, fn }: { key: string; fn: () => any }) => {
      if (checkpoints.has(key)) return checkpoints.get(key);
      const value = await fn();
      checkpoints.set(key, value);
      return value;
    },
  });
}
