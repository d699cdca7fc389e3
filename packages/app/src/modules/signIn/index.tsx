import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { oidcAuthApi } from './oidcAuthApi';

const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () =>
      import('./PortalSignInPage').then(m => m.PortalSignInPage),
  },
});

/**
 * The app's sign-in page: single sign-on and, where the backend serves it,
 * the demo user picker.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage, oidcAuthApi],
});
