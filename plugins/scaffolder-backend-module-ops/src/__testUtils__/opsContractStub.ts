import type {
  Rfc,
  RfcAuditEvent,
  RfcExecution,
  RfcExecutionLogEvent,
  RfcStatus,
} from '@cloud-ops/plugin-ops-common';

const PRE_APPROVED = new Set(['ec2-linux-stack', 's3-bucket']);

/**
 * An in-memory stand-in for the ops backend's RFC REST contract, served as a
 * `fetch` function. It keeps to the contract's rules that the actions rely
 * on: a bearer token on every call, the current `version` on every mutation
 * (409 otherwise), and the allowed status transitions.
 */
export class OpsContractStub {
  readonly rfcs = new Map<string, Rfc>();
  readonly events: RfcAuditEvent[] = [];
  readonly calls: {
    method: string;
    path: string;
    body?: any;
    token?: string;
  }[] = [];
  private sequence = 0;
  /** Makes the next mutation of this RFC lose a race once. */
  readonly conflictOnce = new Set<string>();
  /** Log lines of each RFC's execution, as the executor's task writes them. */
  readonly logs = new Map<string, RfcExecutionLogEvent[]>();
  readonly executions = new Map<string, Partial<RfcExecution>>();
  /** Called on every read of an RFC, to move it along between reads. */
  onRead?: (rfc: Rfc) => void;

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/ops/, '');
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const auth = new Headers(init?.headers).get('authorization') ?? undefined;
    this.calls.push({
      method,
      path: `${path}${url.search}`,
      body,
      token: auth,
    });
    if (!auth?.startsWith('Bearer ')) {
      return error(401, 'AuthenticationError', 'Missing credentials');
    }
    try {
      return this.route(method, path, url.searchParams, body);
    } catch (e) {
      const { status, name, message } = e as StubError;
      return error(status ?? 500, name, message);
    }
  };

  /** Central IT or the owning team decides, as the real backend would. */
  approve(id: string, approver = 'user:default/omar') {
    const rfc = this.mustGet(id);
    rfc.approvals.push({ approver, decision: 'approved', at: now() });
    this.transition(rfc, 'Scheduled', approver, 'approve');
  }

  reject(id: string, comment: string, approver = 'user:default/omar') {
    const rfc = this.mustGet(id);
    rfc.approvals.push({ approver, decision: 'rejected', comment, at: now() });
    this.transition(rfc, 'Rejected', approver, 'reject', comment);
  }

  /** The executor starts the RFC's execution task, as the real backend would. */
  startExecution(id: string, taskId = 'task-exec-1') {
    const rfc = this.mustGet(id);
    rfc.taskId = taskId;
    rfc.attempt += 1;
    this.transition(rfc, 'InProgress', 'system:ops-executor', 'start');
  }

  /** The execution task writes a log line. */
  log(id: string, message: string, stepId = 'provision') {
    const lines = this.logs.get(id) ?? [];
    lines.push({
      id: lines.length + 1,
      at: now(),
      stepId,
      message,
      type: 'log',
    });
    this.logs.set(id, lines);
  }

  /** The executor ends the RFC from its task's outcome. */
  finishExecution(
    id: string,
    outcome: 'Success' | 'Failure',
    details: Partial<RfcExecution> & { reason?: string } = {},
  ) {
    const rfc = this.mustGet(id);
    if (details.reason) rfc.statusReason = details.reason;
    this.executions.set(id, details);
    this.transition(
      rfc,
      outcome,
      'system:ops-executor',
      outcome === 'Success' ? 'succeed' : 'fail',
    );
  }

  seed(partial: Partial<Rfc> & { id: string; status: RfcStatus }): Rfc {
    const rfc = { ...this.base(), ...partial } as Rfc;
    this.rfcs.set(rfc.id, rfc);
    return rfc;
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: any,
  ): Response {
    if (method === 'POST' && path === '/rfcs') {
      for (const field of [
        'changeTypeId',
        'description',
        'title',
        'targetEntityRef',
        'implementationPlan',
        'testPlan',
        'rollbackPlan',
      ]) {
        if (!body?.[field])
          throw stubError(400, 'InputError', `${field} is required`);
      }
      this.sequence += 1;
      const rfc: Rfc = {
        ...this.base(),
        id: `RFC-${String(this.sequence).padStart(6, '0')}`,
        changeTypeId: body.changeTypeId,
        title: body.title,
        description: body.description ?? '',
        targetEntityRef: body.targetEntityRef,
        parameters: body.parameters ?? {},
        implementationPlan: body.implementationPlan,
        testPlan: body.testPlan,
        rollbackPlan: body.rollbackPlan,
        requestedStartTime: body.requestedStartTime,
      };
      this.rfcs.set(rfc.id, rfc);
      if (PRE_APPROVED.has(body.changeTypeId)) {
        rfc.approvalRule = 'none';
        rfc.approverGroup = undefined;
      }
      if (body.submit) {
        this.transition(
          rfc,
          rfc.approverGroup ? 'PendingApproval' : 'Scheduled',
          rfc.requester,
          'submit',
        );
      }
      return json(201, rfc);
    }
    const m = /^\/rfcs\/([^/]+)(?:\/([a-z/]+))?$/.exec(path);
    if (!m) throw stubError(404, 'NotFoundError', `No route ${method} ${path}`);
    const rfc = this.mustGet(decodeURIComponent(m[1]));
    const action = m[2];
    if (method === 'GET' && !action) {
      this.onRead?.(rfc);
      return json(200, rfc);
    }
    if (method === 'GET' && action === 'events') {
      return json(200, { items: this.events.filter(e => e.rfcId === rfc.id) });
    }
    if (method === 'GET' && action === 'execution') {
      return json(200, {
        rfcId: rfc.id,
        attempt: rfc.attempt,
        steps: [],
        outputs: [],
        ...(rfc.taskId ? { taskId: rfc.taskId } : {}),
        ...this.executions.get(rfc.id),
      });
    }
    if (method === 'GET' && action === 'execution/logs') {
      const after = Number(query.get('after') ?? 0);
      return json(200, {
        items: (this.logs.get(rfc.id) ?? []).filter(l => l.id > after),
      });
    }
    throw stubError(404, 'NotFoundError', `No route ${method} ${path}`);
  }

  private mustGet(id: string): Rfc {
    const rfc = this.rfcs.get(id);
    if (!rfc) throw stubError(404, 'NotFoundError', `No RFC ${id}`);
    return rfc;
  }

  private transition(
    rfc: Rfc,
    to: RfcStatus,
    actor: string,
    action: RfcAuditEvent['action'],
    comment?: string,
  ) {
    this.events.push({
      id: this.events.length + 1,
      rfcId: rfc.id,
      actor,
      action,
      fromStatus: rfc.status,
      toStatus: to,
      comment,
      at: now(),
    });
    rfc.status = to;
    rfc.version += 1;
    rfc.updatedAt = now();
  }

  private base(): Rfc {
    return {
      id: 'RFC-000000',
      changeTypeId: 'rds-postgres',
      changeTypeVersion: '1.0',
      title: 't',
      description: '',
      targetEntityRef: 'component:default/storefront',
      parameters: {},
      ownerGroup: 'group:default/web',
      automation: 'automated',
      attempt: 0,
      origin: 'user',
      requester: 'user:default/wei',
      approvalRule: 'central-it',
      approverGroup: 'group:default/central-it',
      implementationPlan: 'p',
      testPlan: 't',
      rollbackPlan: 'r',
      risk: 'medium',
      status: 'Editing',
      approvals: [],
      createdAt: now(),
      updatedAt: now(),
      version: 1,
    };
  }
}

type StubError = { status: number; name: string; message: string };

function stubError(status: number, name: string, message: string): StubError {
  return { status, name, message };
}

function now() {
  return new Date().toISOString();
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function error(status: number, name: string, message: string): Response {
  return json(status, {
    error: { name, message },
    response: { statusCode: status },
  });
}
