import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { rfc } from '../../__testUtils__/fixtures';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { apiError, selectButton } from '../Incidents/testData';
import { ChangeHistoryPage } from './ChangeHistoryPage';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

function serve(answer?: (q: URLSearchParams) => Response | undefined) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE_URL}/rfcs`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q);
      const response = answer?.(q);
      if (response) return response as any;
      return HttpResponse.json({
        items: q.get('cursor')
          ? [rfc({ id: 'RFC-000001', status: 'Canceled' })]
          : [
              rfc({ id: 'RFC-000003', status: 'Success' }),
              rfc({ id: 'RFC-000002', status: 'Rejected' }),
            ],
        nextCursor: q.get('cursor') ? undefined : 'c2',
      });
    }),
  );
  return queries;
}

describe('ChangeHistoryPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('lists finished RFCs newest first, with links, and pages on', async () => {
    const queries = serve();
    await renderWithOps(<ChangeHistoryPage />);
    const link = await screen.findByRole('link', { name: 'RFC-000003' }, slow);
    expect(link).toHaveAttribute('href', '/ops/rfcs/RFC-000003');
    expect(
      within(link.closest('tr')!).getByText('Success'),
    ).toBeInTheDocument();
    expect(queries[0].getAll('status')).toEqual([
      'Success',
      'Failure',
      'Rejected',
      'Canceled',
    ]);
    expect(queries[0].get('sort')).toBe('updatedAt');
    expect(queries[0].get('order')).toBe('desc');
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(
      await screen.findByRole('link', { name: 'RFC-000001' }, slow),
    ).toBeInTheDocument();
    expect(queries[queries.length - 1].get('cursor')).toBe('c2');
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
  });

  it('filters by outcome, entity and team on the server', async () => {
    const queries = serve();
    await renderWithOps(<ChangeHistoryPage />);
    await screen.findByRole('link', { name: 'RFC-000003' }, slow);
    fireEvent.mouseDown(
      selectButton(screen.getAllByRole('button', { name: /Outcome/ })),
    );
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Failure',
      }),
    );
    fireEvent.change(screen.getByRole('textbox', { name: 'Entity' }), {
      target: { value: 'component:default/storefront' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Team' }), {
      target: { value: 'group:default/web' },
    });
    await waitFor(
      () => {
        const last = queries[queries.length - 1];
        expect(last.getAll('status')).toEqual(['Failure']);
        expect(last.get('targetEntityRef')).toBe(
          'component:default/storefront',
        );
        expect(last.get('owner')).toBe('group:default/web');
      },
      { timeout: 5_000 },
    );
  });

  it('has an empty state and an error state', async () => {
    serve(() => HttpResponse.json({ items: [] }) as any);
    const { unmount } = await renderWithOps(<ChangeHistoryPage />);
    expect(
      await screen.findByText('No finished changes match', undefined, slow),
    ).toBeInTheDocument();
    unmount();
    serve(() => apiError(500, 'Error', 'database is down'));
    await renderWithOps(<ChangeHistoryPage />);
    expect(
      await screen.findByText(
        /Could not load the change history/,
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
  });
});
