import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The `/ops` pages. @public */
export const rootRouteRef = createRouteRef({ id: 'ops' });

/** One RFC, `/ops/rfcs/:id`. @public */
export const rfcRouteRef = createSubRouteRef({
  id: 'ops/rfc',
  parent: rootRouteRef,
  path: '/rfcs/:id',
});
