import { configApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockFetchApi,
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type { ReactElement } from 'react';
import { opsApiRef, OpsClient } from '../api';
import { rootRouteRef } from '../routes';

export const BASE_URL = 'http://backend/api/ops';

/** The signed-in demo users, with the groups the demo org gives them. */
export const USERS = {
  ana: {
    userEntityRef: 'user:default/ana',
    ownershipEntityRefs: ['user:default/ana', 'group:default/payments'],
  },
  priya: {
    userEntityRef: 'user:default/priya',
    ownershipEntityRefs: ['user:default/priya', 'group:default/payments'],
  },
  omar: {
    userEntityRef: 'user:default/omar',
    ownershipEntityRefs: ['user:default/omar', 'group:default/central-it'],
  },
  wei: {
    userEntityRef: 'user:default/wei',
    ownershipEntityRefs: ['user:default/wei', 'group:default/web'],
  },
};

/**
 * Renders with the real client against msw handlers on BASE_URL, so the
 * tests cover the requests the UI makes as well as what it shows.
 */
export async function renderWithOps(
  element: ReactElement,
  options: {
    user?: keyof typeof USERS;
    // the permission framework's decision for every request, as its wire value
    permission?: 'ALLOW' | 'DENY';
    routeEntries?: string[];
    extraApis?: [any, any][];
  } = {},
) {
  const client = new OpsClient({
    discoveryApi: { getBaseUrl: async () => BASE_URL },
    fetchApi: new MockFetchApi(),
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [opsApiRef, client],
        [identityApiRef, mockApis.identity(USERS[options.user ?? 'ana'])],
        [
          configApiRef,
          mockApis.config({
            data: { ops: { centralIt: { group: 'group:default/central-it' } } },
          }),
        ],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: (options.permission ?? 'ALLOW') as any,
          }),
        ],
        ...(options.extraApis ?? []),
      ]}
    >
      {element}
    </TestApiProvider>,
    {
      // Without explicit entries the app starts where the test put the
      // browser (window.history), as a real page load would.
      routeEntries: options.routeEntries ?? [
        `${window.location.pathname}${window.location.search}`,
      ],
      mountedRoutes: {
        '/ops': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}
