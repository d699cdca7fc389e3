import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Rfc, RfcConflicts } from '@cloud-ops/plugin-ops-common';
import { rfc } from '../../__testUtils__/fixtures';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { OpsPage } from '../OpsPage';
import { formatTime } from '../shared/time';

const server = setupServer();
// Generous: these render the whole page, and CI runs suites side by side on two cores.
jest.setTimeout(120_000);
const slow = { timeout: 45_000 };

const noConflicts = (r: Rfc): RfcConflicts => ({
  window: {
    start: r.requestedStartTime ?? r.createdAt,
    end: r.requestedEndTime ?? r.updatedAt,
  },
  freezes: [],
  overlapping: [],
});

function serveRfc(
  initial: Rfc,
  decide?: (action: string, body: any) => Response | Rfc,
) {
  let current = initial;
  const bodies: { action: string; body: any }[] = [];
  server.use(
    http.get(`${BASE_URL}/rfcs/${initial.id}/conflicts`, () =>
      HttpResponse.json(noConflicts(current)),
    ),
    http.get(`${BASE_URL}/change-types`, () =>
      HttpResponse.json({
        items: [
          { id: 'restore-stack-from-snapshot', automation: 'automated' },
          { id: 'exclude-stack-from-patching', automation: 'manual' },
        ],
      }),
    ),
    http.get(`${BASE_URL}/rfcs/${initial.id}`, () =>
      HttpResponse.json(current),
    ),
    http.get(`${BASE_URL}/rfcs/${initial.id}/execution`, () =>
      HttpResponse.json({
        rfcId: initial.id,
        attempt: current.attempt,
        steps: [],
        outputs: [],
      }),
    ),
    http.get(`${BASE_URL}/rfcs/${initial.id}/events`, () =>
      HttpResponse.json({
        items: [
          {
            id: 1,
            rfcId: initial.id,
            actor: 'user:default/ana',
            action: 'create',
            toStatus: 'Editing',
            at: initial.createdAt,
          },
          {
            id: 2,
            rfcId: initial.id,
            actor: 'user:default/ana',
            action: 'submit',
            fromStatus: 'Editing',
            toStatus: 'PendingApproval',
            at: initial.updatedAt,
          },
        ],
      }),
    ),
    http.post(
      `${BASE_URL}/rfcs/${initial.id}/:action`,
      async ({ request, params }) => {
        const body = await request.json();
        bodies.push({ action: String(params.action), body });
        const answer = decide?.(String(params.action), body);
        if (answer instanceof Response) return answer as any;
        current = answer ?? current;
        return HttpResponse.json(current);
      },
    ),
  );
  return bodies;
}

const open = (
  user: 'ana' | 'omar' | 'priya',
  permission: 'ALLOW' | 'DENY' = 'ALLOW',
  id = 'RFC-000007',
) =>
  renderWithOps(<OpsPage />, {
    user,
    permission,
    routeEntries: [`/rfcs/${id}`],
  });

describe('RfcDetailPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows every field and the lifecycle', async () => {
    serveRfc(rfc());
    await open('omar');
    expect(
      await screen.findByText(
        'RFC-000007: Restore payments-db',
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Provision the restore product.'),
    ).toBeInTheDocument();
    expect(screen.getByText('Check the rows.')).toBeInTheDocument();
    expect(
      screen.getByText('Terminate the restored stack.'),
    ).toBeInTheDocument();
    expect(screen.getByText('User RFC')).toBeInTheDocument();
    expect(screen.getByTestId('rfc-timeline')).toHaveTextContent(
      'submit by ana: Editing → Pending approval',
    );
  });

  it('lets Central IT approve a user RFC, naming the version it saw', async () => {
    const bodies = serveRfc(rfc(), () =>
      rfc({
        status: 'Scheduled',
        version: 3,
        approvals: [
          {
            approver: 'user:default/omar',
            decision: 'approved',
            at: '2026-03-02T12:00:00Z',
          },
        ],
      }),
    );
    await open('omar');
    const approve = await screen.findByRole(
      'button',
      { name: 'Approve' },
      slow,
    );
    expect(screen.getByRole('button', { name: 'Reject' })).toBeInTheDocument();
    await userEvent.click(approve);
    await userEvent.type(
      screen.getByLabelText('Comment (optional)'),
      'fine by me',
    );
    const dialogButtons = screen.getAllByRole('button', { name: 'Approve' });
    await userEvent.click(dialogButtons[dialogButtons.length - 1]);
    await waitFor(() =>
      expect(screen.getByTestId('rfc-status')).toHaveTextContent('Scheduled'),
    );
    expect(bodies).toEqual([
      { action: 'approve', body: { version: 2, comment: 'fine by me' } },
    ]);
  });

  it('needs a reason to reject', async () => {
    const bodies = serveRfc(rfc(), () =>
      rfc({ status: 'Rejected', version: 3 }),
    );
    await open('omar');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject' }, slow),
    );
    const confirm = () => {
      const buttons = screen.getAllByRole('button', { name: 'Reject' });
      return buttons[buttons.length - 1];
    };
    expect(confirm()).toBeDisabled();
    await userEvent.type(
      screen.getByLabelText(/Why is it rejected/),
      'no rollback tested',
    );
    await userEvent.click(confirm());
    await waitFor(() =>
      expect(bodies).toEqual([
        {
          action: 'reject',
          body: { version: 2, comment: 'no rollback tested' },
        },
      ]),
    );
  });

  it('offers the requester cancel but never approval of their own RFC', async () => {
    serveRfc(rfc());
    await open('ana');
    expect(
      await screen.findByRole('button', { name: 'Cancel RFC' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Reject' }),
    ).not.toBeInTheDocument();
  });

  it('hides actions the permission policy denies', async () => {
    // usePermission caches decisions per resource across renders, so this RFC is a new one
    serveRfc(rfc({ id: 'RFC-000008' }));
    await open('omar', 'DENY', 'RFC-000008');
    expect(
      await screen.findByTestId('rfc-no-actions', undefined, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
  });

  it('offers nothing on a finished RFC', async () => {
    serveRfc(rfc({ status: 'Success' }));
    await open('omar');
    expect(
      await screen.findByTestId('rfc-no-actions', undefined, slow),
    ).toBeInTheDocument();
  });

  it('reloads when someone else decided first', async () => {
    let gets = 0;
    const bodies = serveRfc(rfc(), () =>
      HttpResponse.json(
        {
          error: { name: 'ConflictError', message: 'RFC-000007 changed' },
          response: { statusCode: 409 },
        },
        { status: 409 },
      ),
    );
    server.use(
      http.get(`${BASE_URL}/rfcs/RFC-000007`, () => {
        gets += 1;
        return HttpResponse.json(
          gets > 1 ? rfc({ status: 'Scheduled', version: 3 }) : rfc(),
        );
      }),
    );
    await open('omar');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve' }, slow),
    );
    const buttons = screen.getAllByRole('button', { name: 'Approve' });
    await userEvent.click(buttons[buttons.length - 1]);
    await waitFor(
      () =>
        expect(screen.getByTestId('rfc-status')).toHaveTextContent('Scheduled'),
      slow,
    );
    expect(bodies).toHaveLength(1);
    expect(gets).toBe(2);
  });

  it('lets Central IT carry out a manual change and record its outcome', async () => {
    const manual = rfc({
      id: 'RFC-000020',
      changeTypeId: 'access-request',
      automation: 'manual',
      status: 'InProgress',
      version: 5,
    });
    const bodies = serveRfc(manual, () =>
      rfc({ ...manual, status: 'Success', version: 6 }),
    );
    await open('omar', 'ALLOW', 'RFC-000020');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Record success' }, slow),
    );
    await userEvent.type(
      screen.getByLabelText('Outcome notes (optional)'),
      'excluded until the freeze ends',
    );
    await userEvent.click(
      screen.getByRole('dialog').querySelector('button:last-of-type')!,
    );
    await waitFor(() =>
      expect(screen.getByTestId('rfc-status')).toHaveTextContent('Success'),
    );
    expect(bodies).toEqual([
      {
        action: 'complete',
        body: {
          version: 5,
          outcome: 'Success',
          outcomeNotes: 'excluded until the freeze ends',
        },
      },
    ]);
  });

  it('offers no execution actions on automated changes, which the executor runs', async () => {
    serveRfc(
      rfc({
        id: 'RFC-000021',
        status: 'Scheduled',
        requestedStartTime: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    );
    await open('omar', 'ALLOW', 'RFC-000021');
    expect(
      await screen.findByRole('button', { name: 'Cancel RFC' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Start' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/Not started yet: the executor starts it/),
    ).toBeInTheDocument();
  });

  it("shows the execution's steps, log lines and outputs, with the stack it provisioned", async () => {
    const running = rfc({
      id: 'RFC-000022',
      status: 'InProgress',
      attempt: 1,
      taskId: 'task-7',
    });
    serveRfc(running);
    server.use(
      http.get(`${BASE_URL}/rfcs/RFC-000022/execution`, () =>
        HttpResponse.json({
          rfcId: 'RFC-000022',
          attempt: 1,
          taskId: 'task-7',
          taskStatus: 'processing',
          steps: [
            {
              id: 'rfc',
              name: 'Record the RFC',
              action: 'ops:rfc:create',
              status: 'completed',
            },
            {
              id: 'provision',
              name: 'Provision the stack',
              action: 'aws:servicecatalog:provision',
              status: 'processing',
            },
          ],
          outputs: [
            {
              attempt: 1,
              stepId: 'provision',
              name: 'provisionedProductId',
              value: 'pp-42',
              at: running.updatedAt,
            },
            {
              attempt: 1,
              stepId: 'provision',
              name: 'stackEntityRef',
              value: 'resource:default/shop-dev',
              at: running.updatedAt,
            },
          ],
          stackEntityRef: 'resource:default/shop-dev',
        }),
      ),
      http.get(`${BASE_URL}/rfcs/RFC-000022/execution/logs`, ({ request }) =>
        HttpResponse.json({
          items: new URL(request.url).searchParams.get('after')
            ? []
            : [
                {
                  id: 1,
                  at: '2026-03-01T10:00:01.000Z',
                  stepId: 'provision',
                  message: 'Provisioning shop-dev (pp-42)',
                  type: 'log',
                },
              ],
        }),
      ),
    );
    await open('ana', 'ALLOW', 'RFC-000022');
    const card = await screen.findByTestId('rfc-execution', {}, slow);
    await waitFor(() =>
      expect(within(card).getByTestId('rfc-execution-log')).toHaveTextContent(
        '[provision] Provisioning shop-dev (pp-42)',
      ),
    );
    expect(
      within(card).getByText('Provision the stack: processing'),
    ).toBeInTheDocument();
    expect(within(card).getByTestId('rfc-execution-outputs')).toHaveTextContent(
      'pp-42',
    );
    expect(within(card).getByTestId('rfc-execution-stack')).toHaveTextContent(
      'shop-dev',
    );
    expect(screen.getByText(/Attempt 1: task processing/)).toBeInTheDocument();
  });

  it('shows why an execution failed and lets a stakeholder retry it as a new attempt', async () => {
    const failed = rfc({
      id: 'RFC-000023',
      status: 'Failure',
      attempt: 1,
      taskId: 'task-8',
      statusReason:
        'Provisioning shop-dev failed: Subnet subnet-1 does not exist',
      version: 6,
    });
    const bodies = serveRfc(failed, () =>
      rfc({ ...failed, status: 'Scheduled', version: 7 }),
    );
    server.use(
      http.get(`${BASE_URL}/rfcs/RFC-000023/execution`, () =>
        HttpResponse.json({
          rfcId: 'RFC-000023',
          attempt: 1,
          taskId: 'task-8',
          taskStatus: 'failed',
          steps: [],
          outputs: [],
          error: failed.statusReason,
        }),
      ),
      http.get(`${BASE_URL}/rfcs/RFC-000023/execution/logs`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await open('ana', 'ALLOW', 'RFC-000023');
    expect(
      await screen.findByTestId('rfc-execution-error', {}, slow),
    ).toHaveTextContent('Subnet subnet-1 does not exist');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await userEvent.click(
      screen.getByRole('dialog').querySelector('button:last-of-type')!,
    );
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toEqual({ action: 'retry', body: { version: 6 } });
  });

  describe('editing a draft', () => {
    const draft = (overrides: Partial<Rfc> = {}) =>
      rfc({
        id: 'RFC-000030',
        status: 'Editing',
        version: 4,
        approverGroup: 'group:default/central-it',
        ...overrides,
      });

    /** Serves the draft, its change type with a parameter form, and PATCH. */
    function serveDraft(patch: (body: any) => Response | Rfc) {
      const patches: any[] = [];
      serveRfc(draft());
      server.use(
        http.get(`${BASE_URL}/change-types`, () =>
          HttpResponse.json({
            items: [
              {
                id: 'restore-stack-from-snapshot',
                automation: 'automated',
                parameterSchema: {
                  properties: {
                    snapshotId: {
                      title: 'Snapshot or recovery point',
                      type: 'string',
                      pattern: '^(snap|rds:|arn:aws:backup:)[A-Za-z0-9:/._-]+$',
                    },
                  },
                  required: ['snapshotId'],
                },
              },
            ],
          }),
        ),
        http.patch(`${BASE_URL}/rfcs/RFC-000030`, async ({ request }) => {
          const body = await request.json();
          patches.push(body);
          const answer = patch(body);
          if (answer instanceof Response) return answer as any;
          return HttpResponse.json(answer);
        }),
      );
      return patches;
    }

    it('lets the requester edit the fields and saves what changed, naming the version', async () => {
      const patches = serveDraft(body =>
        draft({
          title: body.title,
          parameters: body.parameters,
          risk: body.risk,
          version: 5,
        }),
      );
      await open('ana', 'ALLOW', 'RFC-000030');
      await userEvent.click(
        await screen.findByRole('button', { name: 'Edit' }, slow),
      );
      const form = within(screen.getByTestId('rfc-edit-form'));
      // submitting waits until the edit is saved or discarded
      expect(
        screen.queryByRole('button', { name: 'Submit for approval' }),
      ).not.toBeInTheDocument();
      expect(form.getByLabelText(/^Title/)).toHaveValue('Restore payments-db');
      expect(form.getByLabelText(/^Snapshot or recovery point/)).toHaveValue(
        'snap-0123',
      );

      fireEvent.change(form.getByLabelText(/^Title/), {
        target: { value: 'Restore payments-db from Sunday' },
      });
      fireEvent.change(form.getByLabelText(/^Snapshot or recovery point/), {
        target: { value: 'not-a-snapshot' },
      });
      await userEvent.click(form.getByRole('button', { name: 'Save changes' }));
      // the form checks the parameter before anything is sent
      expect(
        form.getByText(/Snapshot or recovery point must match/),
      ).toBeInTheDocument();
      expect(patches).toHaveLength(0);

      fireEvent.change(form.getByLabelText(/^Snapshot or recovery point/), {
        target: { value: 'snap-0456' },
      });
      fireEvent.mouseDown(form.getByLabelText(/^Risk/));
      await userEvent.click(screen.getByRole('option', { name: 'medium' }));
      await userEvent.click(form.getByRole('button', { name: 'Save changes' }));

      await waitFor(() => expect(patches).toHaveLength(1));
      expect(patches[0]).toEqual({
        version: 4,
        title: 'Restore payments-db from Sunday',
        risk: 'medium',
        parameters: { snapshotId: 'snap-0456' },
      });
      expect(
        await screen.findByText(
          'RFC-000030: Restore payments-db from Sunday',
          undefined,
          slow,
        ),
      ).toBeInTheDocument();
      expect(screen.queryByTestId('rfc-edit-form')).not.toBeInTheDocument();
      // and then it goes for approval as before
      expect(
        await screen.findByRole(
          'button',
          { name: 'Submit for approval' },
          slow,
        ),
      ).toBeInTheDocument();
    });

    it('says someone else changed the draft and reloads it on 409', async () => {
      let gets = 0;
      const patches = serveDraft(() =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: 'RFC-000030 is at version 5, not 4',
            },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      );
      server.use(
        http.get(`${BASE_URL}/rfcs/RFC-000030`, () => {
          gets += 1;
          return HttpResponse.json(
            gets > 1
              ? draft({ title: 'Renamed by a colleague', version: 5 })
              : draft(),
          );
        }),
      );
      await open('ana', 'ALLOW', 'RFC-000030');
      await userEvent.click(
        await screen.findByRole('button', { name: 'Edit' }, slow),
      );
      const form = within(screen.getByTestId('rfc-edit-form'));
      fireEvent.change(form.getByLabelText(/^Description/), {
        target: { value: 'Mine' },
      });
      await userEvent.click(form.getByRole('button', { name: 'Save changes' }));
      expect(
        await screen.findByTestId('rfc-edit-conflict', undefined, slow),
      ).toHaveTextContent(
        'Someone else changed RFC-000030 while you were editing it',
      );
      expect(patches).toEqual([{ version: 4, description: 'Mine' }]);
      expect(
        await screen.findByText(
          'RFC-000030: Renamed by a colleague',
          undefined,
          slow,
        ),
      ).toBeInTheDocument();
      expect(gets).toBe(2);
      expect(screen.queryByTestId('rfc-edit-form')).not.toBeInTheDocument();
    });

    it('offers editing to the requester of a draft only', async () => {
      serveDraft(() => draft());
      // priya is on the owning team, so she may cancel the draft but not edit it
      await open('priya', 'ALLOW', 'RFC-000030');
      expect(
        await screen.findByRole('button', { name: 'Cancel RFC' }, slow),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Edit' }),
      ).not.toBeInTheDocument();
    });

    it('offers no editing once the RFC is submitted', async () => {
      serveRfc(rfc());
      await open('ana');
      expect(
        await screen.findByRole('button', { name: 'Cancel RFC' }, slow),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Edit' }),
      ).not.toBeInTheDocument();
    });
  });

  describe('freezes, conflicts and emergency changes', () => {
    const freezeRefusal = (message: string) =>
      HttpResponse.json(
        {
          error: { name: 'ConflictError', message },
          response: { statusCode: 409 },
        },
        { status: 409 },
      );
    const FREEZE_MESSAGE =
      'the freeze "Quarter close" (FRZ-000003) covers component:default/payments-api from 2026-03-28T00:00:00.000Z until 2026-03-31T23:00:00.000Z: Finance closes the books';

    it('shows an approver the conflicts the API found, linked, without blocking approval', async () => {
      const pending = rfc({ id: 'RFC-000050' });
      serveRfc(pending);
      const conflicts: RfcConflicts = {
        window: {
          start: '2026-03-29T10:00:00.000Z',
          end: '2026-03-29T11:00:00.000Z',
        },
        freezes: [
          {
            freezeId: 'FRZ-000003',
            name: 'Quarter close',
            reason: 'Finance closes the books',
            side: 'central-it',
            start: '2026-03-28T00:00:00.000Z',
            end: '2026-03-31T23:00:00.000Z',
            overridden: false,
          },
        ],
        overlapping: [
          {
            id: 'RFC-000011',
            title: 'Patch payments-db',
            status: 'Scheduled',
            targetEntityRef: 'resource:default/payments-db',
            start: '2026-03-29T09:30:00.000Z',
            end: '2026-03-29T10:30:00.000Z',
          },
        ],
        maintenanceWindow: {
          known: true,
          inside: false,
          schedule: 'cron(0 2 ? * SUN *)',
          next: {
            start: '2026-04-05T02:00:00.000Z',
            end: '2026-04-05T04:00:00.000Z',
          },
        },
      };
      server.use(
        http.get(`${BASE_URL}/rfcs/RFC-000050/conflicts`, () =>
          HttpResponse.json(conflicts),
        ),
      );
      await open('omar', 'ALLOW', 'RFC-000050');
      const card = await screen.findByTestId('rfc-schedule', undefined, slow);
      const overlapping = await within(card).findByTestId(
        'rfc-conflict-overlapping',
        undefined,
        slow,
      );
      expect(
        within(overlapping).getByRole('link', { name: 'RFC-000011' }),
      ).toHaveAttribute('href', '/ops/rfcs/RFC-000011');
      expect(overlapping).toHaveTextContent('Patch payments-db');
      const freezes = within(card).getByTestId('rfc-conflict-freezes');
      expect(freezes).toHaveTextContent('Quarter close');
      expect(freezes).toHaveTextContent('Finance closes the books');
      expect(freezes).toHaveTextContent(
        `until ${formatTime('2026-03-31T23:00:00.000Z')}`,
      );
      expect(
        within(card).getByTestId('rfc-maintenance-window'),
      ).toHaveTextContent(
        'Outside the maintenance window (cron(0 2 ? * SUN *))',
      );
      expect(card).toHaveTextContent('they do not block');
      // it warns: the decision is still open
      expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
    });

    it('keeps the schedule card for the requester and the approvers', async () => {
      let reads = 0;
      serveRfc(rfc({ id: 'RFC-000051' }));
      server.use(
        http.get(`${BASE_URL}/rfcs/RFC-000051/conflicts`, () => {
          reads += 1;
          return HttpResponse.json(noConflicts(rfc()));
        }),
      );
      // priya is on the owning team, neither the requester nor an approver
      await open('priya', 'ALLOW', 'RFC-000051');
      expect(
        await screen.findByRole('button', { name: 'Cancel RFC' }, slow),
      ).toBeInTheDocument();
      expect(screen.queryByTestId('rfc-schedule')).not.toBeInTheDocument();
      expect(reads).toBe(0);
    });

    it('says which freeze holds an approved RFC, and until when', async () => {
      serveRfc(
        rfc({
          id: 'RFC-000052',
          status: 'Scheduled',
          requestedStartTime: new Date(Date.now() - 3_600_000).toISOString(),
          requestedEndTime: new Date(Date.now() + 86_400_000).toISOString(),
          hold: {
            freezeId: 'FRZ-000003',
            freezeName: 'Quarter close',
            reason: 'Finance closes the books',
            until: '2026-03-31T23:00:00.000Z',
            since: '2026-03-29T10:00:00.000Z',
            checkedAt: '2026-03-29T10:05:00.000Z',
          },
        }),
      );
      await open('ana', 'ALLOW', 'RFC-000052');
      expect(
        await screen.findByTestId('rfc-hold', undefined, slow),
      ).toHaveTextContent(
        `Held by freeze Quarter close: Finance closes the books, until ${formatTime(
          '2026-03-31T23:00:00.000Z',
        )}`,
      );
    });

    it('shows an emergency with its incident and the freeze it overrides', async () => {
      serveRfc(
        rfc({
          id: 'RFC-000053',
          changeClass: 'emergency',
          emergencyIncidentId: 'INC-000012',
          freezeOverride: {
            reason: 'Payments are down',
            freezeIds: ['FRZ-000003'],
            by: 'user:default/ana',
            at: '2026-03-29T10:00:00.000Z',
          },
        }),
      );
      await open('omar', 'ALLOW', 'RFC-000053');
      expect(
        await screen.findByTestId('rfc-change-class', undefined, slow),
      ).toHaveTextContent('Emergency');
      expect(screen.getByTestId('rfc-emergency-incident')).toHaveAttribute(
        'href',
        '/ops/incidents/INC-000012',
      );
      expect(screen.getByTestId('rfc-freeze-override')).toHaveTextContent(
        'Overrides FRZ-000003: Payments are down',
      );
    });

    it('takes the post-implementation review of an executed emergency and then shows it', async () => {
      const executed = rfc({
        id: 'RFC-000054',
        status: 'Success',
        changeClass: 'emergency',
        emergencyIncidentId: 'INC-000012',
        attempt: 1,
        version: 8,
        reviewDueAt: new Date(Date.now() - 86_400_000).toISOString(),
      });
      const bodies = serveRfc(executed, (_action, body) =>
        rfc({
          ...executed,
          version: 9,
          review: {
            whatHappened: body.whatHappened,
            rootCause: body.rootCause,
            followUp: body.followUp,
            reviewedBy: 'user:default/ana',
            reviewedAt: new Date().toISOString(),
            onTime: false,
          },
        }),
      );
      await open('ana', 'ALLOW', 'RFC-000054');
      const due = await screen.findByTestId('rfc-review-due', undefined, slow);
      expect(due).toHaveTextContent(`Due ${formatTime(executed.reviewDueAt)}`);
      expect(due).toHaveTextContent('overdue');
      const form = within(
        await screen.findByTestId('rfc-review-form', undefined, slow),
      );
      fireEvent.change(form.getByLabelText(/^What happened/), {
        target: { value: 'The restore replaced a corrupt table.' },
      });
      fireEvent.change(form.getByLabelText(/^Root cause/), {
        target: { value: 'not a record' },
      });
      fireEvent.change(form.getByLabelText(/^Follow-up/), {
        target: { value: 'Add a checksum alarm.' },
      });
      await userEvent.click(
        form.getByRole('button', { name: 'Record the review' }),
      );
      // the root cause is checked before anything is sent
      expect(
        form.getByText(/Give a problem or incident id/),
      ).toBeInTheDocument();
      expect(bodies).toHaveLength(0);

      fireEvent.change(form.getByLabelText(/^Root cause/), {
        target: { value: 'prb-12' },
      });
      await userEvent.click(
        form.getByRole('button', { name: 'Record the review' }),
      );
      const review = await screen.findByTestId('rfc-review', undefined, slow);
      expect(bodies).toEqual([
        {
          action: 'review',
          body: {
            version: 8,
            whatHappened: 'The restore replaced a corrupt table.',
            rootCause: 'PRB-000012',
            followUp: 'Add a checksum alarm.',
          },
        },
      ]);
      expect(review).toHaveTextContent('The restore replaced a corrupt table.');
      expect(
        within(review).getByRole('link', { name: 'PRB-000012' }),
      ).toHaveAttribute('href', '/ops/problems/PRB-000012');
      expect(review).toHaveTextContent('after its due date');
      expect(screen.queryByTestId('rfc-review-form')).not.toBeInTheDocument();
    });

    it('offers an emergency refused by a freeze to override it, and submits again with the reason', async () => {
      const draft = rfc({
        id: 'RFC-000055',
        status: 'Editing',
        changeClass: 'emergency',
        emergencyIncidentId: 'INC-000012',
        version: 4,
      });
      const bodies = serveRfc(draft, (_action, body) =>
        body.freezeOverrideReason
          ? rfc({
              ...draft,
              status: 'PendingApproval',
              version: 5,
              freezeOverride: {
                reason: body.freezeOverrideReason,
                freezeIds: ['FRZ-000003'],
                by: 'user:default/ana',
                at: new Date().toISOString(),
              },
            })
          : freezeRefusal(
              `${FREEZE_MESSAGE}. An emergency may override it: say why in freezeOverrideReason`,
            ),
      );
      await open('ana', 'ALLOW', 'RFC-000055');
      await userEvent.click(
        await screen.findByRole(
          'button',
          { name: 'Submit for approval' },
          slow,
        ),
      );
      const dialog = () => within(screen.getByRole('dialog'));
      await userEvent.click(
        dialog().getByRole('button', { name: 'Submit for approval' }),
      );
      expect(
        await screen.findByTestId('rfc-freeze-refusal', undefined, slow),
      ).toHaveTextContent('the freeze "Quarter close" (FRZ-000003) covers');
      const override = dialog().getByRole('button', {
        name: 'Override the freeze',
      });
      expect(override).toBeDisabled();
      await userEvent.type(
        dialog().getByLabelText(/Why must this emergency override the freeze/),
        'Payments are down',
      );
      await userEvent.click(override);
      await waitFor(
        () =>
          expect(screen.getByTestId('rfc-status')).toHaveTextContent(
            'Pending approval',
          ),
        slow,
      );
      expect(bodies).toEqual([
        { action: 'submit', body: { version: 4 } },
        {
          action: 'submit',
          body: { version: 4, freezeOverrideReason: 'Payments are down' },
        },
      ]);
      expect(screen.getByTestId('rfc-freeze-override')).toHaveTextContent(
        'Overrides FRZ-000003: Payments are down',
      );
    });

    it('shows a normal change the freeze that refused it, with no override', async () => {
      let gets = 0;
      const draft = rfc({ id: 'RFC-000056', status: 'Editing', version: 4 });
      const bodies = serveRfc(draft, () =>
        freezeRefusal(
          `${FREEZE_MESSAGE}. Ask for a time after the freeze ends`,
        ),
      );
      server.use(
        http.get(`${BASE_URL}/rfcs/RFC-000056`, () => {
          gets += 1;
          return HttpResponse.json(draft);
        }),
      );
      await open('ana', 'ALLOW', 'RFC-000056');
      await userEvent.click(
        await screen.findByRole(
          'button',
          { name: 'Submit for approval' },
          slow,
        ),
      );
      await userEvent.click(
        within(screen.getByRole('dialog')).getByRole('button', {
          name: 'Submit for approval',
        }),
      );
      expect(
        await screen.findByTestId('rfc-freeze-refusal', undefined, slow),
      ).toHaveTextContent('Ask for a time after the freeze ends');
      expect(
        screen.queryByRole('button', { name: 'Override the freeze' }),
      ).not.toBeInTheDocument();
      expect(bodies).toHaveLength(1);
      // nothing changed on the server, so nothing is reloaded
      expect(gets).toBe(1);
    });
  });

  it('says when the RFC does not exist', async () => {
    server.use(
      http.get(`${BASE_URL}/rfcs/RFC-000007`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No RFC RFC-000007' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
      http.get(`${BASE_URL}/rfcs/RFC-000007/events`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await open('omar');
    expect(
      await screen.findByText(/Could not load RFC-000007/, undefined, slow),
    ).toBeInTheDocument();
  });
});
