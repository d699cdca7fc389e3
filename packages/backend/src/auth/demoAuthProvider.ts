import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The header (or `user` query parameter) naming the demo user to sign in as. */
export const DEMO_USER_HEADER = 'x-demo-user';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Reads which demo user the caller asks to be, or refuses: sign-in as anyone
 * is only acceptable where the auth environment has been configured for it.
 */
export function createDemoAuthenticator(rootConfig: Config) {
  return createProxyAuthenticator({
    async defaultProfileTransform(result: { userName: string }) {
      return { profile: { displayName: result.userName } };
    },
    initialize({ config }) {
      const environment =
        rootConfig.getOptionalString('auth.environment') ?? 'development';
      return { enabled: config.has(environment), environment };
    },
    async authenticate({ req }, { enabled, environment }) {
      if (!enabled) {
        throw new NotAllowedError(
          `Demo sign-in is not enabled for the "${environment}" auth environment`,
        );
      }
      const raw = req.header(DEMO_USER_HEADER) ?? req.query.user;
      const userName = typeof raw === 'string' ? raw.trim() : '';
      if (!USER_NAME.test(userName)) {
        throw new InputError(
          `Name the demo user to sign in as with the ${DEMO_USER_HEADER} header or the user query parameter, e.g. ${DEMO_USER_HEADER}: ana`,
        );
      }
      return { result: { userName }, providerInfo: {} };
    },
  });
}

/**
 * Local-run sign-in as any user in the catalog, so both sides of an approval
 * can be shown. Enabled only when `auth.providers.demo.<auth.environment>`
 * exists; production sets `auth.environment: production` and has no such key.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        rootConfig: coreServices.rootConfig,
      },
      async init({ providers, rootConfig }) {
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: createDemoAuthenticator(rootConfig),
            async signInResolver({ result }, ctx) {
              // Only users that exist in the catalog can sign in; their
              // group memberships become the token's ownership claims.
              return ctx.signInWithCatalogUser({
                entityRef: { name: result.userName },
              });
            },
          }),
        });
      },
    });
  },
});
