import { createRouteRef } from '@backstage/core-plugin-api';

/** The `/ops` pages. @public */
export const rootRouteRef = createRouteRef({ id: 'ops' });
