import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { mockApis } from '@backstage/test-utils';
import type { ServiceRequest } from '@cloud-ops/plugin-ops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Route, Routes } from 'react-router-dom';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import {
  apiError,
  recordingAlertApi,
  selectButton,
} from '../Incidents/testData';
import { OpsPage } from '../OpsPage';
import { groupsOf } from './NewServiceRequestPage';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

function request(overrides: Partial<ServiceRequest> = {}): ServiceRequest {
  return {
    id: 'SR-000001',
    title: 'How long are backups kept?',
    topic: 'managed-environment',
    team: 'group:default/payments',
    requester: 'user:default/ana',
    status: 'AwaitingTeam',
    createdAt: '2026-03-01T09:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
    version: 2,
    messages: [
      {
        id: 1,
        author: 'user:default/ana',
        side: 'team',
        body: 'How long are the RDS backups of payments kept?',
        at: '2026-03-01T09:00:00Z',
      },
      {
        id: 2,
        author: 'user:default/omar',
        side: 'central-it',
        body: 'Thirty-five days.',
        at: '2026-03-01T10:00:00Z',
      },
    ],
    ...overrides,
  };
}

/** The pages mounted at /ops, as the app mounts them, so navigation works. */
const openAt = (
  path: string,
  options: Parameters<typeof renderWithOps>[1] = {},
) =>
  renderWithOps(
    <Routes>
      <Route path="/ops/*" element={<OpsPage />} />
    </Routes>,
    { routeEntries: [path], ...options },
  );

describe('service requests', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  describe('list', () => {
    it('lists requests with topic and status, filtered by status', async () => {
      const queries: URLSearchParams[] = [];
      server.use(
        http.get(`${BASE_URL}/service-requests`, ({ request: r }) => {
          queries.push(new URL(r.url).searchParams);
          return HttpResponse.json({
            items: [request({ messages: undefined })],
            totalCount: 1,
          });
        }),
      );
      await openAt('/ops/service-requests');
      const link = await screen.findByRole('link', { name: 'SR-000001' }, slow);
      expect(link).toHaveAttribute('href', '/ops/service-requests/SR-000001');
      const row = link.closest('tr')!;
      expect(
        within(row).getByText('My managed environment'),
      ).toBeInTheDocument();
      expect(within(row).getByText('Awaiting team')).toBeInTheDocument();
      fireEvent.mouseDown(
        selectButton(screen.getAllByRole('button', { name: /Status/ })),
      );
      fireEvent.click(
        within(await screen.findByRole('listbox')).getByRole('option', {
          name: 'Awaiting Central IT',
        }),
      );
      await waitFor(() =>
        expect(queries[queries.length - 1].get('status')).toBe(
          'AwaitingCentralIt',
        ),
      );
      expect(screen.getByText('New request').closest('a')).toHaveAttribute(
        'href',
        '/ops/service-requests/new',
      );
    });

    it('has an empty state and an error state', async () => {
      server.use(
        http.get(`${BASE_URL}/service-requests`, () =>
          HttpResponse.json({ items: [], totalCount: 0 }),
        ),
      );
      const { unmount } = await openAt('/ops/service-requests');
      expect(
        await screen.findByText('No service requests', undefined, slow),
      ).toBeInTheDocument();
      unmount();
      server.use(
        http.get(`${BASE_URL}/service-requests`, () =>
          apiError(500, 'Error', 'the database is down'),
        ),
      );
      await openAt('/ops/service-requests');
      expect(
        await screen.findByText(
          /Could not load service requests/,
          undefined,
          slow,
        ),
      ).toBeInTheDocument();
    });
  });

  describe('new request', () => {
    it('keeps the groups among ownership refs', () => {
      expect(
        groupsOf([
          'user:default/ana',
          'group:default/payments',
          'Group:default/web',
        ]),
      ).toEqual(['group:default/payments', 'Group:default/web']);
    });

    it('sends the form with the entity from the link and opens the new request', async () => {
      const posted: unknown[] = [];
      server.use(
        http.post(`${BASE_URL}/service-requests`, async ({ request: r }) => {
          posted.push(await r.json());
          return HttpResponse.json(request({ id: 'SR-000009' }));
        }),
        http.get(`${BASE_URL}/service-requests/SR-000009`, () =>
          HttpResponse.json(request({ id: 'SR-000009' })),
        ),
      );
      await openAt(
        '/ops/service-requests/new?entity=component%3Adefault%2Fpayments-api',
      );
      const entity = await screen.findByRole(
        'textbox',
        { name: /Entity/ },
        slow,
      );
      expect(entity).toHaveValue('component:default/payments-api');
      // ana has one team, so she is not asked for one
      expect(
        screen.queryByRole('button', { name: /^Team/ }),
      ).not.toBeInTheDocument();
      const send = screen.getByRole('button', { name: 'Send request' });
      expect(send).toBeDisabled();
      fireEvent.change(screen.getByRole('textbox', { name: /Title/ }), {
        target: { value: 'Backup retention' },
      });
      fireEvent.mouseDown(
        selectButton(screen.getAllByRole('button', { name: /Topic/ })),
      );
      fireEvent.click(
        within(await screen.findByRole('listbox')).getByRole('option', {
          name: 'AWS service offerings',
        }),
      );
      fireEvent.change(screen.getByRole('textbox', { name: /Question/ }), {
        target: { value: 'How long are backups kept?' },
      });
      await userEvent.click(send);
      expect(
        await screen.findByRole(
          'heading',
          { name: 'SR-000009: How long are backups kept?' },
          slow,
        ),
      ).toBeInTheDocument();
      expect(posted).toEqual([
        {
          title: 'Backup retention',
          topic: 'aws-service-offerings',
          body: 'How long are backups kept?',
          entityRef: 'component:default/payments-api',
        },
      ]);
    });

    it('asks which team when the user has several, and shows a refusal', async () => {
      const posted: any[] = [];
      server.use(
        http.post(`${BASE_URL}/service-requests`, async ({ request: r }) => {
          posted.push(await r.json());
          return apiError(
            400,
            'InputError',
            'group:default/web is not one of your teams',
          );
        }),
      );
      await openAt('/ops/service-requests/new', {
        extraApis: [
          [
            identityApiRef,
            mockApis.identity({
              userEntityRef: 'user:default/kim',
              ownershipEntityRefs: [
                'user:default/kim',
                'group:default/payments',
                'group:default/web',
              ],
            }),
          ],
        ],
      });
      fireEvent.change(
        await screen.findByRole('textbox', { name: /Title/ }, slow),
        { target: { value: 'VPC peering' } },
      );
      fireEvent.mouseDown(
        selectButton(screen.getAllByRole('button', { name: /Topic/ })),
      );
      fireEvent.click(
        within(await screen.findByRole('listbox')).getByRole('option', {
          name: 'Central IT and its services',
        }),
      );
      fireEvent.change(screen.getByRole('textbox', { name: /Question/ }), {
        target: { value: 'Can you peer our VPC?' },
      });
      const send = screen.getByRole('button', { name: 'Send request' });
      expect(send).toBeDisabled();
      fireEvent.mouseDown(
        selectButton(await screen.findAllByRole('button', { name: /Team/ })),
      );
      fireEvent.click(
        within(await screen.findByRole('listbox')).getByRole('option', {
          name: 'web',
        }),
      );
      await userEvent.click(send);
      expect(
        await screen.findByTestId('service-request-failure'),
      ).toHaveTextContent('group:default/web is not one of your teams');
      expect(posted[0].team).toBe('group:default/web');
    });
  });

  describe('detail', () => {
    function serveDetail(
      answer?: (action: string, body: any) => Response | undefined,
    ) {
      let current = request();
      const calls: { action: string; body: any }[] = [];
      server.use(
        http.get(`${BASE_URL}/service-requests/SR-000001`, () =>
          HttpResponse.json(current),
        ),
        http.post(
          `${BASE_URL}/service-requests/SR-000001/:action`,
          async ({ request: r, params }) => {
            const body: any = await r.json();
            const action = String(params.action);
            calls.push({ action, body });
            const response = answer?.(action, body);
            if (response) return response as any;
            current =
              action === 'messages'
                ? {
                    ...current,
                    status: 'AwaitingCentralIt',
                    version: current.version + 1,
                    messages: [
                      ...current.messages!,
                      {
                        id: 3,
                        author: 'user:default/ana',
                        side: 'team',
                        body: body.body,
                        at: '2026-03-02T10:00:00Z',
                      },
                    ],
                  }
                : {
                    ...current,
                    status: 'Closed',
                    closedAt: '2026-03-02T10:00:00Z',
                    version: current.version + 1,
                  };
            return HttpResponse.json(current);
          },
        ),
      );
      return calls;
    }

    it('shows the thread with author, side and time', async () => {
      serveDetail();
      await openAt('/ops/service-requests/SR-000001');
      const question = await screen.findByTestId('message-1', undefined, slow);
      expect(question).toHaveTextContent(
        'How long are the RDS backups of payments kept?',
      );
      expect(question).toHaveTextContent('Team');
      expect(
        within(question).getByRole('link', { name: /ana/ }),
      ).toBeInTheDocument();
      const answer = screen.getByTestId('message-2');
      expect(answer).toHaveTextContent('Central IT');
      expect(answer).toHaveTextContent('Thirty-five days.');
      expect(screen.getByTestId('service-request-status')).toHaveTextContent(
        'Awaiting team',
      );
    });

    it('replies with the version on screen', async () => {
      const calls = serveDetail();
      await openAt('/ops/service-requests/SR-000001');
      fireEvent.change(
        await screen.findByRole('textbox', { name: 'Reply' }, slow),
        { target: { value: 'Thanks, and for S3?' } },
      );
      await userEvent.click(screen.getByRole('button', { name: 'Send reply' }));
      expect(
        await screen.findByTestId('message-3', undefined, slow),
      ).toHaveTextContent('Thanks, and for S3?');
      expect(calls).toEqual([
        {
          action: 'messages',
          body: { body: 'Thanks, and for S3?', version: 2 },
        },
      ]);
      expect(screen.getByRole('textbox', { name: 'Reply' })).toHaveValue('');
    });

    it('closes with a reason, after which nobody can reply', async () => {
      const calls = serveDetail();
      await openAt('/ops/service-requests/SR-000001');
      await userEvent.click(
        await screen.findByRole('button', { name: 'Close request' }, slow),
      );
      const dialog = await screen.findByRole('dialog');
      fireEvent.change(within(dialog).getByRole('textbox'), {
        target: { value: 'Answered' },
      });
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Close request' }),
      );
      await waitFor(() =>
        expect(screen.getByTestId('service-request-status')).toHaveTextContent(
          'Closed',
        ),
      );
      expect(calls).toEqual([
        { action: 'close', body: { version: 2, reason: 'Answered' } },
      ]);
      expect(
        screen.queryByRole('textbox', { name: 'Reply' }),
      ).not.toBeInTheDocument();
    });

    it('reloads when someone else replied first', async () => {
      const alertApi = recordingAlertApi();
      serveDetail(() =>
        apiError(409, 'ConflictError', 'SR-000001 is at version 3'),
      );
      await openAt('/ops/service-requests/SR-000001', {
        extraApis: [[alertApiRef, alertApi]],
      });
      fireEvent.change(
        await screen.findByRole('textbox', { name: 'Reply' }, slow),
        { target: { value: 'Me too' } },
      );
      await userEvent.click(screen.getByRole('button', { name: 'Send reply' }));
      await waitFor(() =>
        expect(alertApi.post).toHaveBeenCalledWith(
          expect.objectContaining({
            severity: 'warning',
            message: expect.stringContaining('SR-000001 is at version 3'),
          }),
        ),
      );
      // the draft reply is kept so it can be sent again
      expect(screen.getByRole('textbox', { name: 'Reply' })).toHaveValue(
        'Me too',
      );
    });
  });
});
