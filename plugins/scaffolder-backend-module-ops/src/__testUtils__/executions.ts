import {
  executionToken,
  OPS_EXECUTION_SECRET_KEY,
  type OpsOperation,
  type Rfc,
  type RfcExecutionContext,
} from '@cloud-ops/plugin-ops-common';
import type {
  BackupGateway,
  MaintenanceWindowResult,
  PatchingGateway,
  SnapshotStarted,
} from '@cloud-ops/plugin-ops-node';
import { actionContext, auth, discovery } from './context';
import { ExecutionGuard } from '../execution/executionGuard';
import {
  OpsExecutionClient,
  type ExecutionProof,
} from '../execution/OpsExecutionClient';

/** The stack every test execution targets. */
export const TARGET = {
  entityRef: 'resource:default/orders-db',
  ownerGroup: 'group:default/payments',
  account: '123456789012',
  region: 'eu-west-1',
  selector: { 'cloud-ops.io/stack': 'orders-db' },
};

/** The stack the gateways are asked to change for {@link TARGET}. */
export const STACK = {
  account: TARGET.account,
  region: TARGET.region,
  entityRef: TARGET.entityRef,
  selector: TARGET.selector,
};

/** The stamp of the first execution a fresh {@link FakeOpsExecutions} starts. */
export const FIRST_STAMP = {
  rfcId: 'RFC-000101',
  attempt: 1,
  token: 'ops-RFC-000101-a1',
};

type Started = {
  rfcId: string;
  secret: string;
  taskId: string;
  context: RfcExecutionContext;
};

/**
 * The ops backend's execution API (`/executions/verify` and
 * `/executions/outputs`) served as a `fetch`, so tests run the real
 * `ExecutionGuard` and `OpsExecutionClient`. Like the backend, it answers 403
 * unless the secret and the task id are those of an execution it started.
 */
export class FakeOpsExecutions {
  readonly verified: ExecutionProof[] = [];
  readonly reports: (ExecutionProof & {
    stepId: string;
    outputs: Record<string, string>;
  })[] = [];
  private readonly executions = new Map<string, Started>();
  private sequence = 0;

  readonly guard = new ExecutionGuard(
    new OpsExecutionClient({
      discovery,
      auth,
      fetch: (input, init) => this.serve(input, init),
    }),
  );

  /**
   * Starts an execution as the executor would and returns the task secrets
   * it puts on the execution run.
   */
  start(options: {
    operation?: OpsOperation;
    parameters?: Record<string, unknown>;
    attempt?: number;
    sandbox?: boolean;
    selector?: Record<string, string>;
    taskId?: string;
    binding?: RfcExecutionContext['binding'];
    target?: Partial<RfcExecutionContext['target']>;
  }): { secrets: Record<string, string>; context: RfcExecutionContext } {
    this.sequence += 1;
    const rfcId = `RFC-${String(100 + this.sequence).padStart(6, '0')}`;
    const attempt = options.attempt ?? 1;
    const secret = `secret-${this.sequence}`;
    const context: RfcExecutionContext = {
      rfc: rfcFixture({
        id: rfcId,
        operation: options.operation,
        parameters: options.parameters ?? {},
        attempt,
      }),
      attempt,
      token: executionToken(rfcId, attempt),
      binding: options.binding ?? {
        templateRef: 'template:default/change-type',
      },
      operation: options.operation,
      target: {
        ...TARGET,
        selector: options.selector ?? TARGET.selector,
        ...options.target,
      },
      sandbox: options.sandbox ?? false,
    };
    this.executions.set(rfcId, {
      rfcId,
      secret,
      taskId: options.taskId ?? 'task-1',
      context,
    });
    return {
      secrets: {
        [OPS_EXECUTION_SECRET_KEY]: JSON.stringify({ rfcId, secret }),
      },
      context,
    };
  }

  private async serve(
    input: Parameters<typeof fetch>[0],
    init?: RequestInit,
  ): Promise<Response> {
    const path = new URL(String(input)).pathname.replace(/^\/api\/ops/, '');
    const token = new Headers(init?.headers).get('authorization');
    if (!token?.startsWith('Bearer ')) {
      return error(401, 'AuthenticationError', 'Missing credentials');
    }
    const body = JSON.parse(String(init?.body));
    const execution = this.executions.get(body.rfcId);
    if (
      !execution ||
      execution.secret !== body.secret ||
      execution.taskId !== body.taskId
    ) {
      return error(403, 'NotAllowedError', 'Not an execution of this RFC');
    }
    if (init?.method === 'POST' && path === '/executions/verify') {
      this.verified.push(body);
      return Response.json(execution.context);
    }
    if (init?.method === 'POST' && path === '/executions/outputs') {
      this.reports.push(body);
      return Response.json({});
    }
    return error(404, 'NotFoundError', `No route ${path}`);
  }
}

function error(status: number, name: string, message: string): Response {
  return Response.json(
    { error: { name, message }, response: { statusCode: status } },
    { status },
  );
}

function rfcFixture(partial: Partial<Rfc> & { id: string }): Rfc {
  const at = '2026-03-10T09:00:00.000Z';
  return {
    changeTypeId: partial.operation ?? 'change',
    changeTypeVersion: '1.0',
    title: 'Settings change',
    description: '',
    targetEntityRef: TARGET.entityRef,
    parameters: {},
    automation: 'automated',
    ownerGroup: TARGET.ownerGroup,
    origin: 'user',
    requester: 'user:default/wei',
    approvalRule: 'none',
    implementationPlan: 'p',
    testPlan: 't',
    rollbackPlan: 'r',
    risk: 'low',
    status: 'InProgress',
    approvals: [],
    attempt: 1,
    createdAt: at,
    updatedAt: at,
    version: 3,
    ...partial,
  };
}

/** One call to a fake gateway. */
export type GatewayCall = { method: string; request: any };

/** Patching and backup gateways that record every call in one list. */
export class FakeGateways {
  readonly calls: GatewayCall[] = [];
  windowResult: MaintenanceWindowResult = {
    windowId: 'mw-0123456789abcdef0',
    schedule: 'cron(0 3 ? * TUE#2 *)',
    created: true,
  };
  applyResult: { baselineId: string; commandId?: string } = {
    baselineId: 'pb-0123456789abcdef0',
    commandId: '5e5b2c8e-1f3a-4c47-9b1d-0a6c2f1e9d10',
  };
  snapshotResult: SnapshotStarted[] = [
    {
      resourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders',
      kind: 'backup-job',
      id: 'job-1',
    },
  ];

  readonly patching: PatchingGateway = {
    implementation: 'sandbox',
    setMaintenanceWindow: async request =>
      this.record('setMaintenanceWindow', request, this.windowResult),
    setPatchingExclusion: async request =>
      this.record('setPatchingExclusion', request, {
        windowId: this.windowResult.windowId,
      }),
    rejectUpdate: async request =>
      this.record('rejectUpdate', request, {
        baselineId: this.applyResult.baselineId,
      }),
    applyUpdate: async request =>
      this.record('applyUpdate', request, this.applyResult),
  };

  readonly backup: BackupGateway = {
    implementation: 'sandbox',
    setBackupSchedule: async request =>
      this.record('setBackupSchedule', request, {
        planId: 'plan-1',
        selectionId: 'selection-1',
        created: true,
      }),
    takeSnapshot: async request =>
      this.record('takeSnapshot', request, { started: this.snapshotResult }),
    restore: async request =>
      this.record('restore', request, { restoreJobId: 'restore-job-1' }),
  };

  /** Set, every gateway call is recorded and then fails with it. */
  failWith?: unknown;

  private record<T>(method: string, request: unknown, result: T): T {
    this.calls.push({ method, request });
    if (this.failWith !== undefined) throw this.failWith;
    return result;
  }
}

/**
 * An action context for a settings step: no input, the given task secrets,
 * and checkpoints kept in `checkpoints` so a second run sees a resumed task.
 */
export function executionContext(
  options: {
    secrets?: Record<string, string>;
    checkpoints?: Map<string, unknown>;
    isDryRun?: boolean;
    taskId?: string;
    stepId?: string;
  } = {},
) {
  const ctx = actionContext({}, options);
  return Object.assign(ctx, { secrets: options.secrets });
}

/**
 * Starts an execution and returns the context of a step in its run, plus
 * the proof the guard shows, as a report of that step carries it.
 */
export function inExecution(
  executions: FakeOpsExecutions,
  options: Parameters<FakeOpsExecutions['start']>[0],
) {
  const { secrets, context } = executions.start(options);
  const { secret } = JSON.parse(secrets[OPS_EXECUTION_SECRET_KEY]);
  return {
    ctx: executionContext({ secrets }),
    context,
    proof: { rfcId: context.rfc.id, secret, taskId: 'task-1', stepId: 'step' },
  };
}
