import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/** Links into the `/ops` pages, wherever the app mounts them. */
export function useOpsLinks() {
  const root = useRouteRef(rootRouteRef)();
  return {
    root,
    rfc: (id: string) => `${root}/rfcs/${encodeURIComponent(id)}`,
    newRfc: (params?: { entity?: string; changeType?: string }) => {
      const qs = new URLSearchParams(
        Object.entries(params ?? {}).filter((e): e is [string, string] =>
          Boolean(e[1]),
        ),
      ).toString();
      return `${root}/rfcs/new${qs ? `?${qs}` : ''}`;
    },
    raci: `${root}/raci`,
  };
}
