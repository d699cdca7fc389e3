import { expect, test } from '@playwright/test';
import { signInAs } from './helpers';

// The other direction of approval: Central IT asks on a team's behalf and the
// owning team approves from its queue.
test.describe.configure({ mode: 'serial' });

let rfcId = '';

test("Central IT creates an RFC against a team's component", async ({
  page,
}) => {
  await signInAs(page, 'lena');
  await page.goto(
    '/ops/rfcs/new?entity=component%3Adefault%2Fpayments-api&changeType=restore-stack-from-snapshot',
  );
  await expect(page.getByText(/this is a Central IT RFC/)).toBeVisible();
  await page
    .getByLabel('Title')
    .first()
    .fill('Restore payments-db after the index rebuild');
  await page
    .getByLabel('Description')
    .first()
    .fill('Check the rebuilt index against last night.');
  await page
    .getByLabel('Implementation plan')
    .first()
    .fill('Provision the restore product.');
  await page
    .getByLabel('Test plan')
    .first()
    .fill('Run the ledger consistency query.');
  await page
    .getByLabel('Rollback plan')
    .first()
    .fill('Terminate the restored stack.');
  await page
    .getByLabel(/Cost center/)
    .first()
    .fill('CC-1001');
  await page
    .getByLabel(/^Stack/)
    .first()
    .fill('resource:default/payments-db');
  await page
    .getByLabel(/Snapshot or recovery point/)
    .first()
    .fill('snap-0fedcba987654321');
  await page
    .getByLabel(/Name of the restored stack/)
    .first()
    .fill('payments-db-index');
  await page.getByRole('button', { name: 'Create RFC' }).click();

  const created = page.getByTestId('rfc-created');
  await expect(created).toContainText('Pending approval');
  await expect(
    page.getByText(/waits for approval by group:default\/payments/),
  ).toBeVisible();
  rfcId = (await created.getByRole('link').first().innerText()).trim();
});

test('the owning team approves it; another team does not see it', async ({
  browser,
}) => {
  expect(rfcId).toMatch(/^RFC-\d{6}$/);

  const wei = await browser.newPage();
  await signInAs(wei, 'wei');
  await wei.goto('/ops');
  // Wait until the queue shows its answer, so the absence below means something.
  await expect(
    wei
      .getByText('Nothing waits for you')
      .or(wei.getByRole('link', { name: /^RFC-\d{6}$/ }).first()),
  ).toBeVisible();
  await expect(wei.getByRole('link', { name: rfcId })).toHaveCount(0);
  await wei.close();

  const priya = await browser.newPage();
  await signInAs(priya, 'priya');
  await priya.goto('/ops');
  await priya.getByRole('link', { name: rfcId }).click();
  await priya.getByRole('button', { name: 'Approve' }).click();
  await priya
    .getByRole('dialog')
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(priya.getByTestId('rfc-status')).toContainText(
    /Scheduled|In progress|Success/,
  );
  await expect(priya.getByTestId('rfc-timeline')).toContainText(
    'approve by priya',
  );
  await priya.close();
});
