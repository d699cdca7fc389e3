import type {
  Rfc,
  RfcAuditEvent,
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
      if (body.submit) {
        if (PRE_APPROVED.has(body.changeTypeId)) {
          rfc.approvalRule = 'none';
          rfc.approverGroup = undefined;
          this.transition(rfc, 'Scheduled', rfc.requester, 'submit');
        } else {
          this.transition(rfc, 'PendingApproval', rfc.requester, 'submit');
        }
      }
      return json(201, rfc);
    }
    if (method === 'GET' && path === '/rfcs') {
      const statuses = query.getAll('status');
      return json(200, {
        items: [...this.rfcs.values()].filter(
          r => !statuses.length || statuses.includes(r.status),
        ),
      });
    }
    const m = /^\/rfcs\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
    if (!m) throw stubError(404, 'NotFoundError', `No route ${method} ${path}`);
    const rfc = this.mustGet(decodeURIComponent(m[1]));
    const action = m[2];
    if (method === 'GET' && !action) return json(200, rfc);
    if (method === 'GET' && action === 'events') {
      return json(200, { items: this.events.filter(e => e.rfcId === rfc.id) });
    }
    if (method !== 'POST') throw stubError(404, 'NotFoundError', 'No route');
    if (body?.version !== rfc.version || this.conflictOnce.delete(rfc.id)) {
      throw stubError(409, 'ConflictError', `${rfc.id} has changed; reload it`);
    }
    if (action === 'start') {
      if (rfc.status !== 'Scheduled')
        throw stubError(409, 'ConflictError', `${rfc.id} is ${rfc.status}`);
      rfc.taskId = body.taskId;
      this.transition(rfc, 'InProgress', rfc.requester, 'start');
      return json(200, rfc);
    }
    if (action === 'complete') {
      if (rfc.status !== 'InProgress')
        throw stubError(409, 'ConflictError', `${rfc.id} is ${rfc.status}`);
      if (!['Success', 'Failure'].includes(body.outcome))
        throw stubError(
          400,
          'InputError',
          'outcome must be Success or Failure',
        );
      rfc.outcomeNotes = body.outcomeNotes;
      this.transition(
        rfc,
        body.outcome,
        rfc.requester,
        body.outcome === 'Success' ? 'succeed' : 'fail',
      );
      return json(200, rfc);
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
