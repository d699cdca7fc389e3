import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type {
  EntityOperations,
  SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import {
  entityOperations,
  paymentsApi,
  raciConfig,
} from '../../__testUtils__/fixtures';
import {
  BASE_URL,
  renderWithOps,
  USERS,
} from '../../__testUtils__/renderWithOps';
import { EntityOperationsContent } from './EntityOperationsContent';
import { isOperationsAvailable } from './isOperationsAvailable';

jest.setTimeout(60_000);

const OPERATIONS = `${BASE_URL}/entities/component/default/payments-api/operations`;
const RACI = `${BASE_URL}/raci`;
// Every test gets the RACI config as shipped unless it serves its own.
const server = setupServer(
  http.get(RACI, () => HttpResponse.json(raciConfig())),
);

function serve(body: unknown, status = 200, url = OPERATIONS) {
  const calls: Request[] = [];
  server.use(
    http.get(url, ({ request }) => {
      calls.push(request);
      return HttpResponse.json(body as any, { status });
    }),
  );
  return calls;
}

const serveRaci = (body: unknown, status = 200) => serve(body, status, RACI);

/** A handler that answers only once released, to hold one request back. */
function serveHeld(url: string, body: unknown) {
  let release = () => {};
  const held = new Promise<void>(resolve => {
    release = resolve;
  });
  server.use(
    http.get(url, async () => {
      await held;
      return HttpResponse.json(body as any);
    }),
  );
  return release;
}

const forbidden = (message: string) => ({
  error: { name: 'NotAllowedError', message },
  response: { statusCode: 403 },
});

/** The Responsible, Consulted and Informed cells of an activity's row. */
function raciRow(container: HTMLElement, activity: string) {
  const row = within(container).getByText(activity).closest('tr')!;
  const [, responsible, consulted, informed] = within(row).getAllByRole('cell');
  const refs = (cell: HTMLElement) =>
    within(cell)
      .queryAllByRole('link')
      .map(a => a.getAttribute('href'));
  return {
    responsible: refs(responsible),
    consulted: refs(consulted),
    informed: refs(informed),
  };
}

const render = (
  entity: Entity = paymentsApi,
  user: keyof typeof USERS = 'ana',
) =>
  renderWithOps(
    <EntityProvider entity={entity}>
      <EntityOperationsContent />
    </EntityProvider>,
    { user },
  );

const card = (id: string) => screen.findByTestId(id);
/** The whole card, header actions included. */
const frame = async (id: string) =>
  (await card(id)).closest('.MuiCard-root') as HTMLElement;

/** The new-RFC link's target: path, change type, entity and prefilled parameters. */
function rfcLinkOf(element: HTMLElement | null) {
  const href = element?.closest('a')?.getAttribute('href');
  if (!href) throw new Error('not a link');
  const url = new URL(href, 'http://portal');
  const parameters: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    if (key.startsWith('p.')) parameters[key.slice(2)] = value;
  });
  return {
    path: url.pathname,
    entity: url.searchParams.get('entity'),
    changeType: url.searchParams.get('changeType'),
    parameters,
  };
}

const daysFromNow = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString();

/** The fixture with the settings in force changed; the RFC-derived `settings` stay as they are. */
function withInForce(
  data: Partial<SettingsSnapshot> | null,
  section: Partial<EntityOperations['settingsInForce']> = {},
): EntityOperations {
  const ops = entityOperations();
  return {
    ...ops,
    settingsInForce: {
      ...ops.settingsInForce,
      ...section,
      data: data && { ...ops.settingsInForce.data!, ...data },
    },
  };
}

const WINDOW_IN_FORCE =
  entityOperations().settingsInForce.data!.maintenanceWindow!;

describe('EntityOperationsContent', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('fills six cards from the operations answer and the RACI card from the RACI config', async () => {
    const calls = serve(entityOperations());
    const raciCalls = serveRaci(raciConfig());
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
      backups.getByRole('group', { name: 'Timeline of recovery points' }),
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

    // the RACI card fills from its own request, which may answer later
    const raci = within(await card('ops-card-raci'));
    const approve = (await raci.findByText('Approving user RFCs')).closest(
      'tr',
    )!;
    // Central IT is Responsible and the payments team Informed
    const cells = within(approve).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent('central-it');
    expect(cells[3]).toHaveTextContent('payments');
    expect(within(cells[1]).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/group/central-it',
    );

    const incidents = within(await card('ops-card-incidents'));
    expect(incidents.getByText('1 open incident')).toBeInTheDocument();
    expect(incidents.getByRole('link', { name: 'INC-000012' })).toHaveAttribute(
      'href',
      '/ops/incidents/INC-000012',
    );

    // alarms, patch, backups, the incidents opened from sandbox alarms, and
    // the settings in force on the patch and backups cards
    expect(screen.getAllByText('Sandbox data')).toHaveLength(6);
    expect(calls).toHaveLength(1);
    expect(raciCalls).toHaveLength(1);
  });

  it('shows an error in the operations cards when that request fails, and the RACI card still', async () => {
    serve(forbidden('You may not read payments-api'), 403);
    await render();
    for (const id of [
      'alarms',
      'patch',
      'backups',
      'incidents',
      'history',
      'tags',
    ]) {
      expect(
        await screen.findByTestId(`ops-card-${id}-error`),
      ).toHaveTextContent(
        'Could not load operations data: You may not read payments-api',
      );
    }
    const raci = await card('ops-card-raci');
    expect(
      await within(raci).findByText('Approving user RFCs'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('ops-card-raci-error')).not.toBeInTheDocument();
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

  it('names a source that failed while the rest was read, and resources not understood', async () => {
    const ops = entityOperations();
    const error =
      'backup:ListProtectedResources in 111122223333/eu-west-1 failed: AccessDeniedException: denied';
    serve({
      ...ops,
      backups: {
        ...ops.backups,
        data: {
          ...ops.backups.data!,
          warnings: [{ source: 'aws-backup', error, resourcesLeftOut: 2 }],
        },
      },
      alarms: {
        ...ops.alarms,
        data: {
          ...ops.alarms.data!,
          notUnderstood: {
            count: 3,
            examples: [
              'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:',
              'not-an-arn',
            ],
          },
        },
      },
    });
    await render();

    expect(
      await screen.findByTestId('ops-card-backups-warning-aws-backup'),
    ).toHaveTextContent(
      `AWS Backup could not be read (${error}); 2 resources are not shown.`,
    );
    // The data that was read is still on the card, and it is not stale.
    const backups = within(await card('ops-card-backups'));
    expect(backups.getAllByText(/payments-db/).length).toBeGreaterThan(0);
    expect(
      screen.queryByTestId('ops-card-backups-stale'),
    ).not.toBeInTheDocument();
    expect(
      screen.getByTestId('ops-card-alarms-not-understood'),
    ).toHaveTextContent(
      '3 resources not understood, e.g. arn:aws:cloudwatch:eu-west-1:111122223333:alarm:',
    );
    expect(
      screen.queryByTestId('ops-card-patch-notes'),
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
      'ops-card-incidents',
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

  describe('Patch compliance card', () => {
    it('shows the maintenance window, the policy and the pending updates with their links', async () => {
      serve(entityOperations());
      await render();
      const patch = within(await card('ops-card-patch'));

      const window = within(await patch.findByTestId('ops-patch-window'));
      expect(
        window.getByText('2nd Tuesday, 03:00–04:00 UTC'),
      ).toBeInTheDocument();
      expect(window.getByRole('link', { name: 'RFC-000003' })).toHaveAttribute(
        'href',
        '/ops/rfcs/RFC-000003',
      );
      expect(window.getByTestId('ops-patch-next-window')).toHaveTextContent(
        /^Next: .*2026.*\(.+\)$/,
      );
      expect(rfcLinkOf(window.getByText('Change the window'))).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'set-maintenance-window',
        parameters: { week: '2', weekday: 'TUE', startTime: '03:00' },
      });

      const policy = within(patch.getByTestId('ops-patch-policy'));
      expect(
        policy.getByText('Critical Security Updates').closest('tr'),
      ).toHaveTextContent(
        'applied outside the maintenance window, as soon as they are released',
      );
      expect(
        policy.getByText('Important Updates').closest('tr'),
      ).toHaveTextContent('applied in the maintenance window');
      expect(
        policy.getByTestId('ops-patch-pending-critical-security'),
      ).toHaveTextContent('1');
      expect(
        policy.getByTestId('ops-patch-pending-important'),
      ).toHaveTextContent('2');
      expect(policy.getByTestId('ops-patch-pending-other')).toHaveTextContent(
        '1',
      );

      // the list opens on demand
      expect(policy.queryByText('ALAS2-2026-097')).not.toBeInTheDocument();
      await userEvent.click(
        policy.getByRole('button', { name: /Show 4 pending updates/ }),
      );
      const list = within(
        policy.getByRole('table', { name: 'Pending updates' }),
      );
      expect(
        list.getByText('openssl: denial of service (CVE-2026-0097)', {
          exact: false,
        }),
      ).toBeInTheDocument();
      expect(rfcLinkOf(list.getByLabelText('Reject ALAS2-2026-097'))).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'reject-patch-update',
        parameters: { updateId: 'ALAS2-2026-097' },
      });
      expect(
        rfcLinkOf(list.getByLabelText('Reject ALAS2-2026-085')).parameters,
      ).toEqual({ updateId: 'ALAS2-2026-085' });
      // Critical security updates are not the team's to reject
      expect(
        list.queryByLabelText('Reject ALAS2-2026-101'),
      ).not.toBeInTheDocument();
      expect(list.getByText('ALAS2-2026-101').closest('tr')).toHaveTextContent(
        'i-0bbb',
      );

      const rejected = within(patch.getByTestId('ops-patch-rejected'));
      expect(rejected.getByText('ALAS2-2026-060')).toBeInTheDocument();
      expect(
        rejected.getByRole('link', { name: 'RFC-000005' }),
      ).toHaveAttribute('href', '/ops/rfcs/RFC-000005');
      expect(
        rfcLinkOf(rejected.getByLabelText('Apply ALAS2-2026-060 after all')),
      ).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'apply-patch-update',
        parameters: { updateId: 'ALAS2-2026-060' },
      });

      const exclusion = within(patch.getByTestId('ops-patch-exclusion'));
      expect(
        exclusion.getByText('Not excluded from patching'),
      ).toBeInTheDocument();
      expect(
        rfcLinkOf(exclusion.getByText('Exclude from patching')).changeType,
      ).toBe('exclude-stack-from-patching');
      expect(
        exclusion.queryByText('Include in patching again'),
      ).not.toBeInTheDocument();
    });

    it('marks a pending update that was rejected instead of offering to reject it again', async () => {
      serve(
        withInForce({
          rejectedUpdates: [
            {
              updateId: 'ALAS2-2026-097',
              baselineId: 'pb-1',
              rfcId: 'RFC-000009',
            },
          ],
        }),
      );
      await render();
      const policy = within(await screen.findByTestId('ops-patch-policy'));
      await userEvent.click(
        policy.getByRole('button', { name: /pending updates/ }),
      );
      const row = policy.getByText('ALAS2-2026-097').closest('tr')!;
      expect(within(row).getByText('Rejected')).toBeInTheDocument();
      expect(
        policy.queryByLabelText('Reject ALAS2-2026-097'),
      ).not.toBeInTheDocument();
    });

    it('asks for a maintenance window when AWS holds none', async () => {
      serve(withInForce({ maintenanceWindow: null, rejectedUpdates: [] }));
      await render();
      const window = within(await screen.findByTestId('ops-patch-window'));
      expect(
        window.getByText(/No maintenance window set in the sandbox/),
      ).toBeInTheDocument();
      expect(
        rfcLinkOf(window.getByText('Choose a maintenance window')),
      ).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'set-maintenance-window',
        parameters: {},
      });
      // The RFC-derived window is not what is shown.
      expect(
        window.queryByText('2nd Tuesday, 03:00–04:00 UTC'),
      ).not.toBeInTheDocument();
      // the SSM window on the instances is still mentioned
      expect(window.getByText(/Sunday patching/)).toBeInTheDocument();
      expect(
        screen.queryByTestId('ops-patch-rejected'),
      ).not.toBeInTheDocument();
      expect(
        within(screen.getByTestId('ops-patch-exclusion')).getByText(
          'Not excluded from patching',
        ),
      ).toBeInTheDocument();
    });

    it('shows the window AWS holds, with the RFC its tag names, not the one the RFCs derive', async () => {
      serve(
        withInForce({
          maintenanceWindow: {
            ...WINDOW_IN_FORCE,
            schedule: 'cron(0 2 ? * SUN#1 *)',
            window: {
              week: 1,
              weekday: 'SUN',
              startTime: '02:00',
              durationHours: 1,
            },
            nextExecutionAt: '2026-04-05T02:00:00.000Z',
            rfcId: 'RFC-000013',
          },
        }),
      );
      await render();
      const window = within(await screen.findByTestId('ops-patch-window'));
      expect(
        window.getByText('1st Sunday, 02:00–03:00 UTC'),
      ).toBeInTheDocument();
      expect(window.getByRole('link', { name: 'RFC-000013' })).toHaveAttribute(
        'href',
        '/ops/rfcs/RFC-000013',
      );
      expect(window.getByTestId('ops-patch-next-window')).toHaveTextContent(
        /^Next: .*2026.*\(.+\)$/,
      );
      expect(window.getByTestId('ops-patch-window-state')).toHaveTextContent(
        'SSM maintenance window cloud-ops-payments-api: enabled',
      );
      expect(
        rfcLinkOf(window.getByText('Change the window')).parameters,
      ).toEqual({ week: '1', weekday: 'SUN', startTime: '02:00' });
      expect(window.queryByText(/2nd Tuesday/)).not.toBeInTheDocument();
    });

    it('warns of each drift from the RFCs, saying what the RFC set and what AWS has', async () => {
      serve(
        withInForce({
          rejectedUpdates: [],
          drift: [
            {
              setting: 'maintenanceWindow',
              expected:
                'the second Tuesday of each month, 03:00 UTC, for 1 hour (RFC-000012)',
              actual: 'the first Sunday of each month, 02:00 UTC, for 1 hour',
              rfcId: 'RFC-000012',
              message:
                'The maintenance window in the sandbox is not the one RFC-000012 set: it was changed outside the portal, or the change was not carried out.',
            },
            {
              setting: 'rejectedUpdate',
              updateId: 'ALAS2-2026-060',
              expected: 'ALAS2-2026-060 rejected (RFC-000005)',
              actual: null,
              rfcId: 'RFC-000005',
              message:
                'RFC-000005 rejected ALAS2-2026-060, but the patch baseline in the sandbox does not reject it: it is installed in the next window.',
            },
            {
              setting: 'patchingExclusion',
              expected: null,
              actual: 'maintenance window disabled, with no end date',
              message:
                'The sandbox does not patch the stack, but no successful RFC excludes it now.',
            },
          ],
        }),
      );
      await render();
      const window = within(await screen.findByTestId('ops-patch-window'));
      const [drift] = window.getAllByTestId('ops-settings-drift');
      expect(window.getAllByTestId('ops-settings-drift')).toHaveLength(1);
      expect(drift).toHaveTextContent(
        'The maintenance window in the sandbox is not the one RFC-000012 set',
      );
      expect(drift).toHaveTextContent(
        'The RFCs set: the second Tuesday of each month, 03:00 UTC, for 1 hour (RFC-000012)',
      );
      expect(drift).toHaveTextContent(
        'The sandbox has: the first Sunday of each month, 02:00 UTC, for 1 hour',
      );
      expect(
        within(drift).getByRole('link', { name: 'RFC-000012' }),
      ).toHaveAttribute('href', '/ops/rfcs/RFC-000012');

      // A rejection only the RFCs have still shows the section, with its warning.
      const rejected = within(screen.getByTestId('ops-patch-rejected'));
      expect(rejected.getByTestId('ops-settings-drift')).toHaveTextContent(
        'The sandbox has: nothing',
      );
      expect(
        rejected.getByText(
          'The patch baseline in the sandbox rejects no updates.',
        ),
      ).toBeInTheDocument();

      const exclusion = within(screen.getByTestId('ops-patch-exclusion'));
      expect(exclusion.getByTestId('ops-settings-drift')).toHaveTextContent(
        'The RFCs set: nothing',
      );
      // Each warning sits with its own setting.
      expect(
        within(screen.getByTestId('ops-backups-schedule')).queryByTestId(
          'ops-settings-drift',
        ),
      ).not.toBeInTheDocument();
    });

    it('shows an exclusion in force, with the RFC that set it, and offers to end it', async () => {
      const until = daysFromNow(20);
      serve(
        withInForce({
          maintenanceWindow: {
            ...WINDOW_IN_FORCE,
            enabled: false,
            excludedUntil: until,
            rfcId: 'RFC-000006',
          },
        }),
      );
      await render();
      const exclusion = within(
        await screen.findByTestId('ops-patch-exclusion'),
      );
      expect(
        exclusion.getByText(
          /Excluded from patching until .*: the maintenance window is disabled/,
        ),
      ).toBeInTheDocument();
      expect(
        exclusion.getByRole('link', { name: 'RFC-000006' }),
      ).toHaveAttribute('href', '/ops/rfcs/RFC-000006');
      expect(
        rfcLinkOf(exclusion.getByText('Include in patching again')).changeType,
      ).toBe('include-stack-in-patching');
      expect(
        exclusion.queryByText('Exclude from patching'),
      ).not.toBeInTheDocument();
      const window = within(screen.getByTestId('ops-patch-window'));
      expect(window.getByTestId('ops-patch-window-state')).toHaveTextContent(
        'disabled',
      );
      // A disabled window does not run, so no next start is promised.
      expect(
        window.queryByTestId('ops-patch-next-window'),
      ).not.toBeInTheDocument();
    });

    it('treats an exclusion that has ended on an enabled window as no exclusion', async () => {
      serve(
        withInForce({
          maintenanceWindow: {
            ...WINDOW_IN_FORCE,
            enabled: true,
            excludedUntil: daysFromNow(-1),
          },
        }),
      );
      await render();
      const exclusion = within(
        await screen.findByTestId('ops-patch-exclusion'),
      );
      expect(
        exclusion.getByText('Not excluded from patching'),
      ).toBeInTheDocument();
      expect(exclusion.getByText('Exclude from patching')).toBeInTheDocument();
    });

    it('says when and where the settings in force were read, and labels AWS data', async () => {
      serve(withInForce({}, { source: 'aws' }));
      await render();
      const status = within(await screen.findByTestId('ops-patch-settings'));
      expect(
        status.getByText(/^Settings in force in AWS, read /),
      ).toBeInTheDocument();
      expect(status.getByText('AWS')).toBeInTheDocument();
      expect(status.queryByText('Sandbox data')).not.toBeInTheDocument();

      const backups = within(await screen.findByTestId('ops-backups-settings'));
      expect(backups.getByText('AWS')).toBeInTheDocument();
    });

    it('labels sandbox settings as sandbox data', async () => {
      serve(entityOperations());
      await render();
      const status = within(await screen.findByTestId('ops-patch-settings'));
      expect(status.getByText('Sandbox data')).toBeInTheDocument();
      expect(
        status.getByText(/^Settings in force in the sandbox, read /),
      ).toBeInTheDocument();
    });

    it('keeps stale settings on show with why the last read failed', async () => {
      serve(
        withInForce(
          {},
          { stale: true, error: 'ThrottlingException: Rate exceeded' },
        ),
      );
      await render();
      expect(
        await screen.findByTestId('ops-patch-settings-stale'),
      ).toHaveTextContent(
        'Stale: the last read of the settings in force failed (ThrottlingException: Rate exceeded)',
      );
      expect(
        within(screen.getByTestId('ops-patch-window')).getByText(
          '2nd Tuesday, 03:00–04:00 UTC',
        ),
      ).toBeInTheDocument();
      // The patch read itself is fine.
      expect(
        screen.queryByTestId('ops-card-patch-stale'),
      ).not.toBeInTheDocument();
    });

    it('says when the settings in force were never read, or could not be', async () => {
      serve(withInForce(null, { refreshedAt: null, source: null }));
      const { unmount } = await render();
      expect(
        await screen.findByText(
          /The settings in force have not been read yet/,
          {
            selector: '[data-testid="ops-patch-settings"] *',
          },
        ),
      ).toBeInTheDocument();
      const window = within(screen.getByTestId('ops-patch-window'));
      expect(
        window.getByText('Not known until the settings in force are read.'),
      ).toBeInTheDocument();
      expect(
        window.queryByText(/No maintenance window set/),
      ).not.toBeInTheDocument();
      expect(
        window.getByText('Choose a maintenance window'),
      ).toBeInTheDocument();
      unmount();

      serve(
        withInForce(null, {
          refreshedAt: null,
          stale: true,
          error: 'AccessDeniedException: ssm:DescribeMaintenanceWindows',
        }),
      );
      await render();
      expect(
        await screen.findByTestId('ops-patch-settings-error'),
      ).toHaveTextContent(
        'The settings in force could not be read: AccessDeniedException: ssm:DescribeMaintenanceWindows',
      );
    });
  });

  describe('Backups card', () => {
    it('restores from the recovery point picked on the timeline', async () => {
      serve(entityOperations());
      await render();
      const backups = within(await card('ops-card-backups'));
      const timeline = within(
        await backups.findByRole('group', {
          name: 'Timeline of recovery points',
        }),
      );
      // every recovery point is on the timeline, failed ones marked
      expect(timeline.getAllByRole('button')).toHaveLength(4);
      expect(
        timeline.getByRole('button', { name: /^rp-0a of payments-db: failed/ }),
      ).toHaveAttribute('data-status', 'FAILED');

      expect(
        backups.getByText(/Pick a recovery point on the timeline/),
      ).toBeInTheDocument();
      await userEvent.click(
        timeline.getByRole('button', { name: /^rp-0b of payments-db/ }),
      );
      expect(
        timeline.getByRole('button', { name: /^rp-0b of payments-db/ }),
      ).toHaveAttribute('aria-pressed', 'true');
      const picked = within(backups.getByTestId('ops-backups-picked'));
      expect(picked.getByText(/on-demand/)).toBeInTheDocument();
      expect(
        rfcLinkOf(picked.getByText('Request restore from this point')),
      ).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'restore-from-recovery-point',
        parameters: { recoveryPointId: 'rp-0b' },
      });
      expect(
        rfcLinkOf(picked.getByText('Restore into a new stack instead')),
      ).toMatchObject({
        changeType: 'restore-stack-from-snapshot',
        parameters: { snapshotId: 'rp-0b' },
      });

      // a failed point cannot be restored from
      await userEvent.click(
        timeline.getByRole('button', { name: /^rp-0a of payments-db/ }),
      );
      expect(
        backups.getByText(/This recovery point is failed/),
      ).toBeInTheDocument();
      expect(
        backups.queryByText('Request restore from this point'),
      ).not.toBeInTheDocument();
    });

    it('offers an extra snapshot and a schedule change, naming the RFC that set the schedule', async () => {
      serve(entityOperations());
      await render();
      const backups = within(await frame('ops-card-backups'));
      expect(
        rfcLinkOf(await backups.findByText('Request an extra snapshot')),
      ).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'request-backup-snapshot',
        parameters: {},
      });
      const schedule = within(backups.getByTestId('ops-backups-schedule'));
      expect(
        schedule.getByText('Daily from 02:00 UTC, kept 35 days'),
      ).toBeInTheDocument();
      expect(
        schedule.getByRole('link', { name: 'RFC-000004' }),
      ).toHaveAttribute('href', '/ops/rfcs/RFC-000004');
      expect(rfcLinkOf(schedule.getByText('Change schedule'))).toEqual({
        path: '/ops/rfcs/new',
        entity: 'component:default/payments-api',
        changeType: 'set-backup-schedule',
        parameters: {
          frequency: 'daily',
          startTime: '02:00',
          retentionDays: '35',
        },
      });
    });

    it("falls back to the resources' backup plans when the stack has none of its own", async () => {
      serve(withInForce({ backupPlan: null }));
      await render();
      const schedule = within(
        await screen.findByTestId('ops-backups-schedule'),
      );
      expect(
        schedule.getByText('From the backup plan: daily (cron(0 2 * * ? *))'),
      ).toBeInTheDocument();
      expect(rfcLinkOf(schedule.getByText('Choose a schedule'))).toMatchObject({
        changeType: 'set-backup-schedule',
        parameters: {},
      });
    });

    it('says when no backup schedule is set, and warns of its drift', async () => {
      const ops = withInForce({
        backupPlan: null,
        drift: [
          {
            setting: 'backupSchedule',
            expected: 'daily from 02:00 UTC, kept 35 days (RFC-000004)',
            actual: null,
            rfcId: 'RFC-000004',
            message:
              'RFC-000004 set a backup schedule, but the sandbox has no backup plan for the stack.',
          },
        ],
      });
      serve({
        ...ops,
        backups: {
          ...ops.backups,
          data: {
            resources: ops.backups.data!.resources.map(
              ({ plan: _plan, ...r }) => r,
            ),
          },
        },
      });
      await render();
      const schedule = within(
        await screen.findByTestId('ops-backups-schedule'),
      );
      expect(
        schedule.getByText(
          'No backup schedule set in the sandbox for this entity.',
        ),
      ).toBeInTheDocument();
      const drift = schedule.getByTestId('ops-settings-drift');
      expect(drift).toHaveTextContent(
        'The RFCs set: daily from 02:00 UTC, kept 35 days (RFC-000004)',
      );
      expect(drift).toHaveTextContent('The sandbox has: nothing');
      expect(
        within(drift).getByRole('link', { name: 'RFC-000004' }),
      ).toHaveAttribute('href', '/ops/rfcs/RFC-000004');
      expect(
        within(screen.getByTestId('ops-patch-window')).queryByTestId(
          'ops-settings-drift',
        ),
      ).not.toBeInTheDocument();
    });

    it('shows a backup plan the suite cannot read back by its schedule', async () => {
      const plan = entityOperations().settingsInForce.data!.backupPlan!;
      serve(
        withInForce({
          backupPlan: {
            ...plan,
            schedule: 'cron(30 4 1 * ? *)',
            backupSchedule: undefined,
            rfcId: undefined,
          },
        }),
      );
      await render();
      const schedule = within(
        await screen.findByTestId('ops-backups-schedule'),
      );
      expect(schedule.getByText('cron(30 4 1 * ? *)')).toBeInTheDocument();
      expect(
        schedule.getByText('AWS Backup plan cloud-ops-payments-api'),
      ).toBeInTheDocument();
      expect(schedule.queryByRole('link', { name: /^RFC-/ })).toBeNull();
      expect(
        rfcLinkOf(schedule.getByText('Change schedule')).parameters,
      ).toEqual({});
    });

    it('lists the backup responsibilities and tells the owning team that validating backups is theirs', async () => {
      serve(entityOperations());
      await render(paymentsApi, 'ana');
      const raci = within(await screen.findByTestId('ops-backups-raci'));
      const validate = raci.getByText('Validate backups').closest('tr')!;
      expect(within(validate).getByText("Owner's job")).toBeInTheDocument();
      expect(within(validate).getAllByRole('cell')[1]).toHaveTextContent(
        'payments',
      );
      const execute = raci
        .getByText('Execute backups per schedule')
        .closest('tr')!;
      expect(within(execute).getAllByRole('cell')[1]).toHaveTextContent(
        'central-it',
      );
      // only continuity rows
      expect(raci.queryByText('Approving user RFCs')).not.toBeInTheDocument();
      expect(raci.getByTestId('ops-backups-validate')).toHaveTextContent(
        'Your team validates these backups',
      );
    });

    it('does not tell Central IT that validating backups is theirs', async () => {
      serve(entityOperations());
      await render(paymentsApi, 'omar');
      const raci = within(await screen.findByTestId('ops-backups-raci'));
      expect(raci.getByText("Owner's job")).toBeInTheDocument();
      expect(
        raci.queryByTestId('ops-backups-validate'),
      ).not.toBeInTheDocument();
    });
  });

  describe('RACI ownership card', () => {
    it("resolves the matrix to the entity's owner and the Central IT group the RACI config names", async () => {
      serveRaci(
        raciConfig({
          centralItGroup: 'group:ops/platform-ops',
          overrides: {
            'change-management.approve-user-rfc': { team: 'C' },
          },
        }),
      );
      serve(entityOperations());
      await render({
        ...paymentsApi,
        // a bare owner name is a group in the entity's namespace
        spec: { type: 'service', owner: 'web' },
      });
      const raci = await card('ops-card-raci');
      await within(raci).findByText('Approving user RFCs');

      // as the config overrides it: the team consulted, Central IT responsible
      expect(raciRow(raci, 'Approving user RFCs')).toEqual({
        responsible: ['/catalog/ops/group/platform-ops'],
        consulted: ['/catalog/default/group/web'],
        informed: [],
      });
      // as the matrix ships
      expect(raciRow(raci, 'Approving non-automated RFCs')).toEqual({
        responsible: ['/catalog/default/group/web'],
        consulted: [],
        informed: ['/catalog/ops/group/platform-ops'],
      });
      expect(
        within(raci).queryByText(/RACI override ignored/),
      ).not.toBeInTheDocument();
    });

    it("applies the entity's annotation after the config's overrides", async () => {
      serveRaci(
        raciConfig({
          overrides: {
            'change-management.approve-user-rfc': { team: 'C' },
          },
        }),
      );
      serve(entityOperations());
      await render({
        ...paymentsApi,
        metadata: {
          ...paymentsApi.metadata,
          annotations: {
            ...paymentsApi.metadata.annotations,
            'cloud-ops.io/raci-overrides': JSON.stringify({
              'change-management.approve-user-rfc': { team: 'R' },
            }),
          },
        },
      });
      const raci = await card('ops-card-raci');
      await within(raci).findByText('Approving user RFCs');
      expect(raciRow(raci, 'Approving user RFCs').responsible).toEqual([
        '/catalog/default/group/payments',
        '/catalog/default/group/central-it',
      ]);
    });

    it('warns of an invalid override annotation and shows the matrix without it', async () => {
      serve(entityOperations());
      await render({
        ...paymentsApi,
        metadata: {
          ...paymentsApi.metadata,
          annotations: {
            ...paymentsApi.metadata.annotations,
            'cloud-ops.io/raci-overrides': JSON.stringify({
              'change-management.approve-user-rfc': { team: 'R' },
              'change-management.no-such-activity': { team: 'R' },
            }),
          },
        },
      });
      const raci = await card('ops-card-raci');
      expect(
        await within(raci).findByText(/RACI override ignored/),
      ).toHaveTextContent(
        'RACI override ignored: Annotation cloud-ops.io/raci-overrides was ignored: unknown RACI activity "change-management.no-such-activity"',
      );
      // the valid row in the same annotation is ignored with the rest
      expect(raciRow(raci, 'Approving user RFCs')).toEqual({
        responsible: ['/catalog/default/group/central-it'],
        consulted: [],
        informed: ['/catalog/default/group/payments'],
      });
    });

    it('warns of an override annotation that is not JSON', async () => {
      serve(entityOperations());
      await render({
        ...paymentsApi,
        metadata: {
          ...paymentsApi.metadata,
          annotations: {
            ...paymentsApi.metadata.annotations,
            'cloud-ops.io/raci-overrides': '{team: R}',
          },
        },
      });
      expect(
        await within(await card('ops-card-raci')).findByText(
          /RACI override ignored/,
        ),
      ).toHaveTextContent(
        'Annotation cloud-ops.io/raci-overrides is not valid JSON and was ignored',
      );
    });

    it('shows an error on the RACI card alone when the RACI request fails', async () => {
      serve(entityOperations());
      serveRaci(forbidden('RACI unavailable'), 403);
      await render();
      expect(
        await screen.findByTestId('ops-card-raci-error'),
      ).toHaveTextContent('Could not load the RACI matrix: RACI unavailable');
      expect(
        within(await card('ops-card-alarms')).getByText(
          '1 in ALARM, 1 with insufficient data, 1 OK',
        ),
      ).toBeInTheDocument();
      const backups = within(await card('ops-card-backups'));
      expect(
        backups.getByText(/Last good recovery point 30 h old/),
      ).toBeInTheDocument();
      // without a RACI the backups card leaves out who does what
      expect(backups.queryByTestId('ops-backups-raci')).not.toBeInTheDocument();
      for (const id of ['alarms', 'patch', 'backups', 'history', 'tags']) {
        expect(
          screen.queryByTestId(`ops-card-${id}-error`),
        ).not.toBeInTheDocument();
      }
    });

    it('asks for the RACI config alongside the operations data, not after it', async () => {
      const releaseOperations = serveHeld(OPERATIONS, entityOperations());
      const { unmount } = await render();
      const raci = await card('ops-card-raci');
      expect(
        await within(raci).findByText('Approving user RFCs'),
      ).toBeInTheDocument();
      expect(screen.getByTestId('ops-card-alarms-loading')).toBeInTheDocument();
      releaseOperations();
      unmount();

      const releaseRaci = serveHeld(RACI, raciConfig());
      serve(entityOperations());
      await render();
      expect(
        await within(await card('ops-card-alarms')).findByText(
          '1 in ALARM, 1 with insufficient data, 1 OK',
        ),
      ).toBeInTheDocument();
      expect(screen.getByTestId('ops-card-raci-loading')).toBeInTheDocument();
      releaseRaci();
      expect(
        await within(await card('ops-card-raci')).findByText(
          'Approving user RFCs',
        ),
      ).toBeInTheDocument();
    });
  });

  describe('Incidents card', () => {
    it('lists open incidents first, then resolved ones with how and how fast', async () => {
      const ops = entityOperations();
      serve({
        ...ops,
        incidents: {
          available: true,
          items: [
            ...ops.incidents.items,
            {
              ...ops.incidents.items[0],
              id: 'INC-000013',
              priority: 'P1',
              alarmName: 'payments-db-storage',
              reason: 'FreeStorageSpace below 5 GB',
              openedAt: daysFromNow(-0.1),
            },
          ],
        },
      });
      await render();
      const incidents = within(await card('ops-card-incidents'));
      expect(
        await incidents.findByText('2 open incidents'),
      ).toBeInTheDocument();

      const open = within(
        incidents.getByRole('table', { name: 'Open incidents' }),
      );
      const rows = open.getAllByRole('row').slice(1);
      // most urgent first
      expect(
        rows.map(r => within(r).getAllByRole('cell')[1].textContent),
      ).toEqual(['INC-000013', 'INC-000012']);
      expect(within(rows[0]).getByText('P1')).toBeInTheDocument();
      expect(within(rows[1]).getByText('P2')).toBeInTheDocument();
      expect(rows[1]).toHaveTextContent(
        'payments-api-5xxThreshold crossed: 12 errors in 5 minutes',
      );
      expect(open.getByRole('link', { name: 'INC-000013' })).toHaveAttribute(
        'href',
        '/ops/incidents/INC-000013',
      );

      const resolved = within(
        incidents.getByRole('table', { name: 'Recently resolved incidents' }),
      );
      const cleared = resolved.getByText('INC-000010').closest('tr')!;
      expect(cleared).toHaveTextContent('Alarm cleared');
      expect(cleared).toHaveTextContent('45 min');
      const manual = resolved.getByText('INC-000008').closest('tr')!;
      expect(manual).toHaveTextContent(
        'Resolved by omar: Rolled back release 2.14.',
      );
      expect(manual).toHaveTextContent('3 h');
      expect(within(manual).getByText('P1')).toBeInTheDocument();

      expect(
        within(await frame('ops-card-incidents')).getByRole('link', {
          name: 'All incidents',
        }),
      ).toHaveAttribute('href', '/ops/incidents');
    });

    it('says when there are no incidents, and labels AWS data as such', async () => {
      const ops = entityOperations();
      serve({
        ...ops,
        alarms: { ...ops.alarms, source: 'aws' },
        incidents: { available: true, items: [] },
      });
      await render();
      const incidents = within(await card('ops-card-incidents'));
      expect(await incidents.findByText('No incidents')).toBeInTheDocument();
      const whole = within(await frame('ops-card-incidents'));
      expect(whole.getByText('AWS')).toBeInTheDocument();
      expect(whole.queryByText('Sandbox data')).not.toBeInTheDocument();
    });

    it('says when incident management is not available', async () => {
      serve(entityOperations({ incidents: { available: false, items: [] } }));
      await render();
      const incidents = within(await card('ops-card-incidents'));
      expect(
        await incidents.findByText('Incidents are not available'),
      ).toBeInTheDocument();
      expect(incidents.queryByRole('table')).not.toBeInTheDocument();
    });

    it('labels incidents from sandbox alarms', async () => {
      serve(entityOperations());
      await render();
      await within(await card('ops-card-incidents')).findByText(
        '1 open incident',
      );
      expect(
        within(await frame('ops-card-incidents')).getByText('Sandbox data'),
      ).toBeInTheDocument();
    });
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
