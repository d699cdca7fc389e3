import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The header (or `user` query parameter) naming the demo user to sign in as. */
export const DEMO_USER_HEADER = 'x-demo-user';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Whether demo sign-in is on: only when `auth.environment` is set and
 * `auth.providers.demo.<auth.environment>` exists. Backstage's own default
 * environment does not count, so a deployment that leaves it out is not
 * opened to sign-in as anyone.
 */
export function readDemoSignIn(config: Config): {
  enabled: boolean;
  environment?: string;
} {
  const environment = config.getOptionalString('auth.environment');
  const providers = config.getOptionalConfig('auth.providers.demo');
  return {
    enabled: Boolean(environment && providers?.has(environment)),
    environment,
  };
}

/** Reads which demo user the caller asks to be. */
export const demoAuthenticator = createProxyAuthenticator({
  async defaultProfileTransform(result: { userName: string }) {
    return { profile: { displayName: result.userName } };
  },
  initialize() {},
  async authenticate({ req }) {
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

/**
 * Sign-in as any user in the catalog, Central IT included, so both sides of
 * an approval can be shown in local runs. Registered only where
 * {@link readDemoSignIn} says it is on; elsewhere the auth backend has no
 * `demo` provider and answers 404, which is how the sign-in page knows. The
 * backend refuses to start with it on and `NODE_ENV=production`.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, rootConfig, logger }) {
        const { enabled, environment } = readDemoSignIn(rootConfig);
        if (!enabled) {
          return;
        }
        if (process.env.NODE_ENV === 'production') {
          throw new Error(
            `Refusing to start: demo sign-in (auth.providers.demo.${environment}) lets anyone sign in as any catalog user, and NODE_ENV is production. Remove auth.providers.demo.${environment} or set auth.environment to one without it.`,
          );
        }
        logger.warn(
          `Demo sign-in is on for the "${environment}" auth environment: anyone who reaches the backend can sign in as any catalog user`,
        );
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: demoAuthenticator,
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
