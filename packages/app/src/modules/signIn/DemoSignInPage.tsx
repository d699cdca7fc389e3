import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  WarningPanel,
} from '@backstage/core-components';
import {
  configApiRef,
  type ConfigApi,
  IdentityApi,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

/** Where the chosen demo user is kept, so a reload stays signed in. */
export const DEMO_USER_STORAGE_KEY = 'cloud-ops.demo-user';

type DemoUser = { name: string; title: string; description?: string };

/** The demo users offered, from `app.demoSignIn.users`. */
export function readDemoUsers(configApi: ConfigApi): DemoUser[] {
  return (configApi.getOptionalConfigArray('app.demoSignIn.users') ?? []).map(
    c => ({
      name: c.getString('name'),
      title: c.getOptionalString('title') ?? c.getString('name'),
      description: c.getOptionalString('description'),
    }),
  );
}

function forgetOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(DEMO_USER_STORAGE_KEY);
      await identity.signOut();
    },
  };
}

/**
 * Local-run sign-in: pick any demo user from `app.demoSignIn.users`. The
 * backend's demo provider checks the user exists in the catalog and issues a
 * normal Backstage token carrying their group memberships. Shown only when
 * the backend serves the demo provider (see PortalSignInPage).
 */
export const DemoSignInPage = (
  props: SignInPageProps & {
    /** Offered when the backend also serves single sign-on. */
    onUseSingleSignOn?: () => void;
  },
) => {
  const users = readDemoUsers(useApi(configApiRef));
  const [selected, setSelected] = useState<string | null>(() =>
    window.localStorage.getItem(DEMO_USER_STORAGE_KEY),
  );

  if (selected) {
    return (
      <ProxiedSignInPage
        provider="demo"
        headers={{ 'x-demo-user': selected }}
        onSignInSuccess={identity =>
          props.onSignInSuccess(forgetOnSignOut(identity))
        }
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Content>
              <WarningPanel
                severity="error"
                title={`Could not sign in as ${selected}`}
                message={error?.message}
              />
              <Button
                variant="contained"
                onClick={() => {
                  window.localStorage.removeItem(DEMO_USER_STORAGE_KEY);
                  setSelected(null);
                }}
              >
                Choose another user
              </Button>
            </Content>
          </Page>
        )}
      />
    );
  }

  return (
    <Page themeId="home">
      <Header
        title="Cloud Operations Portal"
        subtitle="Local demo: sign in as any demo user"
      />
      <Content>
        <Grid container spacing={3}>
          {users.map(user => (
            <Grid item xs={12} sm={6} md={4} key={user.name}>
              <InfoCard title={user.title} subheader={user.name}>
                <Typography paragraph>{user.description}</Typography>
                <Button
                  variant="contained"
                  color="primary"
                  onClick={() => {
                    window.localStorage.setItem(
                      DEMO_USER_STORAGE_KEY,
                      user.name,
                    );
                    setSelected(user.name);
                  }}
                >
                  Sign in as {user.title}
                </Button>
              </InfoCard>
            </Grid>
          ))}
          {props.onUseSingleSignOn && (
            <Grid item xs={12} sm={6} md={4}>
              <InfoCard title="Single sign-on" subheader="company account">
                <Typography paragraph>
                  Sign in as yourself instead of a demo user.
                </Typography>
                <Button variant="outlined" onClick={props.onUseSingleSignOn}>
                  Use single sign-on
                </Button>
              </InfoCard>
            </Grid>
          )}
        </Grid>
      </Content>
    </Page>
  );
};
