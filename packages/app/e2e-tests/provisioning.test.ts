import { expect, Page, test } from '@playwright/test';
import { BACKEND_URL, DemoUser, signInAs, tokenFor } from './helpers';

// Self-service provisioning through change-type templates, end to end in the
// running portal with the sandbox Service Catalog. Each run uses unique names
// so the tests can run again against the same database.

test.setTimeout(110_000);

const unique = () => Date.now().toString(36);

type Rfc = {
  id: string;
  status: string;
  title: string;
  version: number;
  approverGroup?: string;
};

async function api<T>(
  user: DemoUser,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const token = await tokenFor(user);
  const res = await fetch(`${BACKEND_URL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  expect(res.ok, `${method} ${path}: ${res.status} ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

/** The RFC whose title contains `marker`, once the template has recorded it. */
async function findRfc(user: DemoUser, marker: string): Promise<Rfc> {
  let found: Rfc | undefined;
  await expect
    .poll(
      async () => {
        const { items } = await api<{ items: Rfc[] }>(
          user,
          'GET',
          '/api/ops/rfcs?limit=100&sort=createdAt&order=desc',
        );
        found = items.find(r => r.title.includes(marker));
        return found?.id;
      },
      { timeout: 30_000 },
    )
    .toBeTruthy();
  return found!;
}

/** The form field whose label starts with `label` (required ones end in *). */
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label}`)).first();
}

/** Types into an entity picker and takes the first suggestion that matches. */
async function pickFromAutocomplete(
  page: Page,
  label: string,
  option: RegExp,
  search: string,
) {
  const input = field(page, label);
  await input.click();
  await input.fill(search);
  await page.getByRole('option', { name: option }).first().click();
}

async function fillOwnership(
  page: Page,
  owner: RegExp,
  component: RegExp,
  costCenter: string,
) {
  await pickFromAutocomplete(page, 'Owner', owner, owner.source);
  await pickFromAutocomplete(
    page,
    'Component',
    component,
    component.source.split('.')[0],
  );
  await field(page, 'Cost center').fill(costCenter);
  await page.getByRole('button', { name: 'Next' }).click();
}

async function createAndOpenTask(page: Page) {
  // The last form step's button leads to the review page.
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
}

test('a developer provisions an EC2 stack end to end and it appears in the catalog with owner and tags', async ({
  page,
}) => {
  const name = `shop-${unique()}`;
  await signInAs(page, 'wei');
  await page.goto('/create/templates/default/ec2-linux-stack');

  await fillOwnership(page, /web/i, /storefront/i, 'CC-1001');
  await field(page, 'Stack name').fill(name);
  await createAndOpenTask(page);

  // Pre-approved: no approval wait; the sandbox provisions after a short delay.
  await expect(page.getByText(/RFC-\d{6}\*?\*? is Success/)).toBeVisible({
    timeout: 90_000,
  });
  await expect(page.getByText(/sandbox/i).first()).toBeVisible();
  const rfc = await findRfc('wei', name);
  expect(rfc.status).toBe('Success');

  // The stack lands in the catalog as a Resource with its owner and tags.
  const token = await tokenFor('wei');
  let stack: any;
  await expect
    .poll(
      async () => {
        const res = await fetch(
          `${BACKEND_URL}/api/catalog/entities/by-query?filter=kind=resource,spec.type=stack,metadata.annotations.cloud-ops.io/rfc=${rfc.id}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        stack = (await res.json()).items?.[0];
        return Boolean(stack);
      },
      { timeout: 120_000, intervals: [2_000] },
    )
    .toBe(true);
  expect(stack.spec.owner).toBe('group:default/web');
  expect(stack.spec.dependencyOf).toEqual(['component:default/storefront']);
  expect(stack.metadata.annotations).toMatchObject({
    'cloud-ops.io/rfc': rfc.id,
    'tags.cloud-ops.io/cost-center': 'CC-1001',
    'tags.cloud-ops.io/environment': 'dev',
    'cloud-ops.io/sandbox': 'true',
  });

  await page.goto(`/catalog/default/resource/${stack.metadata.name}`);
  // The page is labelled as a sandbox stack and links its owning group.
  await expect(
    page.getByRole('heading', { name: `${stack.metadata.title}` }),
  ).toBeVisible();
  expect(stack.metadata.title).toContain('(sandbox)');
  await expect(
    page.getByRole('link', { name: 'Web', exact: true }).first(),
  ).toHaveAttribute('href', /\/catalog\/default\/group\/web$/);
  await page.screenshot({
    path: 'e2e-test-report/screenshots/provisioned-stack.png',
    fullPage: true,
  });
});

test('an RDS database waits for Central IT approval, then provisions', async ({
  page,
}) => {
  const name = `ledger-${unique()}`;
  await signInAs(page, 'priya');
  await page.goto('/create/templates/default/rds-postgres');

  await fillOwnership(page, /payments/i, /payments.ledger/i, 'CC-2002');
  await field(page, 'Database name').fill(name);
  await createAndOpenTask(page);

  const rfc = await findRfc('priya', name);
  expect(rfc.status).toBe('PendingApproval');
  expect(rfc.approverGroup).toBe('group:default/central-it');

  // A Central IT operator approves.
  const current = await api<Rfc>('omar', 'GET', `/api/ops/rfcs/${rfc.id}`);
  await api('omar', 'POST', `/api/ops/rfcs/${rfc.id}/approve`, {
    version: current.version,
    comment: 'Sized right for the ledger',
  });

  await expect(page.getByText(/RFC-\d{6}\*?\*? is Success/)).toBeVisible({
    timeout: 120_000,
  });
  const done = await api<Rfc>('priya', 'GET', `/api/ops/rfcs/${rfc.id}`);
  expect(done.status).toBe('Success');
});

test('a rejected RDS request fails the task with the reason', async ({
  page,
}) => {
  const name = `reject-${unique()}`;
  const reason = `Use the shared ledger cluster (${name})`;
  await signInAs(page, 'ana');
  await page.goto('/create/templates/default/rds-postgres');

  await fillOwnership(page, /payments/i, /payments.api/i, 'CC-2002');
  await field(page, 'Database name').fill(name);
  await createAndOpenTask(page);

  const rfc = await findRfc('ana', name);
  const current = await api<Rfc>('lena', 'GET', `/api/ops/rfcs/${rfc.id}`);
  await api('lena', 'POST', `/api/ops/rfcs/${rfc.id}/reject`, {
    version: current.version,
    comment: reason,
  });

  // The task fails with the reason, in its event stream and on the page.
  const taskId = new URL(page.url()).pathname.split('/').pop()!;
  await expect
    .poll(
      async () => {
        const { status } = await api<{ status: string }>(
          'ana',
          'GET',
          `/api/scaffolder/v2/tasks/${taskId}`,
        );
        return status;
      },
      { timeout: 60_000 },
    )
    .toBe('failed');
  const events = await api<Array<{ type: string; body: { message?: string } }>>(
    'ana',
    'GET',
    `/api/scaffolder/v2/tasks/${taskId}/events`,
  );
  expect(events.map(e => e.body.message ?? '').join('\n')).toContain(
    `${rfc.id} was rejected: ${reason}`,
  );
  // A failed task shows its error above the steps and opens its log by
  // itself, so there is nothing to click (clicking "Show Logs" would race
  // the page's own toggle).
  await expect(
    page.getByText(`${rfc.id} was rejected: ${reason}`).first(),
  ).toBeVisible({ timeout: 30_000 });
  await page.screenshot({
    path: 'e2e-test-report/screenshots/rejected-rfc-task.png',
    fullPage: true,
  });
  const after = await api<Rfc>('ana', 'GET', `/api/ops/rfcs/${rfc.id}`);
  expect(after.status).toBe('Rejected');
});
