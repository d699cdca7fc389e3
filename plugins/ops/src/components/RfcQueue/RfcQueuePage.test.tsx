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

  it('lists the emergencies whose review is overdue apart from those still due', async () => {
    const day = 86_400_000;
    const executed = {
      status: 'Success' as const,
      changeClass: 'emergency' as const,
      emergencyIncidentId: 'INC-000012',
      attempt: 1,
    };
    const late = rfc({
      ...executed,
      id: 'RFC-000031',
      title: 'Emergency restore of payments-db',
      reviewDueAt: new Date(Date.now() - 2 * day).toISOString(),
    });
    const onTime = rfc({
      ...executed,
      id: 'RFC-000032',
      title: 'Emergency patch of payments-api',
      status: 'Failure',
      reviewDueAt: new Date(Date.now() + 3 * day).toISOString(),
    });
    const queries = servePending();
    server.use(
      http.get(`${BASE_URL}/rfcs`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        queries.push(q);
        if (q.get('review') === 'overdue') {
          return HttpResponse.json({ items: [late] });
        }
        if (q.get('review') === 'due') {
          return HttpResponse.json({ items: [late, onTime] });
        }
        return HttpResponse.json({ items: [] });
      }),
    );
    await renderWithOps(<RfcQueuePage />, { user: 'omar' });
    const tab = screen.getByRole('tab', { name: /^Reviews/ });
    // the overdue count shows on the tab before it is opened
    expect(
      await within(tab).findByText('1', undefined, slow),
    ).toBeInTheDocument();
    await userEvent.click(tab);

    const overdue = within(screen.getByTestId('reviews-overdue'));
    expect(
      await overdue.findByRole('link', { name: 'RFC-000031' }, slow),
    ).toHaveAttribute('href', '/ops/rfcs/RFC-000031');
    expect(overdue.getByTestId('review-due-RFC-000031')).toHaveTextContent(
      'overdue',
    );
    expect(
      overdue.queryByRole('link', { name: 'RFC-000032' }),
    ).not.toBeInTheDocument();

    const due = within(screen.getByTestId('reviews-due'));
    expect(
      await due.findByRole('link', { name: 'RFC-000032' }, slow),
    ).toBeInTheDocument();
    expect(due.getByTestId('review-due-RFC-000032')).not.toHaveTextContent(
      'overdue',
    );
    // listed once, under overdue
    expect(
      due.queryByRole('link', { name: 'RFC-000031' }),
    ).not.toBeInTheDocument();
    expect(queries.some(q => q.get('review') === 'overdue')).toBe(true);
    expect(queries.some(q => q.get('review') === 'due')).toBe(true);
  });

  it('leaves out reviews this person may not write', async () => {
    const webEmergency = rfc({
      id: 'RFC-000033',
      status: 'Success',
      changeClass: 'emergency',
      targetEntityRef: 'component:default/storefront',
      ownerGroup: 'group:default/web',
      requester: 'user:default/wei',
      attempt: 1,
      reviewDueAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    servePending();
    server.use(
      http.get(`${BASE_URL}/rfcs`, ({ request }) =>
        HttpResponse.json({
          items: new URL(request.url).searchParams.get('review')
            ? [webEmergency]
            : [],
        }),
      ),
    );
    // priya is on the payments team, not the web team that owns it
    await renderWithOps(<RfcQueuePage />, {
      user: 'priya',
      routeEntries: ['/?queue=reviews'],
    });
    expect(
      await screen.findByText('No review is overdue', undefined, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'RFC-000033' }),
    ).not.toBeInTheDocument();
  });

  it('lists scheduled and running RFCs and links to the change calendar', async () => {
    const queries = servePending();
    await renderWithOps(<RfcQueuePage />, { user: 'ana' });
    await userEvent.click(screen.getByRole('tab', { name: 'Scheduled' }));
    expect(
      await screen.findByRole('link', { name: 'RFC-000001' }, slow),
    ).toHaveAttribute('href', '/ops/rfcs/RFC-000001');
    const scheduled = queries.find(
      q => q.getAll('status').join() === 'Scheduled,InProgress',
    );
    expect(scheduled?.get('sort')).toBe('requestedStartTime');
    expect(scheduled?.get('order')).toBe('asc');
    expect(
      screen.getByRole('button', { name: 'Open the change calendar' }),
    ).toHaveAttribute('href', '/ops/calendar');
  });
});
