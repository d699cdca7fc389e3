import { expect, test } from '@playwright/test';
import { BACKEND_URL, DemoUser, signInAs, tokenFor } from './helpers';

// Paths around change control, tried in the portal as a new user would.

async function get<T>(user: DemoUser, path: string): Promise<T> {
  const res = await fetch(`${BACKEND_URL}${path}`, {
    headers: { authorization: `Bearer ${await tokenFor(user)}` },
  });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

test("a Payments developer cannot change the Web team's storefront, from the form or the API", async ({
  page,
}) => {
  const params = new URLSearchParams({
    entity: 'component:default/storefront',
    changeType: 'set-maintenance-window',
    'p.owner': 'group:default/web',
    'p.component': 'component:default/storefront',
    'p.stack': 'component:default/storefront',
    'p.environment': 'prod',
    'p.costCenter': 'CC-2001',
    'p.week': '1',
    'p.weekday': 'SUN',
    'p.startTime': '01:00',
  });
  await signInAs(page, 'ana');
  await page.goto(`/ops/rfcs/new?${params}`);
  const title = `Move the storefront's window (${Date.now()})`;
  await page.getByLabel('Title').first().fill(title);
  await page.getByLabel('Description').first().fill('Sunday nights are quiet.');
  await page.getByLabel('Implementation plan').first().fill('Set the window.');
  await page.getByLabel('Test plan').first().fill('The tab shows it.');
  await page.getByLabel('Rollback plan').first().fill('Set it back.');
  await page.getByRole('button', { name: 'Create RFC' }).click();
  await expect(page.getByTestId('rfc-create-error')).toContainText(
    /only members of group:default\/web, which owns component:default\/storefront/,
  );
  await page.screenshot({
    path: 'e2e-test-report/screenshots/cross-team-refused.png',
    fullPage: true,
  });

  // The API says the same, and nothing was recorded for the Web team.
  const res = await fetch(`${BACKEND_URL}/api/ops/rfcs`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor('ana')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      changeTypeId: 'set-maintenance-window',
      title,
      description: 'd',
      targetEntityRef: 'component:default/storefront',
      parameters: Object.fromEntries(
        [...params]
          .filter(([k]) => k.startsWith('p.'))
          .map(([k, v]) => [k.slice(2), v]),
      ),
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
      submit: true,
    }),
  });
  expect(res.status).toBe(403);
  const { items } = await get<{ items: { title: string }[] }>(
    'wei',
    '/api/ops/rfcs?targetEntityRef=component:default/storefront&limit=100',
  );
  expect(items.map(i => i.title)).not.toContain(title);
  // Nor can she read the Web team's RFCs.
  const theirs = await get<{ items: unknown[] }>(
    'ana',
    '/api/ops/entities/component/default/storefront/rfcs',
  );
  expect(theirs.items).toEqual([]);
});

test("a team's own template posing as a newer, pre-approved change type is refused and never offered", async ({
  page,
}) => {
  const { items } = await get<{
    items: { id: string; version: string; templateRef: string }[];
  }>('ana', '/api/ops/change-types');
  expect(items.map(t => t.templateRef)).not.toContain(
    'template:default/payments-fast-rds',
  );
  expect(
    items.filter(t => t.id === 'rds-postgres').map(t => t.version),
  ).toEqual(['1.0']);

  // The template's page says why: it shows the catalog's processing errors.
  let messages: string[] = [];
  await expect
    .poll(
      async () => {
        const entity = await get<{
          status?: { items?: { error?: { message: string } }[] };
        }>(
          'omar',
          '/api/catalog/entities/by-name/template/default/payments-fast-rds',
        );
        messages = (entity.status?.items ?? []).map(
          i => i.error?.message ?? '',
        );
        return messages.length;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(0);
  expect(messages.join('\n')).toMatch(
    /must be owned by group:default\/central-it/,
  );
  expect(messages.join('\n')).toMatch(/is not a trusted location/);

  // Asking for it by version is refused too.
  const res = await fetch(`${BACKEND_URL}/api/ops/rfcs`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor('ana')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      changeTypeId: 'rds-postgres',
      changeTypeVersion: '9.0',
      title: 'Fast database',
      description: 'd',
      targetEntityRef: 'component:default/payments-api',
      parameters: {},
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
      submit: true,
    }),
  });
  expect(res.status).toBe(400);
  const { error } = (await res.json()) as { error: { message: string } };
  expect(error.message).toMatch(
    /version 9.0 of change type "rds-postgres" is not in the approved catalog/,
  );

  await signInAs(page, 'ana');
  await page.goto('/create');
  await expect(
    page.getByText('PostgreSQL database on RDS').first(),
  ).toBeVisible();
  await expect(
    page.getByText('PostgreSQL on RDS, no approval (refused)'),
  ).toHaveCount(0);
});
