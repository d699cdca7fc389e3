import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { entityOperations, paymentsApi } from '../../__testUtils__/fixtures';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { EntityOperationsContent } from './EntityOperationsContent';
import { isOperationsAvailable } from './isOperationsAvailable';

const server = setupServer();
const OPERATIONS = `${BASE_URL}/entities/component/default/payments-api/operations`;

function serve(body: unknown, status = 200) {
  const calls: Request[] = [];
  server.use(
    http.get(OPERATIONS, ({ request }) => {
      calls.push(request);
      return HttpResponse.json(body as any, { status });
    }),
  );
  return calls;
}

const render = (entity: Entity = paymentsApi) =>
  renderWithOps(
    <EntityProvider entity={entity}>
      <EntityOperationsContent />
    </EntityProvider>,
  );

const card = (id: string) => screen.findByTestId(id);

describe('EntityOperationsContent', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('fills all six cards from one request', async () => {
    const calls = serve(entityOperations());
    await render();

    const alarms = within(await card('ops-card-alarms'));
    expect(
      alarms.getByText('1 in ALARM, 1 with insufficient data, 1 OK'),
    ).toBeInTheDocument();
    expect(
      alarms.getByText('Threshold crossed: 12 errors in 5 minutes'),
    ).toBeInTheDocument();
    expect(
      alarms.getByRole('link', { name: /payments-api-5xx/ }),
    ).toHaveAttribute('href', 'https://console.example/alarm/payments-api-5xx');
    // firing alarms come first
    const rows = alarms.getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[1].textContent),
    ).toEqual([
      expect.stringMatching(/^payments-api-5xx/),
      expect.stringMatching(/^payments-api-cpu/),
      expect.stringMatching(/^payments-api-latency/),
    ]);

    const patch = within(await card('ops-card-patch'));
    expect(
      patch.getByRole('img', { name: '50% of instances compliant' }),
    ).toBeInTheDocument();
    expect(
      patch.getByText('Critical updates missing').nextSibling,
    ).toHaveTextContent('2');
    expect(
      patch.getByText('Important (security) updates missing').nextSibling,
    ).toHaveTextContent('3');
    expect(patch.getByText(/Sunday patching/)).toBeInTheDocument();
    expect(
      patch.getByText(/Not under patch management: i-0ccc/),
    ).toBeInTheDocument();

    const backups = within(await card('ops-card-backups'));
    expect(
      backups.getByText(/Last good recovery point 30 h old/),
    ).toBeInTheDocument();
    expect(
      backups.getByText(/overdue, expected every 24 h/),
    ).toBeInTheDocument();
    expect(
      backups.getByRole('img', { name: /Timeline of the last recovery point/ }),
    ).toBeInTheDocument();

    const tags = within(await card('ops-card-tags'));
    expect(
      tags.getByText('Tag data-classification is required'),
    ).toBeInTheDocument();
    expect(tags.getByText(/Not compliant: 1 violation/)).toBeInTheDocument();

    const history = within(await card('ops-card-history'));
    expect(history.getByRole('link', { name: 'RFC-000007' })).toHaveAttribute(
      'href',
      '/ops/rfcs/RFC-000007',
    );
    expect(history.getByText('Pending approval')).toBeInTheDocument();

    const raci = within(await card('ops-card-raci'));
    const approve = raci.getByText('Approving user RFCs').closest('tr')!;
    // Central IT is Responsible and the payments team Informed
    const cells = within(approve).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent('central-it');
    expect(cells[3]).toHaveTextContent('payments');
    expect(within(cells[1]).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/group/central-it',
    );

    expect(screen.getAllByText('Sandbox data')).toHaveLength(3);
    expect(calls).toHaveLength(1);
  });

  it('starts a restore RFC from the Backups card', async () => {
    serve(entityOperations());
    await render();
    await card('ops-card-backups');
    expect(screen.getByText('Request restore').closest('a')).toHaveAttribute(
      'href',
      '/ops/rfcs/new?entity=component%3Adefault%2Fpayments-api&changeType=restore-stack-from-snapshot',
    );
  });

  it('shows an error in every card when the request fails', async () => {
    serve(
      {
        error: {
          name: 'NotAllowedError',
          message: 'You may not read payments-api',
        },
        response: { statusCode: 403 },
      },
      403,
    );
    await render();
    for (const id of [
      'alarms',
      'patch',
      'backups',
      'history',
      'tags',
      'raci',
    ]) {
      expect(
        await screen.findByTestId(`ops-card-${id}-error`),
      ).toHaveTextContent(
        'Could not load operations data: You may not read payments-api',
      );
    }
  });

  it('says when data is stale and what went wrong', async () => {
    const ops = entityOperations();
    serve({
      ...ops,
      alarms: {
        ...ops.alarms,
        stale: true,
        error: 'ThrottlingException: Rate exceeded',
      },
    });
    await render();
    expect(
      await screen.findByTestId('ops-card-alarms-stale'),
    ).toHaveTextContent(
      'Stale: the last read failed (ThrottlingException: Rate exceeded)',
    );
    expect(
      screen.queryByTestId('ops-card-patch-stale'),
    ).not.toBeInTheDocument();
  });

  it('has empty states for never-read and empty sections', async () => {
    const ops = entityOperations();
    serve({
      ...ops,
      alarms: { ...ops.alarms, data: { alarms: [] } },
      patch: { data: null, refreshedAt: null, stale: false, source: null },
      recentRfcs: { available: true, items: [] },
    });
    await render();
    expect(
      within(await card('ops-card-alarms')).getByText('No alarms'),
    ).toBeInTheDocument();
    expect(
      within(await card('ops-card-patch')).getByText('Not read yet'),
    ).toBeInTheDocument();
    expect(
      within(await card('ops-card-history')).getByText('No RFCs yet'),
    ).toBeInTheDocument();
  });

  it('reads the change history from the RFC API when the operations data has none', async () => {
    serve(entityOperations({ recentRfcs: { available: false, items: [] } }));
    server.use(
      http.get(`${BASE_URL}/entities/component/default/payments-api/rfcs`, () =>
        HttpResponse.json({
          items: [
            {
              id: 'RFC-000011',
              title: 'Open port 443',
              status: 'Scheduled',
              updatedAt: '2026-03-01T10:00:00Z',
            },
          ],
        }),
      ),
    );
    await render();
    const history = within(await card('ops-card-history'));
    expect(
      await history.findByRole('link', { name: 'RFC-000011' }),
    ).toBeInTheDocument();
    expect(history.getByText('Scheduled')).toBeInTheDocument();
  });

  it('explains the missing annotation on the AWS cards and still shows the others', async () => {
    serve(entityOperations());
    await render({
      ...paymentsApi,
      metadata: { name: 'payments-api', namespace: 'default' },
    });
    for (const id of [
      'ops-card-alarms',
      'ops-card-patch',
      'ops-card-backups',
    ]) {
      expect(
        within(await card(id)).getByText(/Missing Annotation/i),
      ).toBeInTheDocument();
    }
    expect(
      within(await card('ops-card-tags')).getByText(
        'Tag data-classification is required',
      ),
    ).toBeInTheDocument();
  });

  it('treats provisioned stacks as mapped without a selector', () => {
    const bare = { ...paymentsApi, metadata: { name: 'x' } };
    expect(
      isOperationsAvailable({
        ...bare,
        metadata: {
          name: 'x',
          annotations: { 'cloud-ops.io/provisioned-product-id': 'pp-abc123' },
        },
      }),
    ).toBe(true);
    expect(isOperationsAvailable(bare)).toBe(false);
  });
});
