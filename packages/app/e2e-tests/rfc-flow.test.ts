import { expect, Page, test } from '@playwright/test';
import { signInAs } from './helpers';

// A developer asks for a restore, Central IT approves it from its queue, and
// the developer sees the result in the component's change history.
test.describe.configure({ mode: 'serial' });

const title = 'Restore payments-db for the ledger check';
let rfcId = '';

async function fill(page: Page, label: string | RegExp, value: string) {
  await page.getByLabel(label).first().fill(value);
}

test('a developer submits an RFC that needs Central IT approval', async ({
  page,
}) => {
  await signInAs(page, 'ana');
  // Picking a recovery point on the Backups card's timeline starts the form
  // for this entity, with the point filled in.
  await page.goto('/catalog/default/component/payments-api/operations');
  await page
    .getByRole('group', { name: 'Timeline of recovery points' })
    .locator('[data-status="COMPLETED"]')
    .first()
    .click();
  await page
    .getByTestId('ops-backups-picked')
    .getByRole('link', { name: 'Restore into a new stack instead' })
    .click();
  await expect(page).toHaveURL(/\/ops\/rfcs\/new\?entity=component/);
  await expect(page.getByLabel(/Snapshot or recovery point/)).not.toHaveValue(
    '',
  );

  await expect(page.getByLabel('Change type')).toContainText(
    'Restore a stack from a snapshot',
  );
  await expect(page.getByLabel(/Target component or stack/)).toHaveValue(
    /payments-api/,
  );
  await fill(page, 'Title', title);
  await fill(
    page,
    'Description',
    "Restore last night's snapshot next to the original to check the ledger.",
  );
  await fill(
    page,
    'Implementation plan',
    'Provision the restore product from the snapshot.',
  );
  await fill(
    page,
    'Test plan',
    'Compare ledger totals with the bank statement.',
  );
  await fill(
    page,
    'Rollback plan',
    'Terminate the restored stack; the original is untouched.',
  );
  await fill(page, /Cost center/, 'CC-1001');
  await fill(page, /^Stack/, 'resource:default/payments-db');
  await fill(page, /Snapshot or recovery point/, 'snap-0123456789abcdef0');
  await fill(page, /Name of the restored stack/, 'payments-db-check');
  await page.getByRole('button', { name: 'Create RFC' }).click();

  const created = page.getByTestId('rfc-created');
  await expect(created).toContainText('Pending approval');
  await expect(
    page.getByText(/waits for approval by group:default\/central-it/),
  ).toBeVisible();
  rfcId = (await created.getByRole('link').first().innerText()).trim();
  expect(rfcId).toMatch(/^RFC-\d{6}$/);
});

test('a Central IT operator approves it from the queue', async ({ page }) => {
  expect(rfcId).not.toBe('');
  await signInAs(page, 'omar');
  await page.goto('/ops');
  await expect(
    page.getByRole('tab', { name: /Awaiting my approval/ }),
  ).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('link', { name: rfcId }).click();
  await expect(
    page.getByRole('heading', { name: `${rfcId}: ${title}` }),
  ).toBeVisible();
  await page.goto('/ops');
  await expect(page.getByRole('link', { name: rfcId })).toBeVisible();
  await page.screenshot({ path: 'docs/images/rfc-queue.png' });
  await page.getByRole('link', { name: rfcId }).click();

  await page.getByRole('button', { name: 'Approve' }).click();
  await page
    .getByLabel('Comment (optional)')
    .fill('Restore into a separate stack is fine.');
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(page.getByTestId('rfc-status')).toContainText(
    /Scheduled|In progress|Success/,
  );
  await expect(page.getByTestId('rfc-timeline')).toContainText(
    'approve by omar',
  );
  await page.screenshot({ path: 'docs/images/rfc-detail.png', fullPage: true });
});

test("the developer sees it in the component's change history", async ({
  page,
}) => {
  expect(rfcId).not.toBe('');
  await signInAs(page, 'ana');
  await page.goto('/catalog/default/component/payments-api/operations');
  // A fresh portal may not have run its scheduled AWS read yet.
  await expect(page.getByTestId('ops-card-alarms')).toContainText(
    /in ALARM|Not read yet/,
  );
  if (await page.getByText('Not read yet').first().isVisible()) {
    await page.getByRole('button', { name: 'Refresh' }).click();
  }
  await expect(page.getByTestId('ops-card-alarms')).toContainText('in ALARM');
  await expect(page.getByTestId('ops-card-patch')).toContainText('compliant');
  await expect(page.getByTestId('ops-card-backups')).toContainText(
    'recovery point',
  );
  await expect(page.getByText('Sandbox data').first()).toBeVisible();
  const history = page.getByTestId('ops-card-history');
  const row = history.getByRole('row', { name: new RegExp(rfcId) });
  await expect(row).toContainText(/Scheduled|In progress|Success/);
  await expect(row).toContainText(title);
  for (const card of ['patch', 'backups', 'alarms', 'tags', 'raci']) {
    await expect(page.getByTestId(`ops-card-${card}`)).toBeVisible();
  }
  await page.screenshot({
    path: 'docs/images/operations-tab.png',
    fullPage: true,
  });
  await row.getByRole('link', { name: rfcId }).click();
  await expect(page).toHaveURL(new RegExp(`/ops/rfcs/${rfcId}$`));
});
