// Time until the Operations tab of an example component is fully rendered in
// headless Chromium, against a running portal on loopback. "Fully rendered"
// means all six cards are in the page and none is loading.
//
//   node bench/frontend-operations-tab.mjs
//
// Environment: PORTAL_URL (default http://localhost:3000), CHROMIUM_PATH
// (default /usr/bin/chromium), RUNS (default 15), ENTITY (default
// component/payments-api), USER (demo user, default ana).
import { chromium } from 'playwright-core';

const PORTAL_URL = process.env.PORTAL_URL ?? 'http://localhost:3000';
const RUNS = Number(process.env.RUNS ?? 15);
const ENTITY = process.env.ENTITY ?? 'component/payments-api';
const USER = process.env.USER_NAME ?? 'Ana Alves';
const CARDS = ['patch', 'backups', 'alarms', 'history', 'tags', 'raci'];
const TARGET_MS = 1000;

const allCardsRendered = () =>
  page =>
    page.waitForFunction(
      cards =>
        cards.every(c => document.querySelector(`[data-testid="ops-card-${c}"]`)) &&
        !document.querySelector('[data-testid$="-loading"]'),
      CARDS,
      { timeout: 30_000, polling: 'raf' },
    );

function summary(name, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = q => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(
    `${name.padEnd(38)} n=${sorted.length}  min ${sorted[0].toFixed(0)} ms  median ${at(0.5).toFixed(0)} ms  ` +
      `p95 ${at(0.95).toFixed(0)} ms  max ${sorted[sorted.length - 1].toFixed(0)} ms  mean ${mean.toFixed(0)} ms  ` +
      `(target <= ${TARGET_MS} ms: ${at(0.95) <= TARGET_MS ? 'met at p95' : 'NOT met at p95'})`,
  );
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(PORTAL_URL);
  await page.getByRole('button', { name: `Sign in as ${USER}` }).click();
  await page.getByRole('navigation', { name: 'sidebar nav' }).waitFor({ state: 'attached' });

  const entityUrl = `${PORTAL_URL}/catalog/default/${ENTITY}`;
  // The tab's one backend request, timed by the browser.
  const api = [];
  page.on('requestfinished', request => {
    if (/\/api\/ops\/entities\/[^/]+\/[^/]+\/[^/]+\/operations$/.test(request.url())) {
      api.push(request.timing().responseEnd);
    }
  });
  const wait = allCardsRendered();

  // Warm up once: the first visit loads the plugin's lazy chunk.
  await page.goto(`${entityUrl}/operations`);
  await wait(page);

  // 1. In-app: from the entity's Overview, click the Operations tab.
  const inApp = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(entityUrl);
    // The entity page's tab is a link to the tab's route.
    const tab = page.locator(`a[href$="/catalog/default/${ENTITY}/operations"]`).first();
    await tab.waitFor();
    // Let the Overview finish its own requests, so they do not count.
    await page.waitForLoadState('networkidle');
    const start = Date.now();
    await tab.click();
    await wait(page);
    inApp.push(Date.now() - start);
  }

  // 2. Full page load of the tab's URL (app shell, sign-in refresh, catalog
  // entity, then the tab).
  const fullLoad = [];
  for (let i = 0; i < RUNS; i++) {
    const start = Date.now();
    await page.goto(`${entityUrl}/operations`);
    await wait(page);
    fullLoad.push(Date.now() - start);
  }

  console.log(`Operations tab of ${ENTITY} at ${PORTAL_URL}, ${RUNS} runs each, headless Chromium`);
  summary('click Operations tab -> 6 cards', inApp);
  summary('load .../operations URL -> 6 cards', fullLoad);
  summary('GET .../operations (network time)', api);
  console.log(`requests to .../operations per tab render: ${(api.length / (RUNS * 2 + 1)).toFixed(2)}`);
} finally {
  await browser.close();
}
