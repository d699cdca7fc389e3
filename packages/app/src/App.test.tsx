import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('starts on the demo sign-in page', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: {
              title: 'Test',
              demoSignIn: { users: [{ name: 'wei', title: 'Wei Chen' }] },
            },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    // The sign-in page offers demo users only when the backend's demo
    // provider answers its probe (400: no user named yet).
    global.fetch = jest.fn(async (url: string) => ({
      status: url.startsWith('http://localhost:7007/api/auth/demo/')
        ? 400
        : 404,
    })) as unknown as typeof fetch;

    render(App.createRoot());

    expect(
      await screen.findByRole('button', { name: 'Sign in as Wei Chen' }),
    ).toBeInTheDocument();
  });
});
