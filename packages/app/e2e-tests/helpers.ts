import { expect, Page, request } from '@playwright/test';

export const BACKEND_URL = process.env.BACKEND_URL ?? 'http://localhost:7007';

/** Demo users of examples/org.yaml, by name. */
export const DEMO_USERS = {
  ana: 'Ana Alves',
  priya: 'Priya Raman',
  wei: 'Wei Chen',
  omar: 'Omar Haddad',
  lena: 'Lena Novak',
} as const;

export type DemoUser = keyof typeof DEMO_USERS;

/** Signs in through the demo sign-in page and waits for the catalog. */
export async function signInAs(page: Page, user: DemoUser) {
  await page.goto('/');
  await page
    .getByRole('button', { name: `Sign in as ${DEMO_USERS[user]}` })
    .click();
  // The sidebar is collapsed at narrow widths, so wait for it to exist.
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }),
  ).toBeAttached();
}

/**
 * A user token for API calls, from the demo provider (as the README shows).
 * Waits while the catalog has not ingested the demo users yet.
 */
export async function tokenFor(user: DemoUser): Promise<string> {
  const api = await request.newContext();
  let token = '';
  await expect
    .poll(
      async () => {
        const res = await api.get(`${BACKEND_URL}/api/auth/demo/refresh`, {
          headers: { 'x-demo-user': user },
        });
        if (res.status() === 200) {
          token = (await res.json()).backstageIdentity.token;
        }
        return res.status();
      },
      { timeout: 90_000, intervals: [1_000] },
    )
    .toBe(200);
  await api.dispose();
  return token;
}
