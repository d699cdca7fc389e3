import { NotFoundError } from '@backstage/errors';
import type { LogEvent } from '@backstage/plugin-scaffolder-common';
import type { ExecutionScaffolder } from '../RfcExecutor';

type FakeTask = {
  id: string;
  templateRef: string;
  values: Record<string, unknown>;
  secrets: Record<string, string>;
  status: 'open' | 'processing' | 'completed' | 'failed' | 'cancelled';
  events: LogEvent[];
  createdBy?: string;
};

/**
 * The scaffolder as the executor sees it: tasks it launched, which a test
 * moves along (processing, completed, failed) as a task worker would.
 */
export class FakeScaffolder implements ExecutionScaffolder {
  readonly tasks: FakeTask[] = [];
  /** Who launched each task, as the scaffolder would record it. */
  readonly launchedWith: string[] = [];
  /** Makes the next scaffold call fail, e.g. a template the scaffolder refuses. */
  failNextScaffold?: Error;
  private launched = 0;

  scaffold: ExecutionScaffolder['scaffold'] = async (request, options) => {
    if (this.failNextScaffold) {
      const error = this.failNextScaffold;
      this.failNextScaffold = undefined;
      throw error;
    }
    const principal = options.credentials.principal as {
      type: string;
      subject?: string;
    };
    this.launchedWith.push(`${principal.type}:${principal.subject ?? ''}`);
    const task: FakeTask = {
      id: `task-${++this.launched}`,
      templateRef: request.templateRef,
      values: request.values as Record<string, unknown>,
      secrets: request.secrets ?? {},
      status: 'open',
      events: [],
    };
    this.tasks.push(task);
    return { taskId: task.id };
  };

  getTask: ExecutionScaffolder['getTask'] = async ({ taskId }) => {
    const task = this.find(taskId);
    return {
      id: task.id,
      status: task.status,
      createdAt: '2026-03-01T10:00:00.000Z',
      spec: {
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        parameters: task.values,
        output: {},
        steps: [
          { id: 'rfc', name: 'Record the RFC', action: 'ops:rfc:create' },
          {
            id: 'provision',
            name: 'Provision',
            action: 'aws:servicecatalog:provision',
          },
        ],
      } as any,
    };
  };

  getLogs: ExecutionScaffolder['getLogs'] = async ({ taskId, after }) =>
    this.find(taskId).events.filter(e => after === undefined || e.id > after);

  cancelTask: ExecutionScaffolder['cancelTask'] = async ({ taskId }) => {
    this.find(taskId).status = 'cancelled';
    return { status: 'cancelled' };
  };

  log(taskId: string, stepId: string, message: string, status?: string) {
    const task = this.find(taskId);
    task.status = 'processing';
    task.events.push({
      id: task.events.length + 1,
      taskId,
      type: 'log',
      createdAt: new Date().toISOString(),
      body: { message, stepId, ...(status ? { status: status as any } : {}) },
    });
  }

  complete(taskId: string) {
    const task = this.find(taskId);
    task.status = 'completed';
    task.events.push(this.completion(task, { message: 'Run completed' }));
  }

  fail(taskId: string, message: string) {
    const task = this.find(taskId);
    task.status = 'failed';
    task.events.push(
      this.completion(task, {
        message: 'Run completed with status: failed',
        error: { name: 'Error', message },
      }),
    );
  }

  forget(taskId: string) {
    this.tasks.splice(
      this.tasks.findIndex(t => t.id === taskId),
      1,
    );
  }

  private completion(task: FakeTask, body: object): LogEvent {
    return {
      id: task.events.length + 1,
      taskId: task.id,
      type: 'completion',
      createdAt: new Date().toISOString(),
      body: body as LogEvent['body'],
    };
  }

  private find(taskId: string): FakeTask {
    const task = this.tasks.find(t => t.id === taskId);
    if (!task) throw new NotFoundError(`Task with id ${taskId} does not exist`);
    return task;
  }
}
