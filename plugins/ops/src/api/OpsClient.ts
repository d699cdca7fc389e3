import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AuditVerification,
  EntityOperations,
  Incident,
  MonthlyServiceReport,
  Problem,
  RaciConfig,
  Rfc,
  RfcAuditEvent,
  RfcExecution,
  RfcExecutionLogEvent,
  ServiceRequest,
  CalendarFeedTokenInfo,
  ChangeCalendarView,
  FreezeOccurrence,
  FreezeWindow,
  RfcConflicts,
} from '@cloud-ops/plugin-ops-common';
import type {
  AuditChain,
  AuditExportFile,
  AuditExportRequest,
  ChangeTypeWithSchema,
  CountedPage,
  CreateRfcRequest,
  CreateServiceRequest,
  FreezeRequest,
  IncidentListQuery,
  IssuedFeedToken,
  OpsApi,
  OpsHealth,
  ProblemListQuery,
  ProblemUpdate,
  RfcDecision,
  RfcListQuery,
  RfcPage,
  ServiceRequestListQuery,
  UpdateRfcRequest,
} from './OpsApi';

/** A query string of the given filters, leaving out empty ones. */
const queryString = (query: Record<string, string | number | undefined>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
};

const entityPath = (ref: CompoundEntityRef) =>
  `/entities/${[ref.kind, ref.namespace, ref.name]
    .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
    .join('/')}`;

/**
 * Talks to the ops backend through discovery, with the signed-in user's
 * token added by the fetch API.
 *
 * @public
 */
export class OpsClient implements OpsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  /** The RACI config changes only with the backend's config. */
  private raciConfig?: Promise<RaciConfig>;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getHealth(): Promise<OpsHealth> {
    return this.request<OpsHealth>('GET', '/health');
  }

  async getEntityOperations(
    entity: CompoundEntityRef,
  ): Promise<EntityOperations> {
    return this.request('GET', `${entityPath(entity)}/operations`);
  }

  async refreshEntityOperations(
    entity: CompoundEntityRef,
  ): Promise<EntityOperations> {
    return this.request('POST', `${entityPath(entity)}/operations/refresh`);
  }

  getRaciConfig(): Promise<RaciConfig> {
    if (!this.raciConfig) {
      const pending = this.request<RaciConfig>('GET', '/raci');
      this.raciConfig = pending;
      // A failed answer is not kept, so the next caller asks again.
      pending.catch(() => {
        if (this.raciConfig === pending) this.raciConfig = undefined;
      });
    }
    return this.raciConfig;
  }

  async listRfcs(query: RfcListQuery = {}): Promise<RfcPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === '') continue;
      // Repeated keys are how the API takes several statuses.
      for (const v of Array.isArray(value) ? value : [value]) {
        params.append(key, String(v));
      }
    }
    const qs = params.toString();
    return this.request('GET', `/rfcs${qs ? `?${qs}` : ''}`);
  }

  async getRfc(id: string): Promise<Rfc> {
    return this.request('GET', `/rfcs/${encodeURIComponent(id)}`);
  }

  async listRfcEvents(id: string): Promise<RfcAuditEvent[]> {
    const { items } = await this.request<{ items: RfcAuditEvent[] }>(
      'GET',
      `/rfcs/${encodeURIComponent(id)}/events`,
    );
    return items;
  }

  async createRfc(request: CreateRfcRequest): Promise<Rfc> {
    return this.request('POST', '/rfcs', request);
  }

  async updateRfc(
    id: string,
    version: number,
    changes: UpdateRfcRequest,
  ): Promise<Rfc> {
    return this.request('PATCH', `/rfcs/${encodeURIComponent(id)}`, {
      version,
      ...changes,
    });
  }

  async decideRfc(
    id: string,
    version: number,
    decision: RfcDecision,
  ): Promise<Rfc> {
    const { action, ...rest } = decision;
    return this.request('POST', `/rfcs/${encodeURIComponent(id)}/${action}`, {
      version,
      ...rest,
    });
  }

  async getRfcExecution(id: string): Promise<RfcExecution> {
    return this.request('GET', `/rfcs/${encodeURIComponent(id)}/execution`);
  }

  async getRfcExecutionLogs(
    id: string,
    after?: number,
  ): Promise<RfcExecutionLogEvent[]> {
    const qs = after === undefined ? '' : `?after=${after}`;
    const { items } = await this.request<{ items: RfcExecutionLogEvent[] }>(
      'GET',
      `/rfcs/${encodeURIComponent(id)}/execution/logs${qs}`,
    );
    return items;
  }

  async listEntityRfcs(entity: CompoundEntityRef): Promise<Rfc[]> {
    const { items } = await this.request<{ items: Rfc[] }>(
      'GET',
      `${entityPath(entity)}/rfcs`,
    );
    return items;
  }

  async getSchedule(query: {
    from: string;
    to: string;
    owner?: string;
  }): Promise<ChangeCalendarView> {
    return this.request('GET', `/schedule${queryString(query)}`);
  }

  async getRfcConflicts(id: string): Promise<RfcConflicts> {
    return this.request('GET', `/rfcs/${encodeURIComponent(id)}/conflicts`);
  }

  async listFreezes(
    query: { from?: string; to?: string; includeLifted?: boolean } = {},
  ): Promise<{ items: FreezeWindow[]; occurrences: FreezeOccurrence[] }> {
    return this.request(
      'GET',
      `/freezes${queryString({
        from: query.from,
        to: query.to,
        includeLifted: query.includeLifted ? 'true' : undefined,
      })}`,
    );
  }

  async declareFreeze(freeze: FreezeRequest): Promise<FreezeWindow> {
    return this.request('POST', '/freezes', freeze);
  }

  async updateFreeze(
    id: string,
    version: number,
    freeze: FreezeRequest,
  ): Promise<FreezeWindow> {
    return this.request('PUT', `/freezes/${encodeURIComponent(id)}`, {
      ...freeze,
      version,
    });
  }

  async liftFreeze(id: string, version: number): Promise<FreezeWindow> {
    return this.request('POST', `/freezes/${encodeURIComponent(id)}/lift`, {
      version,
    });
  }

  async listFeedTokens(): Promise<CalendarFeedTokenInfo[]> {
    const { items } = await this.request<{ items: CalendarFeedTokenInfo[] }>(
      'GET',
      '/calendar/feed-tokens',
    );
    return items;
  }

  async issueFeedToken(request: {
    label: string;
    owner?: string;
  }): Promise<IssuedFeedToken> {
    return this.request('POST', '/calendar/feed-tokens', request);
  }

  async revokeFeedToken(id: number): Promise<void> {
    await this.request('DELETE', `/calendar/feed-tokens/${id}`);
  }

  async listChangeTypes(): Promise<ChangeTypeWithSchema[]> {
    const { items } = await this.request<{ items: ChangeTypeWithSchema[] }>(
      'GET',
      '/change-types',
    );
    return items;
  }

  async listIncidents(
    query: IncidentListQuery = {},
  ): Promise<CountedPage<Incident>> {
    return this.request('GET', `/incidents${queryString(query)}`);
  }

  async getIncident(id: string): Promise<Incident> {
    return this.request('GET', `/incidents/${encodeURIComponent(id)}`);
  }

  async resolveIncident(id: string, notes: string): Promise<Incident> {
    return this.request(
      'POST',
      `/incidents/${encodeURIComponent(id)}/resolve`,
      { notes },
    );
  }

  async listProblems(query: ProblemListQuery = {}): Promise<Problem[]> {
    const { items } = await this.request<{ items: Problem[] }>(
      'GET',
      `/problems${queryString(query)}`,
    );
    return items;
  }

  async getProblem(id: string): Promise<Problem> {
    return this.request('GET', `/problems/${encodeURIComponent(id)}`);
  }

  async updateProblem(id: string, update: ProblemUpdate): Promise<Problem> {
    return this.request('PATCH', `/problems/${encodeURIComponent(id)}`, update);
  }

  async createServiceRequest(
    request: CreateServiceRequest,
  ): Promise<ServiceRequest> {
    return this.request('POST', '/service-requests', request);
  }

  async listServiceRequests(
    query: ServiceRequestListQuery = {},
  ): Promise<CountedPage<ServiceRequest>> {
    return this.request('GET', `/service-requests${queryString(query)}`);
  }

  async getServiceRequest(id: string): Promise<ServiceRequest> {
    return this.request('GET', `/service-requests/${encodeURIComponent(id)}`);
  }

  async replyToServiceRequest(
    id: string,
    version: number,
    body: string,
  ): Promise<ServiceRequest> {
    return this.request(
      'POST',
      `/service-requests/${encodeURIComponent(id)}/messages`,
      { body, version },
    );
  }

  async closeServiceRequest(
    id: string,
    version: number,
    reason?: string,
  ): Promise<ServiceRequest> {
    return this.request(
      'POST',
      `/service-requests/${encodeURIComponent(id)}/close`,
      { version, ...(reason ? { reason } : {}) },
    );
  }

  async listReportTeams(): Promise<string[]> {
    const { items } = await this.request<{ items: string[] }>(
      'GET',
      '/reports/teams',
    );
    return items;
  }

  async getMonthlyReport(
    team: string,
    month: string,
  ): Promise<MonthlyServiceReport> {
    return this.request(
      'GET',
      `/reports/monthly${queryString({ team, month })}`,
    );
  }

  async getMonthlyReportCsv(team: string, month: string): Promise<string> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ops');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/reports/monthly${queryString({
        team,
        month,
        format: 'csv',
      })}`,
      { headers: { accept: 'text/csv' } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.text();
  }

  async verifyAudit(): Promise<AuditVerification> {
    return this.request('GET', '/audit/verify');
  }

  async getAuditChain(subject: string): Promise<AuditChain> {
    return this.request('GET', `/audit/entries${queryString({ subject })}`);
  }

  async exportAudit(request: AuditExportRequest): Promise<AuditExportFile> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ops');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/audit/export${queryString(request)}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const named = /filename="([^"]+)"/.exec(
      response.headers.get('content-disposition') ?? '',
    );
    return {
      blob: await response.blob(),
      fileName: named?.[1] ?? `ops-audit.${request.format}`,
    };
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      ...(body !== undefined && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
