import { fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { IncidentsPage } from './IncidentsPage';
import { apiError, incident, problem, selectButton } from './testData';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

function serve(options: { incidents?: Response; problems?: Response } = {}) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE_URL}/incidents`, ({ request }) => {
      queries.push(new URL(request.url).searchParams);
      return (options.incidents?.clone() ??
        HttpResponse.json({
          items: [
            incident({ problemId: 'PRB-000001' }),
            incident({
              id: 'INC-000002',
              priority: 'P3',
              status: 'Resolved',
              alarmName: 'payments-api-latency',
              resolvedAt: '2026-03-02T12:30:00Z',
              resolvedBy: 'system',
            }),
          ],
          totalCount: 120,
        })) as any;
    }),
    http.get(
      `${BASE_URL}/problems`,
      () =>
        (options.problems?.clone() ??
          HttpResponse.json({ items: [problem()] })) as any,
    ),
  );
  return queries;
}

const pickOption = async (label: RegExp, option: string) => {
  fireEvent.mouseDown(
    selectButton(screen.getAllByRole('button', { name: label })),
  );
  fireEvent.click(
    within(await screen.findByRole('listbox')).getByRole('option', {
      name: option,
    }),
  );
};

describe('IncidentsPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('lists incidents with priority, entity, alarm, timing and problem, and the problems', async () => {
    serve();
    await renderWithOps(<IncidentsPage />);
    const link = await screen.findByRole('link', { name: 'INC-000001' }, slow);
    expect(link).toHaveAttribute('href', '/ops/incidents/INC-000001');
    const row = link.closest('tr')!;
    expect(within(row).getByText('P1')).toBeInTheDocument();
    expect(
      within(row).getByRole('link', { name: /payments-api-5xx/ }),
    ).toHaveAttribute('href', 'https://console.example/alarm/payments-api-5xx');
    expect(
      within(row).getByRole('link', { name: 'PRB-000001' }),
    ).toHaveAttribute('href', '/ops/problems/PRB-000001');
    expect(
      within(row).getByRole('link', { name: /payments-api$/ }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    const resolved = screen
      .getByRole('link', { name: 'INC-000002' })
      .closest('tr')!;
    expect(within(resolved).getByText('2.5 h')).toBeInTheDocument();
    // paging by offset, with the total from the server
    expect(screen.getByText('1–50 of 120')).toBeInTheDocument();
    // problems section
    const problemRow = screen
      .getByText('payments-api-5xx keeps firing')
      .closest('tr')!;
    expect(
      within(problemRow).getByRole('link', { name: 'PRB-000001' }),
    ).toHaveAttribute('href', '/ops/problems/PRB-000001');
    expect(
      screen.getByText('payments-api-5xx keeps firing'),
    ).toBeInTheDocument();
  });

  it('filters on the server and pages with the offset', async () => {
    const queries = serve();
    await renderWithOps(<IncidentsPage />);
    await screen.findByRole('link', { name: 'INC-000001' }, slow);
    await pickOption(/Priority/, 'P1');
    await pickOption(/^Status/, 'Open');
    await screen.findByRole('link', { name: 'INC-000001' }, slow);
    let last = queries[queries.length - 1];
    expect(last.get('priority')).toBe('P1');
    expect(last.get('status')).toBe('Open');
    expect(last.get('offset')).toBe('0');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'INC-000001' }, slow);
    last = queries[queries.length - 1];
    expect(last.get('offset')).toBe('50');
    expect(last.get('priority')).toBe('P1');
  });

  it('has an empty state for incidents and problems', async () => {
    serve({
      incidents: HttpResponse.json({ items: [], totalCount: 0 }),
      problems: HttpResponse.json({ items: [] }),
    });
    await renderWithOps(<IncidentsPage />);
    expect(
      await screen.findByText('No incidents match', undefined, slow),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No problems match', undefined, slow),
    ).toBeInTheDocument();
  });

  it('shows the server message when incidents cannot be read', async () => {
    serve({
      incidents: apiError(500, 'Error', 'database is down'),
    });
    await renderWithOps(<IncidentsPage />);
    expect(
      await screen.findByText(/Could not load incidents/, undefined, slow),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is down/).length).toBeGreaterThan(0);
  });
});
