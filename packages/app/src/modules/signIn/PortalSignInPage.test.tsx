import { configApiRef, discoveryApiRef } from '@backstage/core-plugin-api';
import {
  MockConfigApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { oidcAuthApiRef } from './oidcAuthApi';
import { PortalSignInPage } from './PortalSignInPage';

const AUTH = 'http://backend/api/auth';

function config(users: object[] = [{ name: 'ana', title: 'Ana Alves' }]) {
  return new MockConfigApi({
    app: { title: 'Cloud Operations Portal', demoSignIn: { users } },
    auth: { environment: 'development' },
  });
}

/** What the backend answers each provider's probe: a status, or no answer. */
function backend(answers: Record<string, number | 'down'>) {
  const fetch = jest.fn(async (url: string) => {
    const provider = url.slice(AUTH.length + 1).split('/')[0];
    const answer = answers[provider] ?? 404;
    if (answer === 'down') throw new TypeError('Failed to fetch');
    return { status: answer } as Response;
  });
  global.fetch = fetch as unknown as typeof global.fetch;
  return fetch;
}

async function render(configApi = config()) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [configApiRef, configApi],
        [discoveryApiRef, { getBaseUrl: async () => AUTH }],
        [
          oidcAuthApiRef,
          {
            getBackstageIdentity: jest.fn().mockResolvedValue(undefined),
            getProfile: jest.fn(),
          } as any,
        ],
      ]}
    >
      <PortalSignInPage onSignInSuccess={jest.fn()} />
    </TestApiProvider>,
  );
}

const demoUser = () =>
  screen.queryByRole('button', { name: 'Sign in as Ana Alves' });
const singleSignOnCard = () =>
  screen.queryByText('Sign in with your company account');

describe('PortalSignInPage', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
    window.localStorage.clear();
  });

  it('offers the demo users when the backend serves the demo provider', async () => {
    const fetch = backend({ demo: 400 });
    await render();
    expect(await screen.findByText('Ana Alves')).toBeInTheDocument();
    expect(demoUser()).toBeInTheDocument();
    expect(singleSignOnCard()).not.toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      `${AUTH}/demo/refresh?optional&env=development`,
      expect.objectContaining({ credentials: 'omit' }),
    );
  });

  it('offers single sign-on, and no demo users, where the backend has no demo provider', async () => {
    backend({ demo: 404, oidc: 401 });
    await render();
    expect(await screen.findByText('Single sign-on')).toBeInTheDocument();
    expect(singleSignOnCard()).toBeInTheDocument();
    expect(demoUser()).not.toBeInTheDocument();
  });

  it('lets a local run with both choose single sign-on', async () => {
    backend({ demo: 400, oidc: 401 });
    await render();
    fireEvent.click(
      await screen.findByRole('button', { name: 'Use single sign-on' }),
    );
    expect(await screen.findByText(/your company account/)).toBeInTheDocument();
    expect(demoUser()).not.toBeInTheDocument();
  });

  it('never hides single sign-on behind a backend that does not answer, nor offers demo sign-in', async () => {
    backend({ demo: 'down', oidc: 'down' });
    await render();
    expect(
      await screen.findByText('Sign in with your company account'),
    ).toBeInTheDocument();
    expect(demoUser()).not.toBeInTheDocument();
  });

  it('offers no demo sign-in without demo users', async () => {
    backend({ demo: 400 });
    await render(config([]));
    expect(
      await screen.findByText(/No sign-in provider is available/),
    ).toBeInTheDocument();
  });

  it('says so when the backend serves no provider at all', async () => {
    backend({});
    await render();
    expect(
      await screen.findByText(/No sign-in provider is available/),
    ).toBeInTheDocument();
    expect(demoUser()).not.toBeInTheDocument();
  });
});
