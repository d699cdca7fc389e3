import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/** Query parameter prefix that prefills an RFC parameter on the new-RFC page. */
export const RFC_PARAMETER_QUERY_PREFIX = 'p.';

/** Links into the `/ops` pages, wherever the app mounts them. */
export function useOpsLinks() {
  const root = useRouteRef(rootRouteRef)();
  const id = (value: string) => encodeURIComponent(value);
  return {
    root,
    rfc: (rfcId: string) => `${root}/rfcs/${id(rfcId)}`,
    /** The new-RFC page, prefilled with an entity, a change type and parameters. */
    newRfc: (params?: {
      entity?: string;
      changeType?: string;
      parameters?: Record<string, string>;
      /** Makes it an emergency change answering this incident. */
      incident?: string;
    }) => {
      const qs = new URLSearchParams();
      if (params?.entity) qs.set('entity', params.entity);
      if (params?.changeType) qs.set('changeType', params.changeType);
      if (params?.incident) qs.set('incident', params.incident);
      for (const [key, value] of Object.entries(params?.parameters ?? {})) {
        if (value) qs.set(`${RFC_PARAMETER_QUERY_PREFIX}${key}`, value);
      }
      const query = qs.toString();
      return `${root}/rfcs/new${query ? `?${query}` : ''}`;
    },
    raci: `${root}/raci`,
    changeHistory: `${root}/history`,
    incidents: `${root}/incidents`,
    incident: (incidentId: string) => `${root}/incidents/${id(incidentId)}`,
    problem: (problemId: string) => `${root}/problems/${id(problemId)}`,
    serviceRequests: `${root}/service-requests`,
    serviceRequest: (requestId: string) =>
      `${root}/service-requests/${id(requestId)}`,
    newServiceRequest: (entity?: string) =>
      `${root}/service-requests/new${
        entity ? `?entity=${encodeURIComponent(entity)}` : ''
      }`,
    reports: `${root}/reports`,
  };
}
