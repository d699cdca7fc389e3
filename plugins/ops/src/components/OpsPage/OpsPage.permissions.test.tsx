import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Route, Routes } from 'react-router-dom';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { OpsPage } from './OpsPage';

// In a file of its own: usePermission keeps a decision for the whole test
// file, so an ALLOW of another test would hide this DENY.
const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

describe('OpsPage for someone who may not read the audit log', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows neither the Audit tab nor its page', async () => {
    server.use(
      http.get(`${BASE_URL}/rfcs`, () => HttpResponse.json({ items: [] })),
    );
    const openAt = (path: string) =>
      renderWithOps(
        <Routes>
          <Route path="/ops/*" element={<OpsPage />} />
        </Routes>,
        { routeEntries: [path], permission: 'DENY' },
      );
    await openAt('/ops');
    await screen.findByText('Nothing waits for you', undefined, slow);
    expect(
      screen.getByRole('tab', { name: 'RACI matrix' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Audit' })).toBeNull();
  });

  it('answers the audit page with "no such page"', async () => {
    renderWithOps(
      <Routes>
        <Route path="/ops/*" element={<OpsPage />} />
      </Routes>,
      { routeEntries: ['/ops/audit'], permission: 'DENY' },
    );
    expect(
      await screen.findByText('There is no such page', undefined, slow),
    ).toBeInTheDocument();
  });
});
