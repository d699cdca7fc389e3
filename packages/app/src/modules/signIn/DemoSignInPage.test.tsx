import { configApiRef, discoveryApiRef } from '@backstage/core-plugin-api';
import {
  MockConfigApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { DEMO_USER_STORAGE_KEY, DemoSignInPage } from './DemoSignInPage';

describe('DemoSignInPage', () => {
  afterEach(() => window.localStorage.clear());

  it('offers the configured demo users and remembers the choice', async () => {
    const config = new MockConfigApi({
      backend: { baseUrl: 'http://localhost:7007' },
      app: {
        demoSignIn: {
          users: [
            { name: 'ana', title: 'Ana Alves', description: 'Payments' },
            { name: 'omar', title: 'Omar Haddad', description: 'Central IT' },
          ],
        },
      },
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [configApiRef, config],
          [
            discoveryApiRef,
            { getBaseUrl: async () => 'http://backend/api/auth' },
          ],
        ]}
      >
        <DemoSignInPage onSignInSuccess={jest.fn()} />
      </TestApiProvider>,
    );
    expect(
      screen.getByRole('button', { name: 'Sign in as Ana Alves' }),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Sign in as Omar Haddad' }),
    );
    expect(window.localStorage.getItem(DEMO_USER_STORAGE_KEY)).toBe('omar');
  });
});
