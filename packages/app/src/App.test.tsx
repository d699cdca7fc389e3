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

    render(App.createRoot());

    expect(
      await screen.findByRole('button', { name: 'Sign in as Wei Chen' }),
    ).toBeInTheDocument();
  });
});
