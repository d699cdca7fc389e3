import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import BuildIcon from '@material-ui/icons/Build';
import { opsApiRef, OpsClient } from './api';
import { rfcRouteRef, rootRouteRef } from './routes';

const opsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: opsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OpsClient(deps),
    }),
});

const opsRouteRef = convertLegacyRouteRef(rootRouteRef);
const opsRfcRouteRef = convertLegacyRouteRef(rfcRouteRef);

const opsPage = PageBlueprint.make({
  params: {
    path: '/ops',
    title: 'Operations',
    icon: <BuildIcon />,
    routeRef: opsRouteRef,
    // The pages bring their own header with the queue, RFC and RACI tabs.
    noHeader: true,
    loader: () => import('./components/OpsPage').then(m => <m.OpsPage />),
  },
});

const entityOperationsContent = EntityContentBlueprint.make({
  name: 'operations',
  params: {
    path: '/operations',
    title: 'Operations',
    filter: { kind: { $in: ['Component', 'Resource'] } },
    loader: () =>
      import('./components/EntityOperationsContent').then(m => (
        <m.EntityOperationsContent />
      )),
  },
});

/**
 * The ops plugin for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'ops',
  extensions: [opsApi, opsPage, entityOperationsContent],
  routes: { root: opsRouteRef, rfc: opsRfcRouteRef },
});
