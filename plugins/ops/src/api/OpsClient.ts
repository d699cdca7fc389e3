import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  EntityOperations,
  Rfc,
  RfcAuditEvent,
} from '@cloud-ops/plugin-ops-common';
import type {
  ChangeTypeWithSchema,
  CreateRfcRequest,
  OpsApi,
  OpsHealth,
  RfcDecision,
  RfcListQuery,
  RfcPage,
} from './OpsApi';

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

  async listEntityRfcs(entity: CompoundEntityRef): Promise<Rfc[]> {
    const { items } = await this.request<{ items: Rfc[] }>(
      'GET',
      `${entityPath(entity)}/rfcs`,
    );
    return items;
  }

  async getCalendar(range: { from: string; to: string }): Promise<Rfc[]> {
    const qs = new URLSearchParams(range).toString();
    const { items } = await this.request<{ items: Rfc[] }>(
      'GET',
      `/calendar?${qs}`,
    );
    return items;
  }

  async listChangeTypes(): Promise<ChangeTypeWithSchema[]> {
    const { items } = await this.request<{ items: ChangeTypeWithSchema[] }>(
      'GET',
      '/change-types',
    );
    return items;
  }

  private async request<T>(
    method: 'GET' | 'POST',
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
    return (await response.json()) as T;
  }
}
