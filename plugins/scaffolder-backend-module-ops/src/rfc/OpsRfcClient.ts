import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ChangeTypeRisk,
  Rfc,
  RfcAuditEvent,
  RfcExecution,
  RfcExecutionLogEvent,
} from '@cloud-ops/plugin-ops-common';

/**
 * A refused request, carrying the ops backend's own message so a failed task
 * tells the person what to fix.
 *
 * @public
 */
export class OpsRequestError extends Error {
  readonly statusCode: number;
  constructor(readonly cause: ResponseError) {
    const { name, message } = cause.body?.error ?? {};
    super(
      `The ops backend refused the request (${cause.statusCode}${
        name ? ` ${name}` : ''
      }): ${message ?? cause.message}`,
    );
    this.name = 'OpsRequestError';
    this.statusCode = cause.statusCode;
  }
}

/** Body of `POST /api/ops/rfcs`. @public */
export type CreateRfcRequest = {
  changeTypeId: string;
  changeTypeVersion?: string;
  title: string;
  description: string;
  targetEntityRef: string;
  parameters: Record<string, unknown>;
  implementationPlan: string;
  testPlan: string;
  peerReviewer?: string;
  rollbackPlan: string;
  risk?: ChangeTypeRisk;
  /** An ISO time, or `now` for an emergency that starts once approved. */
  requestedStartTime?: string;
  requestedEndTime?: string;
  /** Makes the RFC an emergency change, answering an open P1 or P2 incident. */
  emergency?: { incidentId: string; freezeOverrideReason?: string };
  submit?: boolean;
};

/**
 * The ops backend's RFC API over HTTP. Every call carries a token minted on
 * behalf of the given credentials, so the ops backend sees who really asked.
 *
 * @public
 */
export class OpsRfcClient {
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {
    this.fetchFn = options.fetch ?? fetch;
  }

  createRfc(
    body: CreateRfcRequest,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    return this.request('POST', '/rfcs', credentials, body);
  }

  getRfc(id: string, credentials: BackstageCredentials): Promise<Rfc> {
    return this.request('GET', `/rfcs/${encodeURIComponent(id)}`, credentials);
  }

  async listEvents(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<RfcAuditEvent[]> {
    const { items } = await this.request<{ items: RfcAuditEvent[] }>(
      'GET',
      `/rfcs/${encodeURIComponent(id)}/events`,
      credentials,
    );
    return items;
  }

  getExecution(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<RfcExecution> {
    return this.request(
      'GET',
      `/rfcs/${encodeURIComponent(id)}/execution`,
      credentials,
    );
  }

  /** Log lines of the RFC's execution after `after`; waits up to 30 s for one. */
  async getExecutionLogs(
    id: string,
    after: number | undefined,
    credentials: BackstageCredentials,
  ): Promise<RfcExecutionLogEvent[]> {
    const query = after === undefined ? '' : `?after=${after}`;
    const { items } = await this.request<{ items: RfcExecutionLogEvent[] }>(
      'GET',
      `/rfcs/${encodeURIComponent(id)}/execution/logs${query}`,
      credentials,
    );
    return items;
  }

  private async request<T>(
    method: string,
    path: string,
    credentials: BackstageCredentials,
    body?: unknown,
  ): Promise<T> {
    const [baseUrl, { token }] = await Promise.all([
      this.options.discovery.getBaseUrl('ops'),
      this.options.auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: 'ops',
      }),
    ]);
    const response = await this.fetchFn(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new OpsRequestError(await ResponseError.fromResponse(response));
    }
    return (await response.json()) as T;
  }
}
