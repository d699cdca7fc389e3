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

/** The scaffolder task of the page the form led to, as its API reports it. */
async function taskOf(page: Page, user: DemoUser) {
  const taskId = new URL(page.url()).pathname.split('/').pop()!;
  return {
    taskId,
    status: async () =>
      (
        await api<{ status: string }>(
          user,
          'GET',
          `/api/scaffolder/v2/tasks/${taskId}`,
        )
      ).status,
  };
}

/** Waits until the executor has ended the RFC, and returns it. */
async function settled(user: DemoUser, id: string): Promise<Rfc> {
  let rfc: Rfc | undefined;
  await expect
    .poll(
      async () => {
        rfc = await api<Rfc>(user, 'GET', `/api/ops/rfcs/${id}`);
        return rfc.status;
      },
      { timeout: 90_000, intervals: [1_000] },
    )
    .toMatch(/^(Success|Failure)$/);
  return rfc!;
}

/** The stack Resource the catalog made from the RFC's provisioned product. */
async function stackOf(user: DemoUser, rfcId: string) {
  const token = await tokenFor(user);
  let stack: any;
  await expect
    .poll(
      async () => {
        const res = await fetch(
          `${BACKEND_URL}/api/catalog/entities/by-query?filter=kind=resource,spec.type=stack,metadata.annotations.cloud-ops.io/rfc=${rfcId}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        stack = (await res.json()).items?.[0];
        return Boolean(stack);
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBe(true);
  return stack;
}

test('a developer provisions an EC2 stack: the executor carries out the pre-approved RFC, the task follows it, and the stack appears with owner and tags', async ({
  page,
}) => {
  const name = `shop-${unique()}`;
  await signInAs(page, 'wei');
  await page.goto('/create/templates/default/ec2-linux-stack');

  await fillOwnership(page, /web/i, /storefront/i, 'CC-1001');
  await field(page, 'Stack name').fill(name);
  await createAndOpenTask(page);

  // Pre-approved: the person's run records the RFC, then follows the
  // execution the executor launched, copying its log.
  // Said in the task's log and, once the task ends, in its output too.
  await expect(page.getByText(/RFC-\d{6} is pre-approved/).first()).toBeVisible(
    {
      timeout: 90_000,
    },
  );
  await expect(
    page.getByText(new RegExp(`The stack is .*${name}-dev`)).first(),
  ).toBeVisible({ timeout: 90_000 });
  const rfc = await findRfc('wei', name);
  expect((await settled('wei', rfc.id)).status).toBe('Success');

  // The stack lands in the catalog as a Resource with its owner and tags.
  const stack = await stackOf('wei', rfc.id);
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

test("an RDS request's task ends at submission; Central IT approves it on /ops; the execution runs on its own and the developer sees its log and the new stack on the RFC page", async ({
  page,
  browser,
}) => {
  const name = `ledger-${unique()}`;
  await signInAs(page, 'priya');
  await page.goto('/create/templates/default/rds-postgres');

  await fillOwnership(page, /payments/i, /payments.ledger/i, 'CC-2002');
  await field(page, 'Database name').fill(name);
  await createAndOpenTask(page);

  // The task says who must approve and ends: no worker waits for people.
  await expect(
    page.getByText(/waits for approval by group:default\/central-it/),
  ).toBeVisible({ timeout: 60_000 });
  const task = await taskOf(page, 'priya');
  await expect.poll(task.status, { timeout: 30_000 }).toBe('completed');
  const rfc = await findRfc('priya', name);
  expect(rfc.status).toBe('PendingApproval');
  expect(rfc.approverGroup).toBe('group:default/central-it');
  await page.screenshot({
    path: 'e2e-test-report/screenshots/rds-task-ends-at-submission.png',
    fullPage: true,
  });

  // A Central IT operator approves it from the queue, in their own browser.
  const omarContext = await browser.newContext();
  const omar = await omarContext.newPage();
  await signInAs(omar, 'omar');
  await omar.goto('/ops');
  await omar.getByRole('link', { name: rfc.id }).click();
  await omar.getByRole('button', { name: 'Approve' }).click();
  await omar
    .getByLabel('Comment (optional)')
    .fill('Sized right for the ledger');
  await omar
    .getByRole('dialog')
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(omar.getByTestId('rfc-status')).toContainText(
    /Scheduled|In progress|Success/,
  );
  await omarContext.close();

  // Nobody pressed anything more: the executor carries it out.
  await page.goto(`/ops/rfcs/${rfc.id}`);
  await expect(page.getByTestId('rfc-status')).toContainText('Success', {
    timeout: 90_000,
  });
  const execution = page.getByTestId('rfc-execution');
  await expect(execution.getByTestId('rfc-execution-log')).toContainText(
    `Provisioning ${name}-dev`,
  );
  await expect(execution.getByTestId('rfc-execution-outputs')).toContainText(
    /pp-/,
  );
  await expect(execution.getByTestId('rfc-execution-stack')).toContainText(
    `${name}-dev`,
  );
  await expect(page.getByTestId('rfc-timeline')).toContainText(
    'succeed by system:ops-executor',
  );
  await page.screenshot({
    path: 'e2e-test-report/screenshots/rds-executed.png',
    fullPage: true,
  });
  await stackOf('priya', rfc.id);
});

test('a rejected RDS request is never carried out', async ({ page }) => {
  const name = `reject-${unique()}`;
  const reason = `Use the shared ledger cluster (${name})`;
  await signInAs(page, 'ana');
  await page.goto('/create/templates/default/rds-postgres');

  await fillOwnership(page, /payments/i, /payments.api/i, 'CC-2002');
  await field(page, 'Database name').fill(name);
  await createAndOpenTask(page);
  const task = await taskOf(page, 'ana');
  await expect.poll(task.status, { timeout: 30_000 }).toBe('completed');

  const rfc = await findRfc('ana', name);
  const current = await api<Rfc>('lena', 'GET', `/api/ops/rfcs/${rfc.id}`);
  await api('lena', 'POST', `/api/ops/rfcs/${rfc.id}/reject`, {
    version: current.version,
    comment: reason,
  });

  await page.goto(`/ops/rfcs/${rfc.id}`);
  await expect(page.getByTestId('rfc-status')).toContainText('Rejected');
  await expect(page.getByText(reason).first()).toBeVisible();
  // The executor never launched an execution for it.
  const execution = await api<{ attempt: number; taskId?: string }>(
    'ana',
    'GET',
    `/api/ops/rfcs/${rfc.id}/execution`,
  );
  expect(execution).toMatchObject({ attempt: 0 });
  expect(execution.taskId).toBeUndefined();
});
