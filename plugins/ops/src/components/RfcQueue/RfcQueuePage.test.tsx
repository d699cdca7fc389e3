import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { rfc } from '../../__testUtils__/fixtures';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { RfcQueuePage } from './RfcQueuePage';

const server = setupServer();
// The first render of the table is slow under jsdom.
jest.setTimeout(30_000);
const slow = { timeout: 10_000 };

const userRfc = rfc({
  id: 'RFC-000001',
  title: 'Restore ledger',
  requester: 'user:default/ana',
});
const centralItRfc = rfc({
  id: 'RFC-000002',
  title: 'Patch exclusion for payments-api',
  origin: 'central-it',
  requester: 'user:default/omar',
  approverGroup: 'group:default/payments',
});
const webRfc = rfc({
  id: 'RFC-000003',
  title: 'Storefront restore',
  targetEntityRef: 'component:default/storefront',
  ownerGroup: 'group:default/web',
  requester: 'user:default/wei',
});

function servePending() {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE_URL}/rfcs`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q);
      if (q.getAll('status').join() === 'PendingApproval') {
        return HttpResponse.json({ items: [userRfc, centralItRfc, webRfc] });
      }
      if (q.get('requester')) {
        return HttpResponse.json({
          items: [userRfc, centralItRfc, webRfc].filter(
            r => r.requester === q.get('requester'),
          ),
        });
      }
      return HttpResponse.json({
        items: [userRfc],
        nextCursor: q.get('cursor') ? undefined : 'next',
      });
    }),
  );
  return queries;
}

describe('RfcQueuePage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it("shows Central IT the user RFCs it approves, not the teams' ones", async () => {
    servePending();
    await renderWithOps(<RfcQueuePage />, { user: 'omar' });
    expect(
      await screen.findByRole('link', { name: 'RFC-000001' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'RFC-000003' }),
    ).toBeInTheDocument();
    // omar requested RFC-000002, and the payments team approves it
    expect(
      screen.queryByRole('link', { name: 'RFC-000002' }),
    ).not.toBeInTheDocument();
  });

  it('shows a team the Central IT RFCs against its entities, never its own requests', async () => {
    servePending();
    await renderWithOps(<RfcQueuePage />, { user: 'priya' });
    expect(
      await screen.findByRole('link', { name: 'RFC-000002' }, slow),
    ).toHaveAttribute('href', '/ops/rfcs/RFC-000002');
    expect(
      screen.queryByRole('link', { name: 'RFC-000001' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'RFC-000003' }),
    ).not.toBeInTheDocument();
  });

  it('has an empty state when nothing waits', async () => {
    servePending();
    // wei's own RFC is the only one against the web team's entities
    await renderWithOps(<RfcQueuePage />, { user: 'wei' });
    expect(
      await screen.findByText('Nothing waits for you', undefined, slow),
    ).toBeInTheDocument();
  });

  it('lists my requests by requester', async () => {
    const queries = servePending();
    await renderWithOps(<RfcQueuePage />, { user: 'wei' });
    await userEvent.click(screen.getByRole('tab', { name: 'My requests' }));
    expect(
      await screen.findByRole('link', { name: 'RFC-000003' }, slow),
    ).toBeInTheDocument();
    expect(queries.some(q => q.get('requester') === 'user:default/wei')).toBe(
      true,
    );
  });

  it('filters all RFCs on the server and pages with the cursor', async () => {
    const queries = servePending();
    await renderWithOps(<RfcQueuePage />, { user: 'ana' });
    await userEvent.click(screen.getByRole('tab', { name: 'All' }));
    fireEvent.change(screen.getByLabelText('Target entity'), {
      target: { value: 'component:default/payments-api' },
    });
    await screen.findAllByRole('link', { name: 'RFC-000001' }, slow);
    const last = queries[queries.length - 1];
    expect(last.get('targetEntityRef')).toBe('component:default/payments-api');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Load more' }, slow),
    );
    expect(
      await screen.findAllByRole('link', { name: 'RFC-000001' }, slow),
    ).toHaveLength(2);
    expect(queries[queries.length - 1].get('cursor')).toBe('next');
  });

  it('shows scheduled RFCs on the calendar day they start', async () => {
    servePending();
    const start = new Date();
    start.setHours(10, 0, 0, 0);
    const ranges: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/calendar`, ({ request }) => {
        ranges.push(new URL(request.url).searchParams);
        return HttpResponse.json({
          items: [
            rfc({
              id: 'RFC-000009',
              status: 'Scheduled',
              requestedStartTime: start.toISOString(),
            }),
          ],
        });
      }),
    );
    await renderWithOps(<RfcQueuePage />, { user: 'ana' });
    await userEvent.click(screen.getByRole('tab', { name: 'Scheduled' }));
    const pad = (n: number) => String(n).padStart(2, '0');
    const day = `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(
      start.getDate(),
    )}`;
    const cell = await screen.findByTestId(
      `calendar-day-${day}`,
      undefined,
      slow,
    );
    expect(
      await within(cell).findByText(/RFC-000009/, undefined, slow),
    ).toBeInTheDocument();
    // Scheduled RFCs without a start time are listed under the calendar.
    expect(
      await within(
        await screen.findByTestId('ops-calendar-asap', undefined, slow),
      ).findByRole('link', { name: 'RFC-000001' }),
    ).toBeInTheDocument();
    expect(Date.parse(ranges[0].get('from')!)).toBeLessThanOrEqual(
      start.getTime(),
    );
    expect(Date.parse(ranges[0].get('to')!)).toBeGreaterThan(start.getTime());
  });
});
