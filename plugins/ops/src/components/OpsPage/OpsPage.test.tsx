import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Route, Routes } from 'react-router-dom';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { OpsPage } from './OpsPage';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

/** Every list empty, so each page renders quickly with its empty state. */
function serveEmpty() {
  server.use(
    http.get(`${BASE_URL}/rfcs`, () => HttpResponse.json({ items: [] })),
    http.get(`${BASE_URL}/incidents`, () =>
      HttpResponse.json({ items: [], totalCount: 0 }),
    ),
    http.get(`${BASE_URL}/problems`, () => HttpResponse.json({ items: [] })),
    http.get(`${BASE_URL}/service-requests`, () =>
      HttpResponse.json({ items: [], totalCount: 0 }),
    ),
    http.get(`${BASE_URL}/reports/teams`, () =>
      HttpResponse.json({ items: [] }),
    ),
    http.get(`${BASE_URL}/schedule`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      return HttpResponse.json({
        from: query.get('from'),
        to: query.get('to'),
        rfcs: [],
        freezes: [],
        maintenanceWindows: [],
      });
    }),
    http.get(`${BASE_URL}/freezes`, () =>
      HttpResponse.json({ items: [], occurrences: [] }),
    ),
    http.get(`${BASE_URL}/calendar/feed-tokens`, () =>
      HttpResponse.json({ items: [] }),
    ),
  );
}

const openAt = (path: string) =>
  renderWithOps(
    <Routes>
      <Route path="/ops/*" element={<OpsPage />} />
    </Routes>,
    { routeEntries: [path] },
  );

const selectedTab = () =>
  screen
    .getAllByRole('tab')
    .find(t => t.getAttribute('aria-selected') === 'true')?.textContent;

describe('OpsPage routing', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it.each([
    ['/ops', 'RFC queue', 'Nothing waits for you'],
    ['/ops/calendar', 'Change calendar', 'Conflicts in this period (0)'],
    ['/ops/history', 'Change history', 'No finished changes match'],
    ['/ops/incidents', 'Incidents', 'No incidents match'],
    ['/ops/service-requests', 'Service requests', 'No service requests'],
    ['/ops/service-requests/new', 'Service requests', 'Send request'],
    ['/ops/reports', 'Reports', 'No team reports for you'],
    ['/ops/raci', 'RACI matrix', 'Capability'],
  ])('renders %s under the %s tab', async (path, tab, text) => {
    serveEmpty();
    await openAt(path);
    expect(
      (await screen.findAllByText(text, undefined, slow)).length,
    ).toBeGreaterThan(0);
    expect(selectedTab()).toBe(tab);
  });

  it('links the tabs to the mounted paths and follows them', async () => {
    serveEmpty();
    await openAt('/ops/incidents');
    await screen.findByText('No incidents match', undefined, slow);
    const reports = screen.getByRole('tab', { name: 'Reports' });
    expect(reports).toHaveAttribute('href', '/ops/reports');
    expect(screen.getByRole('tab', { name: 'RFC queue' })).toHaveAttribute(
      'href',
      '/ops',
    );
    expect(
      screen.getByRole('tab', { name: 'Change calendar' }),
    ).toHaveAttribute('href', '/ops/calendar');
    await userEvent.click(reports);
    expect(
      await screen.findByText('No team reports for you', undefined, slow),
    ).toBeInTheDocument();
    await waitFor(() => expect(selectedTab()).toBe('Reports'));
    await userEvent.click(screen.getByRole('tab', { name: 'Change calendar' }));
    expect(
      await screen.findByText(
        'No freeze falls in this period.',
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
    await waitFor(() => expect(selectedTab()).toBe('Change calendar'));
  });

  it('keeps the incidents tab selected on a problem page', async () => {
    server.use(
      http.get(`${BASE_URL}/problems/PRB-000001`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'gone' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    await openAt('/ops/problems/PRB-000001');
    await screen.findByText(/Could not load PRB-000001/, undefined, slow);
    expect(selectedTab()).toBe('Incidents');
  });

  it('has an Audit tab for those who may read the audit log', async () => {
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () =>
        HttpResponse.json({ ok: true, checked: 3 }),
      ),
    );
    await openAt('/ops/audit');
    expect(
      await screen.findByText('All 3 entries verified.', undefined, slow),
    ).toBeInTheDocument();
    expect(selectedTab()).toBe('Audit');
    expect(screen.getByRole('tab', { name: 'Audit' })).toHaveAttribute(
      'href',
      '/ops/audit',
    );
  });

  it('says when there is no such page', async () => {
    await openAt('/ops/nowhere');
    expect(
      await screen.findByText('There is no such page', undefined, slow),
    ).toBeInTheDocument();
  });
});
