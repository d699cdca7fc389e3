import { expect, test } from '@playwright/test';
import { BACKEND_URL, signInAs, tokenFor } from './helpers';

test('a developer signs in, opens a component and sees its Operations tab', async ({
  page,
}) => {
  await signInAs(page, 'ana');

  // The catalog lists the example components by title.
  await page.getByRole('link', { name: 'Payments API' }).click();

  // Entity page tabs are links to each tab's route.
  await page
    .locator('a[href$="/catalog/default/component/payments-api/operations"]')
    .first()
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/operations$/,
  );
  for (const card of [
    'Patch compliance',
    'Backups',
    'Alarms',
    'RACI ownership',
    'Change history',
    'Tag compliance',
  ]) {
    await expect(page.getByText(card, { exact: true }).first()).toBeVisible();
  }

  await page.screenshot({
    path: 'e2e-test-report/screenshots/operations-tab.png',
    fullPage: true,
  });
});

test('the catalog API answers only with a user token, and lists the example org', async ({
  request,
}) => {
  const anonymous = await request.get(`${BACKEND_URL}/api/catalog/entities`);
  expect(anonymous.status()).toBe(401);

  const token = await tokenFor('omar');
  const res = await request.get(
    `${BACKEND_URL}/api/catalog/entities/by-query?filter=kind=group`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  expect(res.status()).toBe(200);
  const names = (await res.json()).items.map(
    (e: { metadata: { name: string } }) => e.metadata.name,
  );
  expect(names).toEqual(
    expect.arrayContaining(['central-it', 'payments', 'web']),
  );
});
