import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { ChangeSchedulePage } from './ChangeSchedulePage';
import {
  freezeWindow,
  marchView,
  paymentsRelease,
  quarterClose,
} from './testData';

// In a file of its own: usePermission keeps a decision for the whole test
// file, so an ALLOW of another test would hide this DENY.
const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

describe('ChangeSchedulePage for someone who may not manage freezes or feeds', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows the calendar without freeze management or feed tokens', async () => {
    const paths: string[] = [];
    server.events.on('request:start', ({ request }) => {
      paths.push(new URL(request.url).pathname);
    });
    server.use(
      http.get(`${BASE_URL}/schedule`, () => HttpResponse.json(marchView())),
      http.get(`${BASE_URL}/freezes`, () =>
        HttpResponse.json({
          items: [freezeWindow(quarterClose), freezeWindow(paymentsRelease)],
          occurrences: [],
        }),
      ),
    );
    await renderWithOps(<ChangeSchedulePage />, {
      user: 'omar',
      permission: 'DENY',
      routeEntries: ['/ops/calendar?date=2026-03-02'],
    });
    const row = await screen.findByTestId(
      'freeze-row-FRZ-000001',
      undefined,
      slow,
    );
    expect(
      screen.getAllByRole('link', { name: 'RFC-000010' }).length,
    ).toBeGreaterThan(0);
    expect(within(row).queryByRole('button')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Declare freeze' })).toBeNull();
    expect(screen.queryByText('Calendar feed')).toBeNull();
    expect(paths.some(p => p.includes('feed-tokens'))).toBe(false);
    server.events.removeAllListeners();
  });
});
