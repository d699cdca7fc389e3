import { APIRequestContext, expect, request, test } from '@playwright/test';
import { BACKEND_URL, DemoUser, signInAs, tokenFor } from './helpers';

// Patch settings through RFCs, notifications, incidents, service requests and
// the monthly report, on the sandbox, as the demo users.
test.describe.configure({ mode: 'serial' });

async function api(user: DemoUser): Promise<APIRequestContext> {
  return request.newContext({
    baseURL: `${BACKEND_URL}/api/`,
    extraHTTPHeaders: { Authorization: `Bearer ${await tokenFor(user)}` },
  });
}

async function ok<T>(
  response: Promise<import('@playwright/test').APIResponse>,
): Promise<T> {
  const res = await response;
  expect(res.ok(), `${res.url()}: ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}

const ownership = {
  owner: 'group:default/payments',
  component: 'component:default/payments-api',
  environment: 'prod',
  costCenter: 'CC-1001',
  stack: 'component:default/payments-api',
};

test('the owner chooses a maintenance window through a pre-approved change type; the tab shows it', async ({
  page,
}) => {
  const ana = await api('ana');
  const rfc = await ok<{ id: string; status: string; version: number }>(
    ana.post('ops/rfcs', {
      data: {
        changeTypeId: 'set-maintenance-window',
        title: 'Maintenance window of payments-api',
        description: 'Second Tuesday of the month, early morning.',
        targetEntityRef: 'component:default/payments-api',
        parameters: {
          ...ownership,
          week: '2',
          weekday: 'TUE',
          startTime: '03:00',
        },
        implementationPlan: 'Record the window.',
        testPlan: 'The Operations tab shows it.',
        rollbackPlan: 'Set the previous window.',
        submit: true,
      },
    }),
  );
  // Pre-approved: scheduled at once; the executor carries it out in the
  // sandbox's SSM and closes it. Nobody starts or completes it by hand.
  expect(rfc.status).toBe('Scheduled');
  await expect
    .poll(
      async () =>
        (
          await ok<{ status: string }>(ana.get(`ops/rfcs/${rfc.id}`))
        ).status,
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBe('Success');
  const started = await ana.post(`ops/rfcs/${rfc.id}/start`, {
    data: { version: rfc.version },
  });
  expect(started.status()).toBeGreaterThanOrEqual(400);

  // Patch data comes from the scheduled read; ask for one now in case the
  // portal has only just started (a 429 means one ran moments ago).
  const refresh = await ana.post(
    'ops/entities/component/default/payments-api/operations/refresh',
  );
  expect([200, 429]).toContain(refresh.status());

  await signInAs(page, 'ana');
  await page.goto('/catalog/default/component/payments-api/operations');
  const window = page.getByTestId('ops-patch-window');
  await expect(window).toContainText('2nd Tuesday, 03:00–04:00 UTC');
  await expect(window.getByRole('link', { name: rfc.id })).toBeVisible();
  // What the sandbox's SSM holds, not a replay of the RFC.
  await expect(page.getByTestId('ops-patch-window-state')).toContainText(
    /SSM maintenance window ops-patch-component-default-payments-api: enabled/,
  );
  await expect(page.getByTestId('ops-patch-policy')).toContainText(
    /Critical Security Updates/i,
  );
  await ana.dispose();
});

test('an RFC waiting for approval reaches Central IT as a notification, and its decision reaches the requester', async () => {
  const ana = await api('ana');
  const omar = await api('omar');
  const rfc = await ok<{ id: string; version: number }>(
    ana.post('ops/rfcs', {
      data: {
        changeTypeId: 'request-backup-snapshot',
        title: 'Snapshot payments-api before the release',
        description: 'One snapshot outside the schedule.',
        targetEntityRef: 'component:default/payments-api',
        parameters: {
          ...ownership,
          reason: 'A known-good point before the release.',
        },
        implementationPlan: 'Take an on-demand snapshot.',
        testPlan: 'The recovery point shows on the timeline.',
        rollbackPlan: 'Delete the snapshot.',
        submit: true,
      },
    }),
  );
  const titles = async (who: APIRequestContext) =>
    (
      await ok<{ notifications: { payload: { title: string } }[] }>(
        who.get('notifications/notifications?limit=50'),
      )
    ).notifications.map(n => n.payload.title);

  await expect
    .poll(() => titles(omar))
    .toContain(`${rfc.id} awaits your approval`);
  await ok(
    omar.post(`ops/rfcs/${rfc.id}/approve`, {
      data: { version: rfc.version, comment: 'Fine before the release.' },
    }),
  );
  await expect.poll(() => titles(ana)).toContain(`${rfc.id} was approved`);
  await ana.dispose();
  await omar.dispose();
});

test('a team asks Central IT a question and Central IT answers in the thread', async ({
  browser,
}) => {
  const question = 'Which AMI should the ledger batch hosts move to?';
  const ana = await browser.newPage();
  await signInAs(ana, 'ana');
  await ana.goto('/ops/service-requests/new');
  const form = ana.getByRole('form', { name: 'New service request' });
  await form.getByLabel('Title').fill('AMI for the ledger batch hosts');
  await form.getByRole('button', { name: 'Topic' }).click();
  await ana.getByRole('option', { name: 'My managed environment' }).click();
  // Ana is on one team only, so the team is chosen for her.
  await form.getByLabel('Question').fill(question);
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect(ana).toHaveURL(/\/ops\/service-requests\/SR-\d{6}$/);
  await expect(ana.getByTestId('service-request-status')).toContainText(
    'Awaiting Central IT',
  );
  const requestUrl = ana.url();
  await expect(ana.getByText(question)).toBeVisible();

  const omar = await browser.newPage();
  await signInAs(omar, 'omar');
  await omar.goto(new URL(requestUrl).pathname);
  await omar
    .getByLabel('Reply')
    .fill('Use the October Central IT AMI; it carries the current patches.');
  await omar.getByRole('button', { name: 'Send reply' }).click();
  await expect(omar.getByTestId('service-request-status')).toContainText(
    'Awaiting team',
  );
  await omar.close();

  await ana.reload();
  await expect(ana.getByTestId('service-request-status')).toContainText(
    'Awaiting team',
  );
  await expect(ana.getByText(/October Central IT AMI/)).toBeVisible();
  await ana.close();
});

test("an alarm in ALARM opened an incident; it shows on the entity's tab and Central IT resolves it", async ({
  browser,
}) => {
  // The sandbox's payments-api-5xx-rate alarm is in ALARM; ask for a read
  // now rather than wait for the scheduled one (a 429 means one just ran).
  const ana = await api('ana');
  const refresh = await ana.post(
    'ops/entities/component/default/payments-api/operations/refresh',
  );
  expect([200, 429]).toContain(refresh.status());
  type Page = {
    items: { id: string; alarmName: string; entityRef: string }[];
  };
  // payments-api-5xx-rate's incident; on a retry, after it was resolved in
  // the same ALARM episode, any other open one.
  let incident = { id: '', entityRef: '' };
  await expect
    .poll(async () => {
      const { items } = await ok<Page>(ana.get('ops/incidents?status=Open'));
      incident =
        items.find(i => i.alarmName === 'payments-api-5xx-rate') ??
        items[0] ??
        incident;
      return incident.id;
    })
    .toMatch(/^INC-\d{6}$/);
  const incidentId = incident.id;
  await ana.dispose();

  const [kind, rest] = incident.entityRef.split(':');
  const [namespace, name] = rest.split('/');
  const developer = await browser.newPage();
  await signInAs(developer, 'ana');
  await developer.goto(`/catalog/${namespace}/${kind}/${name}/operations`);
  await expect(developer.getByRole('link', { name: incidentId })).toBeVisible();
  await developer.close();

  const omar = await browser.newPage();
  await signInAs(omar, 'omar');
  await omar.goto(`/ops/incidents/${incidentId}`);
  await expect(omar.getByTestId('incident-status')).toContainText('Open');
  await omar.getByRole('button', { name: 'Resolve' }).click();
  await omar
    .getByLabel('Resolution notes')
    .fill('Bad deployment rolled back; error rate is back to normal.');
  await omar
    .getByRole('dialog')
    .getByRole('button', { name: 'Resolve' })
    .click();
  await expect(omar.getByTestId('incident-status')).toContainText('Resolved');
  await omar.close();
});

test("the team's monthly report shows its RFCs and downloads as CSV", async ({
  page,
}) => {
  await signInAs(page, 'ana');
  await page.goto('/ops/reports');
  const report = page.getByTestId('service-report');
  await expect(report).toBeVisible();
  await expect(
    report.getByRole('table', { name: 'RFCs by status' }),
  ).toContainText('Success');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(
    /^service-report-payments-\d{4}-\d{2}\.csv$/,
  );
  const csv = await new Promise<string>(async (resolve, reject) => {
    const stream = await download.createReadStream();
    let text = '';
    stream.on('data', chunk => (text += chunk));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
  expect(csv).toContain('section,metric,value');
  expect(csv).toMatch(/rfc_status,Success,[1-9]/);

  await page.getByRole('button', { name: 'Printable view' }).click();
  await expect(page).toHaveURL(/\/ops\/reports\/print\?/);
  await expect(page.getByTestId('service-report')).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/service-report.png',
    fullPage: true,
  });
});
