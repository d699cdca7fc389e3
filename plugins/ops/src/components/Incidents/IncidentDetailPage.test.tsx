import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Incident } from '@cloud-ops/plugin-ops-common';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { OpsPage } from '../OpsPage';
import { apiError, incident } from './testData';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

function serve(resolve?: () => Response) {
  let current: Incident = incident({ problemId: 'PRB-000001' });
  const bodies: unknown[] = [];
  server.use(
    http.get(`${BASE_URL}/incidents/INC-000001`, () =>
      HttpResponse.json(current),
    ),
    http.post(
      `${BASE_URL}/incidents/INC-000001/resolve`,
      async ({ request }) => {
        const body = (await request.json()) as { notes: string };
        bodies.push(body);
        const answer = resolve?.();
        if (answer) return answer as any;
        current = {
          ...current,
          status: 'Resolved',
          resolvedAt: '2026-03-02T11:00:00Z',
          resolvedBy: 'user:default/omar',
          resolution: 'manual',
          resolutionNotes: body.notes,
        };
        return HttpResponse.json(current);
      },
    ),
  );
  return bodies;
}

const open = () =>
  renderWithOps(<OpsPage />, {
    user: 'omar',
    routeEntries: ['/incidents/INC-000001'],
  });

describe('IncidentDetailPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows the incident with its alarm and problem', async () => {
    serve();
    await open();
    expect(
      await screen.findByRole(
        'heading',
        { name: 'INC-000001: payments-api-5xx' },
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Threshold crossed: 12 errors in 5 minutes'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'PRB-000001' })).toHaveAttribute(
      'href',
      '/ops/problems/PRB-000001',
    );
    expect(screen.getByText(/production-5xx/)).toBeInTheDocument();
    // An open P1 or P2 offers an emergency change that answers it.
    const emergency = screen.getByRole('button', {
      name: 'Request an emergency change',
    });
    const url = new URL(emergency.getAttribute('href')!, 'http://portal');
    expect(url.pathname).toBe('/ops/rfcs/new');
    expect(url.searchParams.get('incident')).toBe('INC-000001');
    expect(url.searchParams.get('entity')).toBe(incident().entityRef);
  });

  it('resolves with the required notes', async () => {
    const bodies = serve();
    await open();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Resolve' }, slow),
    );
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Resolve' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Resolution notes/), {
      target: { value: 'Scaled the service out' },
    });
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(screen.getByTestId('incident-status')).toHaveTextContent(
        'Resolved',
      ),
    );
    expect(bodies).toEqual([{ notes: 'Scaled the service out' }]);
    expect(screen.getByText('Scaled the service out')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Resolve' }),
      ).not.toBeInTheDocument(),
    );
    // A resolved incident is no reason for an emergency.
    expect(
      screen.queryByRole('button', { name: 'Request an emergency change' }),
    ).not.toBeInTheDocument();
  });

  it('explains a refusal from the server', async () => {
    serve(() =>
      apiError(
        403,
        'NotAllowedError',
        'Only Central IT resolves incidents by hand',
      ),
    );
    await open();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Resolve' }, slow),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Resolution notes/), {
      target: { value: 'done' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Resolve' }),
    );
    const failure = await screen.findByTestId('resolve-failure');
    expect(failure).toHaveTextContent('You may not resolve this incident');
    expect(failure).toHaveTextContent(
      'Only Central IT resolves incidents by hand',
    );
    expect(screen.getByTestId('incident-status')).toHaveTextContent('Open');
  });

  it('shows an error when the incident does not exist', async () => {
    server.use(
      http.get(`${BASE_URL}/incidents/INC-000001`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No incident INC-000001' },
          },
          { status: 404 },
        ),
      ),
    );
    await open();
    expect(
      await screen.findByText(/Could not load INC-000001/, undefined, slow),
    ).toBeInTheDocument();
  });
});
