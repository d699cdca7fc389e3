import { alertApiRef } from '@backstage/core-plugin-api';
import type { ChangeCalendarView } from '@cloud-ops/plugin-ops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { useLocation } from 'react-router-dom';
import {
  BASE_URL,
  renderWithOps,
  USERS,
} from '../../__testUtils__/renderWithOps';
import {
  apiError,
  recordingAlertApi,
  selectButton,
} from '../Incidents/testData';
import { ChangeSchedulePage } from './ChangeSchedulePage';
import {
  feedToken,
  freezeWindow,
  marchView,
  paymentsRelease,
  quarterClose,
} from './testData';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

type Recorded = {
  schedule: URLSearchParams[];
  freezeQueries: URLSearchParams[];
  declared: unknown[];
  lifted: { id: string; body: unknown }[];
  updated: { id: string; body: unknown }[];
  issued: unknown[];
  revoked: string[];
};

/** The backend of the calendar, recording what the page asks of it. */
function serve(
  options: {
    view?: (query: URLSearchParams) => ChangeCalendarView;
    declare?: () => Response;
    lift?: () => Response;
  } = {},
): Recorded {
  const recorded: Recorded = {
    schedule: [],
    freezeQueries: [],
    declared: [],
    lifted: [],
    updated: [],
    issued: [],
    revoked: [],
  };
  let tokens = [
    feedToken({ lastUsedAt: undefined }),
    feedToken({
      id: 3,
      label: 'Old laptop',
      revokedAt: '2026-02-11T08:00:00Z',
    }),
  ];
  server.use(
    http.get(`${BASE_URL}/schedule`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      recorded.schedule.push(query);
      return HttpResponse.json(options.view?.(query) ?? marchView());
    }),
    http.get(`${BASE_URL}/freezes`, ({ request }) => {
      recorded.freezeQueries.push(new URL(request.url).searchParams);
      return HttpResponse.json({
        items: [freezeWindow(quarterClose), freezeWindow(paymentsRelease)],
        occurrences: [],
      });
    }),
    http.post(`${BASE_URL}/freezes`, async ({ request }) => {
      const body = await request.json();
      recorded.declared.push(body);
      return (
        (options.declare?.() as any) ??
        HttpResponse.json(
          freezeWindow({ ...quarterClose, freezeId: 'FRZ-000009' }),
          { status: 201 },
        )
      );
    }),
    http.put(`${BASE_URL}/freezes/:id`, async ({ request, params }) => {
      const body = (await request.json()) as Record<string, unknown>;
      recorded.updated.push({ id: String(params.id), body });
      return HttpResponse.json(
        freezeWindow(quarterClose, { ...(body as any), version: 4 }),
      );
    }),
    http.post(`${BASE_URL}/freezes/:id/lift`, async ({ request, params }) => {
      recorded.lifted.push({
        id: String(params.id),
        body: await request.json(),
      });
      return (
        (options.lift?.() as any) ??
        HttpResponse.json(
          freezeWindow(quarterClose, { liftedAt: '2026-03-02T12:00:00Z' }),
        )
      );
    }),
    http.get(`${BASE_URL}/calendar/feed-tokens`, () =>
      HttpResponse.json({ items: tokens }),
    ),
    http.post(`${BASE_URL}/calendar/feed-tokens`, async ({ request }) => {
      const body = (await request.json()) as { label: string; owner?: string };
      recorded.issued.push(body);
      const created = feedToken({
        id: 8,
        label: body.label,
        feedOwner: body.owner,
        createdAt: '2026-03-02T12:00:00Z',
      });
      tokens = [...tokens, created];
      return HttpResponse.json(
        {
          token: 'tok_secret',
          url: 'https://portal.example/api/ops/calendar/feed/tok_secret.ics',
          feedToken: created,
        },
        { status: 201 },
      );
    }),
    http.delete(`${BASE_URL}/calendar/feed-tokens/:id`, ({ params }) => {
      recorded.revoked.push(String(params.id));
      tokens = tokens.filter(t => String(t.id) !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return recorded;
}

/** Shows the query string, so tests can read what the page keeps in the URL. */
const Location = () => <div data-testid="location">{useLocation().search}</div>;

const open = (
  search = '?date=2026-03-02',
  options: { user?: keyof typeof USERS; alertApi?: unknown } = {},
) =>
  renderWithOps(
    <>
      <ChangeSchedulePage />
      <Location />
    </>,
    {
      routeEntries: [`/ops/calendar${search}`],
      user: options.user,
      extraApis: [[alertApiRef, options.alertApi ?? recordingAlertApi()]],
    },
  );

/** The cell of the local day an instant falls on. */
const cellOf = (iso: string) =>
  screen.getByTestId(`calendar-day-${DateTime.fromISO(iso).toISODate()}`);

const localStart = (day: string) => DateTime.fromISO(day).toMillis();

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

const loaded = () => screen.findAllByRole('link', { name: 'RFC-000010' }, slow);

describe('ChangeSchedulePage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows the month with its RFCs, freezes and maintenance windows', async () => {
    const recorded = serve();
    await open();
    await loaded();
    expect(screen.getByTestId('calendar-period')).toHaveTextContent(
      'March 2026',
    );
    // From the Monday before the 1st to the day after the Sunday after the 31st.
    const query = recorded.schedule[0];
    expect(Date.parse(query.get('from')!)).toBe(localStart('2026-02-23'));
    expect(Date.parse(query.get('to')!)).toBe(localStart('2026-04-06'));
    expect(query.has('owner')).toBe(false);
    expect(screen.getByTestId('calendar-month')).toBeInTheDocument();

    const tuesday = cellOf('2026-03-03T10:00:00Z');
    expect(
      within(tuesday).getByRole('link', { name: 'RFC-000010' }),
    ).toHaveAttribute('href', '/ops/rfcs/RFC-000010');
    expect(within(tuesday).getByText(/Resize ledger database/)).toBeVisible();
    expect(within(tuesday).getAllByText(/Scheduled/).length).toBeGreaterThan(0);
    expect(within(tuesday).getByText(/In progress/)).toBeInTheDocument();
    const maintenance = within(tuesday).getByTestId('calendar-window');
    expect(maintenance).toHaveTextContent('Ledger database');
    expect(maintenance.getAttribute('title')).toContain('cron(0 14 ? * TUE *)');

    // The quarter close covers three days, each shaded with its name.
    for (const day of ['2026-03-04T20:00:00Z', '2026-03-05T12:00:00Z']) {
      const freeze = within(cellOf(day)).getByTestId('calendar-freeze');
      expect(freeze).toHaveTextContent('Quarter close');
      expect(freeze).toHaveTextContent('(Global)');
      expect(freeze.getAttribute('title')).toContain(
        'Finance closes the books',
      );
      expect(freeze.getAttribute('title')).toContain('Central IT freeze');
    }
    const team = within(cellOf(paymentsRelease.start)).getByTestId(
      'calendar-freeze',
    );
    expect(team).toHaveTextContent('Payments release freeze');
    expect(team).toHaveTextContent('(Team payments)');
    expect(team.getAttribute('title')).toContain('Team freeze of payments');
    expect(
      within(cellOf('2026-03-20T09:00:00Z')).getByRole('link', {
        name: 'RFC-000014',
      }),
    ).toBeInTheDocument();
    // A day without a freeze has none.
    expect(
      within(cellOf('2026-03-10T12:00:00Z')).queryByTestId('calendar-freeze'),
    ).toBeNull();
  });

  it('shows a week with times and reasons, and moves by weeks and months', async () => {
    const recorded = serve();
    await open();
    await loaded();
    await userEvent.click(screen.getByRole('button', { name: 'Week' }));
    await screen.findByTestId('calendar-week', undefined, slow);
    await waitFor(() =>
      expect(
        Date.parse(
          recorded.schedule[recorded.schedule.length - 1].get('from')!,
        ),
      ).toBe(localStart('2026-03-02')),
    );
    const last = recorded.schedule[recorded.schedule.length - 1];
    expect(Date.parse(last.get('to')!)).toBe(localStart('2026-03-09'));
    expect(screen.getByTestId('calendar-period')).toHaveTextContent(
      'Week 10: 2 Mar – 8 Mar 2026',
    );
    expect(screen.getByTestId('location')).toHaveTextContent('view=week');
    await loaded();
    const tuesday = cellOf('2026-03-03T10:00:00Z');
    const time = (iso: string) => DateTime.fromISO(iso).toFormat('HH:mm');
    expect(tuesday).toHaveTextContent(
      `${time('2026-03-03T10:00:00Z')}–${time('2026-03-03T11:00:00Z')}`,
    );
    expect(
      within(cellOf('2026-03-05T12:00:00Z')).getAllByText(
        'Finance closes the books',
      ).length,
    ).toBeGreaterThan(0);
    // The 7 days only: the RFC of the 20th is not in them.
    expect(screen.queryByRole('link', { name: 'RFC-000014' })).toBeNull();
    expect(
      within(screen.getByTestId('calendar-week')).getAllByRole('group'),
    ).toHaveLength(7);

    await userEvent.click(screen.getByRole('button', { name: 'Next week' }));
    await waitFor(() =>
      expect(
        Date.parse(
          recorded.schedule[recorded.schedule.length - 1].get('from')!,
        ),
      ).toBe(localStart('2026-03-09')),
    );
    expect(screen.getByTestId('location')).toHaveTextContent('date=2026-03-09');

    await userEvent.click(screen.getByRole('button', { name: 'Month' }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous month' }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('calendar-period')).toHaveTextContent(
        'February 2026',
      ),
    );
    expect(
      Date.parse(recorded.schedule[recorded.schedule.length - 1].get('from')!),
    ).toBe(localStart('2026-01-26'));

    await userEvent.click(screen.getByRole('button', { name: 'Today' }));
    await waitFor(() =>
      expect(screen.getByTestId('location')).not.toHaveTextContent('date='),
    );
    expect(screen.getByTestId('calendar-period')).toHaveTextContent(
      DateTime.local().toFormat('LLLL yyyy'),
    );
  });

  it('marks overlaps, holds, freezes and overrides in words', async () => {
    serve();
    await open();
    await loaded();
    const entry = (id: string) =>
      screen
        .getAllByTestId('calendar-rfc')
        .find(e => within(e).queryByRole('link', { name: id }))!;

    const overlap = within(entry('RFC-000010')).getByTestId('conflict-overlap');
    expect(overlap).toHaveTextContent(
      'Overlap: overlaps RFC-000011 on the same target',
    );
    expect(
      within(entry('RFC-000012')).getByTestId('conflict-held'),
    ).toHaveTextContent(
      'Held by freeze: held until FRZ-000001 "Quarter close" ends',
    );
    expect(
      within(entry('RFC-000013')).getByTestId('conflict-override'),
    ).toHaveTextContent('Overrides freeze');
    expect(
      within(entry('RFC-000015')).getByTestId('conflict-frozen'),
    ).toHaveTextContent(
      'In freeze: its window lies in FRZ-000001 "Quarter close"',
    );
    expect(within(entry('RFC-000014')).queryByTestId(/^conflict-/)).toBeNull();

    // The list under the calendar says the same for each of them.
    const conflicts = screen.getByRole('list', {
      name: 'Conflicts in this period',
    });
    expect(
      within(conflicts)
        .getAllByRole('link')
        .map(l => l.textContent),
    ).toEqual([
      'RFC-000010',
      'RFC-000011',
      'RFC-000012',
      'RFC-000013',
      'RFC-000015',
    ]);
    expect(
      within(screen.getByTestId('conflict-row-RFC-000013')).getByText(
        /an emergency change that overrides FRZ-000001 "Quarter close"/,
      ),
    ).toBeVisible();
  });

  it('filters by team through the URL and asks the server for that owner', async () => {
    const recorded = serve({
      view: q =>
        q.get('owner') === 'group:default/web'
          ? marchView({
              owner: 'group:default/web',
              rfcs: marchView().rfcs.filter(
                r => r.ownerGroup === 'group:default/web',
              ),
              freezes: [quarterClose],
              maintenanceWindows: [],
            })
          : marchView(),
    });
    await open('?date=2026-03-02', { user: 'ana' });
    await loaded();
    // ana is in payments; web is there because the calendar shows its RFCs.
    fireEvent.mouseDown(
      selectButton(screen.getAllByRole('button', { name: /Team/ })),
    );
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual(['All my teams', 'payments', 'web']);
    fireEvent.click(screen.getByRole('option', { name: 'web' }));

    await waitFor(() =>
      expect(recorded.schedule[recorded.schedule.length - 1].get('owner')).toBe(
        'group:default/web',
      ),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      `owner=${encodeURIComponent('group:default/web')}`,
    );
    await waitFor(() =>
      expect(screen.queryByRole('link', { name: 'RFC-000010' })).toBeNull(),
    );
    expect(
      screen.getAllByRole('link', { name: 'RFC-000012' }).length,
    ).toBeGreaterThan(0);
    // The other team stays on offer.
    await pickOption(/Team/, 'payments');
    await waitFor(() =>
      expect(recorded.schedule[recorded.schedule.length - 1].get('owner')).toBe(
        'group:default/payments',
      ),
    );
  });

  it('reads the team from the URL, and offers Central IT all teams', async () => {
    const recorded = serve();
    await open('?date=2026-03-02&owner=group:default/payments', {
      user: 'omar',
    });
    await loaded();
    expect(recorded.schedule[0].get('owner')).toBe('group:default/payments');
    await pickOption(/Team/, 'All teams');
    await waitFor(() =>
      expect(recorded.schedule[recorded.schedule.length - 1].has('owner')).toBe(
        false,
      ),
    );
    expect(screen.getByTestId('location')).not.toHaveTextContent('owner=');
  });

  it('declares a freeze with what was entered', async () => {
    const recorded = serve();
    const alertApi = recordingAlertApi();
    await open('?date=2026-03-02', { user: 'omar', alertApi });
    await loaded();
    await userEvent.click(
      screen.getByRole('button', { name: 'Declare freeze' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Declare a freeze',
    });
    const type = (label: RegExp, value: string) =>
      fireEvent.change(within(dialog).getByLabelText(label), {
        target: { value },
      });
    type(/^Name/, 'Year-end freeze');
    type(/^Reason/, 'Peak trading');
    type(/^Start/, '2026-12-24T18:00');
    type(/^End/, '2026-12-27T08:00');
    type(/^Time zone/, 'Europe/Berlin');
    type(/^Repeats/, ' FREQ=YEARLY ');
    await pickOption(/Covers/, 'Listed entities');
    type(
      /^Entities/,
      'component:default/payments-api\nresource:default/ledger-db',
    );
    const before = recorded.schedule.length;
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Declare freeze' }),
    );
    await waitFor(() => expect(recorded.declared).toHaveLength(1));
    expect(recorded.declared[0]).toEqual({
      name: 'Year-end freeze',
      reason: 'Peak trading',
      start: '2026-12-24T18:00',
      end: '2026-12-27T08:00',
      timezone: 'Europe/Berlin',
      rrule: 'FREQ=YEARLY',
      scope: {
        type: 'entities',
        refs: ['component:default/payments-api', 'resource:default/ledger-db'],
      },
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('dialog', { name: 'Declare a freeze' }),
      ).toBeNull(),
    );
    await waitFor(() =>
      expect(recorded.schedule.length).toBeGreaterThan(before),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        message: expect.stringContaining('FRZ-000009'),
        severity: 'success',
      }),
    );
  });

  it('offers a team a freeze of its own entities, not a global one', async () => {
    const recorded = serve();
    await open('?date=2026-03-02', { user: 'ana' });
    await loaded();
    await userEvent.click(
      screen.getByRole('button', { name: 'Declare freeze' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Declare a freeze',
    });
    fireEvent.mouseDown(
      selectButton(within(dialog).getAllByRole('button', { name: /Covers/ })),
    );
    expect(
      within(await screen.findByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Everything a team owns', 'A system', 'Listed entities']);
    fireEvent.click(
      screen.getByRole('option', { name: 'Everything a team owns' }),
    );
    expect(within(dialog).getByLabelText(/^Owner group/)).toHaveValue(
      'group:default/payments',
    );
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'Card migration' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), {
      target: { value: 'Scheme cut-over' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Declare freeze' }),
    );
    await waitFor(() => expect(recorded.declared).toHaveLength(1));
    expect(recorded.declared[0]).toMatchObject({
      name: 'Card migration',
      scope: { type: 'owner', ref: 'group:default/payments' },
    });
    expect(recorded.declared[0]).not.toHaveProperty('rrule');
  });

  it("shows the server's 400 in the dialog and keeps what was entered", async () => {
    const recorded = serve({
      declare: () =>
        apiError(
          400,
          'InputError',
          'Invalid freeze: end: 2026-12-24T17:00 is not after start 2026-12-24T18:00; rrule: FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY',
        ),
    });
    await open('?date=2026-03-02', { user: 'omar' });
    await loaded();
    await userEvent.click(
      screen.getByRole('button', { name: 'Declare freeze' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Declare a freeze',
    });
    const type = (label: RegExp, value: string) =>
      fireEvent.change(within(dialog).getByLabelText(label), {
        target: { value },
      });
    type(/^Name/, 'Year-end freeze');
    type(/^Reason/, 'Peak trading');
    type(/^Start/, '2026-12-24T18:00');
    type(/^End/, '2026-12-24T17:00');
    type(/^Repeats/, 'FREQ=HOURLY');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Declare freeze' }),
    );
    expect(
      await within(dialog).findByTestId('freeze-failure', undefined, slow),
    ).toHaveTextContent(
      'end: 2026-12-24T17:00 is not after start 2026-12-24T18:00; rrule: FREQ must be one of',
    );
    expect(recorded.declared[0]).toMatchObject({
      scope: { type: 'global' },
      rrule: 'FREQ=HOURLY',
    });
    // Each named field says what is wrong with it, and keeps its value.
    expect(within(dialog).getByLabelText(/^Repeats/)).toHaveValue(
      'FREQ=HOURLY',
    );
    expect(
      within(dialog).getByLabelText(/^Repeats/),
    ).toHaveAccessibleDescription(
      'FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY',
    );
    expect(within(dialog).getByLabelText(/^End/)).toHaveAccessibleDescription(
      '2026-12-24T17:00 is not after start 2026-12-24T18:00',
    );
    expect(within(dialog).getByLabelText(/^Name/)).toHaveValue(
      'Year-end freeze',
    );
    expect(within(dialog).getByLabelText(/^Reason/)).toHaveValue(
      'Peak trading',
    );
    expect(within(dialog).getByLabelText(/^End/)).toHaveValue(
      '2026-12-24T17:00',
    );
  });

  it('lifts a freeze with the version it read, after asking', async () => {
    const recorded = serve();
    await open('?date=2026-03-02', { user: 'omar' });
    await loaded();
    const row = await screen.findByTestId(
      'freeze-row-FRZ-000001',
      undefined,
      slow,
    );
    expect(row).toHaveTextContent('Global');
    expect(row).toHaveTextContent('Central IT freeze');
    expect(recorded.freezeQueries[0].get('from')).toBe(
      recorded.schedule[0].get('from'),
    );
    await userEvent.click(
      within(row).getByRole('button', {
        name: 'Lift FRZ-000001 Quarter close',
      }),
    );
    const confirm = await screen.findByRole('dialog', {
      name: 'Lift the freeze "Quarter close"?',
    });
    expect(recorded.lifted).toHaveLength(0);
    const before = recorded.schedule.length;
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Lift freeze' }),
    );
    await waitFor(() => expect(recorded.lifted).toHaveLength(1));
    expect(recorded.lifted[0]).toEqual({
      id: 'FRZ-000001',
      body: { version: 3 },
    });
    await waitFor(() =>
      expect(recorded.schedule.length).toBeGreaterThan(before),
    );
  });

  it('changes a freeze from its own values, with the version it read', async () => {
    const recorded = serve();
    const alertApi = recordingAlertApi();
    await open('?date=2026-03-02', { user: 'omar', alertApi });
    await loaded();
    const row = await screen.findByTestId(
      'freeze-row-FRZ-000001',
      undefined,
      slow,
    );
    await userEvent.click(
      within(row).getByRole('button', {
        name: 'Change FRZ-000001 Quarter close',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Change FRZ-000001 "Quarter close"',
    });
    expect(within(dialog).getByLabelText(/^Name/)).toHaveValue('Quarter close');
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), {
      target: { value: 'Quarter close moved a day' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save changes' }),
    );
    await waitFor(() => expect(recorded.updated).toHaveLength(1));
    expect(recorded.updated[0]).toEqual({
      id: 'FRZ-000001',
      body: expect.objectContaining({
        version: 3,
        name: 'Quarter close',
        reason: 'Quarter close moved a day',
        scope: freezeWindow(quarterClose).scope,
      }),
    });
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: expect.stringContaining('is changed'),
        }),
      ),
    );
  });

  it('says so and reloads when someone else changed the freeze', async () => {
    const recorded = serve({
      lift: () =>
        apiError(409, 'ConflictError', 'freeze FRZ-000002 is at version 4'),
    });
    const alertApi = recordingAlertApi();
    await open('?date=2026-03-02', { user: 'ana', alertApi });
    await loaded();
    // ana's team may lift its own freeze, not Central IT's.
    const own = await screen.findByTestId(
      'freeze-row-FRZ-000002',
      undefined,
      slow,
    );
    expect(
      within(screen.getByTestId('freeze-row-FRZ-000001')).queryByRole('button'),
    ).toBeNull();
    const before = {
      schedule: recorded.schedule.length,
      freezes: recorded.freezeQueries.length,
    };
    await userEvent.click(within(own).getByRole('button', { name: /^Lift/ }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Lift freeze',
      }),
    );
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({ severity: 'warning' }),
      ),
    );
    expect(alertApi.post.mock.calls[0][0].message).toMatch(
      /FRZ-000002 was changed by someone else; the calendar has been reloaded/,
    );
    expect(recorded.lifted[0]).toEqual({
      id: 'FRZ-000002',
      body: { version: 3 },
    });
    await waitFor(() => {
      expect(recorded.schedule.length).toBeGreaterThan(before.schedule);
      expect(recorded.freezeQueries.length).toBeGreaterThan(before.freezes);
    });
  });

  it('issues a feed token, shows its address once, and revokes tokens', async () => {
    const recorded = serve();
    await open('?date=2026-03-02', { user: 'ana' });
    await loaded();
    const phone = await screen.findByTestId('feed-token-7', undefined, slow);
    expect(phone).toHaveTextContent('Phone');
    expect(phone).toHaveTextContent('Everything I see');
    expect(phone).toHaveTextContent('never');
    // A revoked token is not listed.
    expect(screen.queryByText('Old laptop')).toBeNull();

    fireEvent.change(screen.getByLabelText(/^Label/), {
      target: { value: 'Work laptop' },
    });
    await pickOption(/Feed of/, 'payments');
    await userEvent.click(
      screen.getByRole('button', { name: 'Issue feed token' }),
    );
    const issued = await screen.findByTestId('feed-issued', undefined, slow);
    expect(recorded.issued).toEqual([
      { label: 'Work laptop', owner: 'group:default/payments' },
    ]);
    expect(within(issued).getByRole('textbox')).toHaveValue(
      'https://portal.example/api/ops/calendar/feed/tok_secret.ics',
    );
    expect(issued).toHaveTextContent('It is shown only once');
    expect(
      within(issued).getByRole('button', { name: 'Copy the feed address' }),
    ).toBeInTheDocument();
    const laptop = await screen.findByTestId('feed-token-8', undefined, slow);
    expect(laptop).toHaveTextContent('payments');
    await userEvent.click(within(issued).getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('feed-issued')).toBeNull();
    expect(screen.queryByDisplayValue(/tok_secret/)).toBeNull();
    expect(document.body.textContent).not.toContain('tok_secret');

    await userEvent.click(screen.getByRole('button', { name: 'Revoke Phone' }));
    await userEvent.click(
      within(
        await screen.findByRole('dialog', { name: 'Revoke "Phone"?' }),
      ).getByRole('button', { name: 'Revoke' }),
    );
    await waitFor(() => expect(recorded.revoked).toEqual(['7']));
    await waitFor(() =>
      expect(screen.queryByTestId('feed-token-7')).toBeNull(),
    );
    expect(screen.getByTestId('feed-token-8')).toBeInTheDocument();
  });

  it('shows why the calendar could not be read', async () => {
    serve();
    server.use(
      http.get(
        `${BASE_URL}/schedule`,
        () =>
          apiError(
            400,
            'InputError',
            'Invalid query: to: the calendar shows at most 100 days at once',
          ) as any,
      ),
    );
    await open();
    expect(
      await screen.findByText(
        /Could not load the change calendar/,
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/at most 100 days/).length).toBeGreaterThan(0);
  });
});
