import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { opsApiRef, OpsClient } from './api';
import { rfcRouteRef, rootRouteRef } from './routes';

/**
 * The ops frontend plugin for apps on the legacy frontend system. Apps on the
 * new frontend system use the `/alpha` export.
 *
 * @public
 */
export const opsPlugin = createPlugin({
  id: 'ops',
  apis: [
    createApiFactory({
      api: opsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OpsClient(deps),
    }),
  ],
  routes: { root: rootRouteRef, rfc: rfcRouteRef },
});

/** The Operations tab content for an entity page. @public */
export const EntityOperationsContent = opsPlugin.provide(
  createComponentExtension({
    name: 'EntityOperationsContent',
    component: {
      lazy: () =>
        import('./components/EntityOperationsContent').then(
          m => m.EntityOperationsContent,
        ),
    },
  }),
);

/** The `/ops` pages. @public */
export const OpsPage = opsPlugin.provide(
  createRoutableExtension({
    name: 'OpsPage',
    component: () => import('./components/OpsPage').then(m => m.OpsPage),
    mountPoint: rootRouteRef,
  }),
);
