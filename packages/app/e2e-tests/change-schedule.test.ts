import { expect, Page, test } from '@playwright/test';
import { BACKEND_URL, DemoUser, signInAs, tokenFor } from './helpers';

// The change schedule in the portal: a freeze Central IT declares stops a
// developer's change, and an emergency change for an open incident goes
// through a freeze with its reason and then asks for its review.

async function call<T>(
  user: DemoUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${BACKEND_URL}/api/ops${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(user)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** `YYYY-MM-DD` of a day `days` from today, in UTC. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const LEDGER = 'component:default/payments-ledger';

async function fill(page: Page, label: string | RegExp, value: string) {
  await page.getByLabel(label).first().fill(value);
}

test("a freeze Central IT declares on the calendar refuses a developer's RFC, with its reason", async ({
  browser,
}) => {
  // A day far enough ahead that no other test asks for a change on it.
  const frozenDay = day(200);
  const name = `Ledger migration freeze ${Date.now()}`;
  const reason = 'The ledger moves to its new cluster; nothing else changes.';

  const omar = await browser.newPage();
  await signInAs(omar, 'omar');
  await omar.goto(`/ops/calendar?date=${frozenDay}`);
  await omar.getByRole('button', { name: 'Declare freeze' }).click();
  const dialog = omar.getByRole('dialog', { name: 'Declare a freeze' });
  await dialog.getByLabel(/^Name/).fill(name);
  await dialog.getByLabel(/^Reason/).fill(reason);
  await dialog.getByLabel(/^Start/).fill(`${frozenDay}T00:00`);
  await dialog.getByLabel(/^End/).fill(`${frozenDay}T23:59`);
  await dialog.getByLabel(/^Time zone/).fill('UTC');
  await dialog.getByRole('button', { name: /Covers/ }).click();
  await omar.getByRole('option', { name: 'Listed entities' }).click();
  await dialog.getByLabel(/^Entities/).fill(LEDGER);
  await dialog.getByRole('button', { name: 'Declare freeze' }).click();
  await expect(dialog).toBeHidden();
  // The calendar shows it on its day.
  await expect(
    omar
      .getByTestId(`calendar-day-${frozenDay}`)
      .getByTestId('calendar-freeze'),
  ).toContainText(name);
  await omar.screenshot({
    path: 'e2e-test-report/screenshots/freeze-declared.png',
    fullPage: true,
  });
  await omar.close();

  // Ana asks for a downtime announcement inside it: refused, with why.
  const params = new URLSearchParams({
    entity: LEDGER,
    changeType: 'announce-planned-downtime',
    'p.owner': 'group:default/payments',
    'p.component': LEDGER,
    'p.downtimeStart': `${frozenDay}T12:00:00Z`,
    'p.downtimeEnd': `${frozenDay}T13:00:00Z`,
    'p.message': 'The ledger is read-only for an hour.',
  });
  const ana = await browser.newPage();
  await signInAs(ana, 'ana');
  await ana.goto(`/ops/rfcs/new?${params}`);
  await fill(ana, 'Title', `Ledger downtime (${Date.now()})`);
  await fill(ana, 'Description', 'Tell the teams that read the ledger.');
  await fill(ana, 'Implementation plan', 'Send the notification.');
  await fill(ana, 'Test plan', 'The teams see it.');
  await fill(ana, 'Rollback plan', 'Announce again.');
  await fill(ana, 'Requested start', `${frozenDay}T11:00`);
  await ana.getByRole('button', { name: 'Create RFC' }).click();
  const error = ana.getByTestId('rfc-create-error');
  await expect(error).toContainText(name);
  await expect(error).toContainText(reason);
  await expect(error).toContainText(/until \d{4}-\d\d-\d\dT/);
  await ana.screenshot({
    path: 'e2e-test-report/screenshots/freeze-refused.png',
    fullPage: true,
  });
  await ana.close();
});

test('an emergency change for an open incident overrides a freeze, is approved once and asks for its review', async ({
  browser,
}) => {
  // An open P1 or P2 incident of the Payments team: the sandbox's
  // payments-api-5xx-rate alarm opens one; ask for a read rather than wait.
  const refresh = await call(
    'ana',
    'POST',
    '/entities/component/default/payments-api/operations/refresh',
  );
  expect([200, 429]).toContain(refresh.status);
  let incidentId = '';
  await expect
    .poll(
      async () => {
        const { body } = await call<{
          items: { id: string; priority: string; ownerGroup: string }[];
        }>('ana', 'GET', '/incidents?status=Open&limit=100');
        incidentId =
          body.items.find(
            i =>
              ['P1', 'P2'].includes(i.priority) &&
              i.ownerGroup === 'group:default/payments',
          )?.id ?? '';
        return incidentId;
      },
      { timeout: 90_000 },
    )
    .toMatch(/^INC-\d+$/);

  // A freeze on the ledger from now on, lifted again whatever happens.
  const now = new Date();
  const local = (d: Date) => d.toISOString().slice(0, 16);
  const declared = await call<{ id: string; version: number }>(
    'omar',
    'POST',
    '/freezes',
    {
      name: `Ledger audit ${Date.now()}`,
      reason: 'External auditors are reading the ledger.',
      start: local(new Date(now.getTime() - 3_600_000)),
      end: local(new Date(now.getTime() + 3 * 3_600_000)),
      timezone: 'UTC',
      scope: { type: 'entities', refs: [LEDGER] },
    },
  );
  expect(declared.status).toBe(201);
  try {
    const params = new URLSearchParams({
      entity: LEDGER,
      changeType: 'emergency-change',
      incident: incidentId,
      'p.owner': 'group:default/payments',
      'p.component': LEDGER,
      'p.incidentId': incidentId,
      'p.summary': 'Restart the ledger workers stuck on a lock.',
      'p.plan': 'Restart the workers one by one.',
      'p.rollback': 'None needed.',
    });
    const ana = await browser.newPage();
    await signInAs(ana, 'ana');
    await ana.goto(`/ops/rfcs/new?${params}`);
    const title = `Unstick the ledger (${Date.now()})`;
    await fill(ana, 'Title', title);
    await fill(ana, 'Description', 'Payments are failing at checkout.');
    await fill(ana, 'Implementation plan', 'Restart the workers.');
    await fill(ana, 'Test plan', 'The 5xx alarm clears.');
    await fill(ana, 'Rollback plan', 'None needed.');
    const emergency = ana.getByRole('checkbox', { name: 'Emergency change' });
    if (!(await emergency.isChecked())) await emergency.check();
    await expect(ana.getByLabel(/^Incident/).first()).toHaveValue(incidentId);
    await ana
      .getByRole('checkbox', { name: 'Start as soon as approved' })
      .check();
    await fill(
      ana,
      /^Freeze override reason/,
      'Checkout fails for every customer until the workers restart.',
    );
    await ana.getByRole('button', { name: 'Create RFC' }).click();
    const created = ana.getByTestId('rfc-created');
    await expect(created).toBeVisible();
    const rfcId = (await created.getByRole('link').first().innerText()).trim();
    await ana.close();

    // Central IT sees the freeze it overrides and approves; it is manual,
    // so Central IT carries it out and records the outcome.
    const omar = await browser.newPage();
    await signInAs(omar, 'omar');
    await omar.goto(`/ops/rfcs/${rfcId}`);
    await expect(omar.getByTestId('rfc-status')).toContainText(
      'Pending approval',
    );
    await expect(omar.getByText(/Emergency/).first()).toBeVisible();
    await expect(omar.getByText(incidentId).first()).toBeVisible();
    await expect(
      omar.getByText(/Checkout fails for every customer/).first(),
    ).toBeVisible();
    await omar.getByRole('button', { name: 'Approve' }).click();
    await omar
      .getByRole('dialog')
      .getByRole('button', { name: 'Approve' })
      .click();
    await expect(omar.getByTestId('rfc-status')).toContainText(
      /Scheduled|In progress/,
    );
    // Manual: nothing starts it but Central IT. The button shows once the
    // page has read what Omar may do.
    const start = omar.getByRole('button', { name: 'Start' });
    await expect(start).toBeVisible();
    await start.click();
    await omar
      .getByRole('dialog')
      .getByRole('button', { name: 'Start' })
      .click();
    await expect(omar.getByTestId('rfc-status')).toContainText('In progress');
    await omar.getByRole('button', { name: 'Record success' }).click();
    await omar
      .getByRole('dialog')
      .getByRole('button', { name: 'Record success' })
      .click();
    await expect(omar.getByTestId('rfc-status')).toContainText('Success');
    await omar.close();

    // The requester is asked for the post-implementation review, and writes it.
    const review = await browser.newPage();
    await signInAs(review, 'ana');
    await review.goto(`/ops/rfcs/${rfcId}`);
    await expect(review.getByTestId('rfc-review-due')).toContainText('Due');
    const form = review.getByTestId('rfc-review-form');
    await form.getByLabel(/What happened/).fill('Workers held a stale lock.');
    await form.getByLabel(/Root cause/).fill(incidentId);
    await form.getByLabel(/Follow-up/).fill('Add a lock timeout.');
    await form.getByRole('button', { name: 'Record the review' }).click();
    await expect(review.getByTestId('rfc-review')).toContainText(
      'Workers held a stale lock.',
    );
    await review.screenshot({
      path: 'e2e-test-report/screenshots/emergency-reviewed.png',
      fullPage: true,
    });
    await review.close();

    const { body } = await call<{
      changeClass: string;
      freezeOverride?: { reason: string; freezeIds: string[] };
      review?: { onTime: boolean };
    }>('ana', 'GET', `/rfcs/${rfcId}`);
    expect(body.changeClass).toBe('emergency');
    expect(body.freezeOverride?.freezeIds).toContain(declared.body.id);
    expect(body.review?.onTime).toBe(true);
  } finally {
    const current = await call<{ version: number }>(
      'omar',
      'GET',
      `/freezes/${declared.body.id}`,
    );
    await call('omar', 'POST', `/freezes/${declared.body.id}/lift`, {
      version: current.body.version,
    });
  }
});
