import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/**
 * Links into the `/ops` pages. Falls back to the default mount path when the
 * app has not bound the route, e.g. on an entity page rendered on its own.
 */
export function useOpsLinks() {
  let root = '/ops';
  try {
    root = useRouteRef(rootRouteRef)() ?? root;
  } catch {
    // not mounted in this app; keep the default path
  }
  return {
    root,
    rfc: (id: string) => `${root}/rfcs/${encodeURIComponent(id)}`,
    newRfc: (params?: { entity?: string; changeType?: string }) => {
      const qs = new URLSearchParams(
        Object.entries(params ?? {}).filter(
          (e): e is [string, string] => Boolean(e[1]),
        ),
      ).toString();
      return `${root}/rfcs/new${qs ? `?${qs}` : ''}`;
    },
    raci: `${root}/raci`,
  };
}
