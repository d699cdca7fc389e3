import type { MonthlyServiceReport } from '@cloud-ops/plugin-ops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Route, Routes } from 'react-router-dom';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { apiError, selectButton } from '../Incidents/testData';
import { OpsPage } from '../OpsPage';
import { csvFileName, currentMonth, recentMonths } from './format';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

function report(
  overrides: Partial<MonthlyServiceReport> = {},
): MonthlyServiceReport {
  return {
    team: 'group:default/payments',
    month: '2026-02',
    period: { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' },
    generatedAt: '2026-03-02T08:00:00Z',
    rfcs: {
      total: 12,
      byStatus: {
        Editing: 1,
        PendingApproval: 2,
        Scheduled: 0,
        InProgress: 0,
        Success: 7,
        Failure: 1,
        Rejected: 1,
        Canceled: 0,
      },
      leadTimeHours: { median: 36, p90: 120 },
      approvalTimeHours: { median: 4.25, p90: null },
      automatedShare: 0.75,
      byClass: { standard: 6, normal: 5, emergency: 1 },
      freezeOverrides: 1,
      emergencyReviews: {
        required: 1,
        onTime: 0,
        late: 0,
        overdue: 1,
        pending: 0,
      },
    },
    incidents: {
      total: 5,
      byPriority: { P1: 1, P2: 0, P3: 3, P4: 1 },
      timeToResolveHours: { median: 1.5, p90: 10 },
      problemsOpened: 1,
    },
    patch: { instances: 10, compliantInstances: 9, compliancePercent: 90 },
    backups: { resources: 4, onSchedule: 3, successPercent: 75 },
    alarms: { ok: 20, alarm: 2, insufficientData: 1 },
    serviceRequests: { opened: 3, closed: 2 },
    ...overrides,
  };
}

function serve(options: { teams?: string[]; report?: () => Response } = {}) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE_URL}/reports/teams`, () =>
      HttpResponse.json({
        items: options.teams ?? ['group:default/payments', 'group:default/web'],
      }),
    ),
    http.get(`${BASE_URL}/reports/monthly`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q);
      if (q.get('format') === 'csv') {
        return new HttpResponse('section,metric,value\nrfcs,total,12\n', {
          headers: { 'content-type': 'text/csv' },
        });
      }
      return (options.report?.() ??
        HttpResponse.json(
          report({ team: q.get('team')!, month: q.get('month')! }),
        )) as any;
    }),
  );
  return queries;
}

const openAt = (path: string) =>
  renderWithOps(
    <Routes>
      <Route path="/ops/*" element={<OpsPage />} />
    </Routes>,
    { routeEntries: [path] },
  );

const row = (table: HTMLElement, name: string) =>
  within(table).getByText(name).closest('tr')!;

describe('reports', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('names months and CSV files', () => {
    const now = new Date('2026-01-15T00:00:00Z');
    expect(currentMonth(now)).toBe('2026-01');
    expect(recentMonths(3, now)).toEqual(['2026-01', '2025-12', '2025-11']);
    expect(csvFileName('group:default/payments', '2026-02')).toBe(
      'service-report-payments-2026-02.csv',
    );
  });

  it("shows the first team's report of the current month, section by section", async () => {
    const queries = serve();
    await openAt('/ops/reports');
    await screen.findByTestId('service-report', undefined, slow);
    expect(queries[0].get('team')).toBe('group:default/payments');
    expect(queries[0].get('month')).toBe(currentMonth());

    const byStatus = screen.getByRole('table', { name: 'RFCs by status' });
    expect(row(byStatus, 'Pending approval')).toHaveTextContent('2');
    expect(row(byStatus, 'Success')).toHaveTextContent('7');
    const timing = screen.getByRole('table', { name: 'RFC timing' });
    expect(row(timing, 'Lead time, median')).toHaveTextContent('36 h');
    expect(row(timing, 'Lead time, 90th percentile')).toHaveTextContent('5 d');
    expect(row(timing, 'Approval time, 90th percentile')).toHaveTextContent(
      '—',
    );
    expect(row(timing, 'Automated changes')).toHaveTextContent('75 %');
    const classes = screen.getByRole('table', { name: 'RFCs by change class' });
    expect(row(classes, 'Standard (pre-approved)')).toHaveTextContent('6');
    expect(row(classes, 'Emergency')).toHaveTextContent('1');
    expect(row(classes, 'Freeze overrides')).toHaveTextContent('1');
    expect(row(classes, 'Reviews overdue')).toHaveTextContent('1');
    const priorities = screen.getByRole('table', {
      name: 'Incidents by priority',
    });
    expect(row(priorities, 'P3')).toHaveTextContent('3');
    const resolution = screen.getByRole('table', {
      name: 'Incident resolution',
    });
    expect(row(resolution, 'Time to resolve, median')).toHaveTextContent(
      '1.5 h',
    );
    expect(row(resolution, 'Problems opened')).toHaveTextContent('1');
    const ops = screen.getByRole('table', { name: 'Operations' });
    expect(row(ops, 'Patch compliance')).toHaveTextContent(
      '90 % (9 of 10 instances)',
    );
    expect(row(ops, 'Backups on schedule')).toHaveTextContent(
      '75 % (3 of 4 resources)',
    );
    expect(row(ops, 'Alarms in ALARM')).toHaveTextContent('2');
    const requests = screen.getByRole('table', { name: 'Service requests' });
    expect(row(requests, 'Opened')).toHaveTextContent('3');
    expect(row(requests, 'Closed')).toHaveTextContent('2');
  });

  it('reads another team and month when picked, and links the printable view', async () => {
    const queries = serve();
    await openAt('/ops/reports');
    await screen.findByTestId('service-report', undefined, slow);
    const previous = recentMonths(2)[1];
    fireEvent.mouseDown(
      selectButton(screen.getAllByRole('button', { name: /Team/ })),
    );
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'web',
      }),
    );
    fireEvent.mouseDown(
      selectButton(screen.getAllByRole('button', { name: /Month/ })),
    );
    fireEvent.click(
      within(await screen.findByRole('listbox')).getAllByRole('option')[1],
    );
    await waitFor(() => {
      const last = queries[queries.length - 1];
      expect(last.get('team')).toBe('group:default/web');
      expect(last.get('month')).toBe(previous);
    });
    expect(screen.getByText('Printable view').closest('a')).toHaveAttribute(
      'href',
      `/ops/reports/print?team=group%3Adefault%2Fweb&month=${previous}`,
    );
  });

  it('downloads the CSV through the client and saves it under the report name', async () => {
    const queries = serve();
    const saved: { name: string; href: string }[] = [];
    const blobs: Blob[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:report';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        saved.push({ name: this.download, href: this.href });
      });
    try {
      await openAt('/ops/reports?team=group%3Adefault%2Fweb&month=2026-02');
      await screen.findByTestId('service-report', undefined, slow);
      await userEvent.click(
        screen.getByRole('button', { name: 'Download CSV' }),
      );
      await waitFor(() =>
        expect(saved).toEqual([
          { name: 'service-report-web-2026-02.csv', href: 'blob:report' },
        ]),
      );
      const csvQuery = queries.find(q => q.get('format') === 'csv')!;
      expect(csvQuery.get('team')).toBe('group:default/web');
      expect(csvQuery.get('month')).toBe('2026-02');
      expect(blobs[0].type).toBe('text/csv');
      const text = await blobs[0].text();
      expect(text).toBe('section,metric,value\nrfcs,total,12\n');
    } finally {
      click.mockRestore();
    }
  });

  it('says so when there is no team to report on', async () => {
    serve({ teams: [] });
    await openAt('/ops/reports');
    expect(
      await screen.findByText('No team reports for you', undefined, slow),
    ).toBeInTheDocument();
  });

  it('shows why a report cannot be read', async () => {
    serve({
      report: () =>
        apiError(403, 'NotAllowedError', 'You may not read the web report'),
    });
    await openAt('/ops/reports');
    expect(
      await screen.findByText(/Could not load the report/, undefined, slow),
    ).toBeInTheDocument();
  });

  it('renders the printable view without tabs, and prints', async () => {
    const queries = serve();
    const print = jest.fn();
    Object.assign(window, { print });
    await openAt('/ops/reports/print?team=group%3Adefault%2Fweb&month=2026-02');
    await screen.findByTestId('service-report', undefined, slow);
    expect(screen.queryAllByRole('tab')).toHaveLength(0);
    expect(queries[0].get('team')).toBe('group:default/web');
    expect(queries[0].get('month')).toBe('2026-02');
    await userEvent.click(screen.getByRole('button', { name: 'Print' }));
    expect(print).toHaveBeenCalledTimes(1);
    expect(
      screen.getByRole('link', { name: 'Back to reports' }),
    ).toHaveAttribute(
      'href',
      '/ops/reports?team=group%3Adefault%2Fweb&month=2026-02',
    );
  });
});
