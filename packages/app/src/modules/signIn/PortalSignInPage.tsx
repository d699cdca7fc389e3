import { useEffect, useState } from 'react';
import {
  Content,
  Header,
  Page,
  Progress,
  SignInPage,
  WarningPanel,
  type SignInProviderConfig,
} from '@backstage/core-components';
import {
  configApiRef,
  discoveryApiRef,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import { DemoSignInPage, readDemoUsers } from './DemoSignInPage';
import { oidcAuthApiRef } from './oidcAuthApi';
import { probeAuthProvider, type AuthProviderProbe } from './probeAuthProvider';

const singleSignOn: SignInProviderConfig = {
  id: 'oidc-auth-provider',
  title: 'Single sign-on',
  message: 'Sign in with your company account',
  apiRef: oidcAuthApiRef,
};

type Probes = { demo: AuthProviderProbe; oidc: AuthProviderProbe };

/**
 * Offers the sign-in providers the backend serves, as it says itself:
 * single sign-on (`auth.providers.oidc`) unless the backend answers that it
 * has none, so a slow or failed probe never hides it; demo users only when
 * the backend's demo provider answered, so the page never offers a sign-in
 * the backend would refuse.
 */
export const PortalSignInPage = (props: SignInPageProps) => {
  const configApi = useApi(configApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const [probes, setProbes] = useState<Probes>();
  const [useSingleSignOn, setUseSingleSignOn] = useState(false);

  useEffect(() => {
    let current = true;
    const environment =
      configApi.getOptionalString('auth.environment') ?? 'development';
    (async () => {
      const authBaseUrl = await discoveryApi.getBaseUrl('auth');
      const probe = (providerId: string) =>
        probeAuthProvider({ authBaseUrl, providerId, environment });
      const [demo, oidc] = await Promise.all([probe('demo'), probe('oidc')]);
      if (current) setProbes({ demo, oidc });
    })().catch(() => {
      if (current) setProbes({ demo: 'unknown', oidc: 'unknown' });
    });
    return () => {
      current = false;
    };
  }, [configApi, discoveryApi]);

  if (!probes) {
    return <Progress />;
  }
  const demo =
    probes.demo === 'available' && readDemoUsers(configApi).length > 0;
  const oidc = probes.oidc !== 'absent';

  if (demo && !useSingleSignOn) {
    return (
      <DemoSignInPage
        {...props}
        onUseSingleSignOn={oidc ? () => setUseSingleSignOn(true) : undefined}
      />
    );
  }
  if (oidc) {
    return <SignInPage {...props} providers={[singleSignOn]} />;
  }
  return (
    <Page themeId="home">
      <Header title={configApi.getString('app.title')} />
      <Content>
        <WarningPanel
          severity="error"
          title="No sign-in provider is available"
          message="The backend serves neither single sign-on (auth.providers.oidc) nor demo sign-in for this auth environment. See docs/security.md."
        />
      </Content>
    </Page>
  );
};
