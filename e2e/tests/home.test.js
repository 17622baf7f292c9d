// Home page: the server-rendered list of the demo stores, its hydration and its layout.
'use strict';

const { describe, it, before, after } = require('node:test');
const { execFileSync } = require('node:child_process');
const assert = require('node:assert/strict');
const {
  launchBrowser,
  withPage,
  waitForHydration,
  assertNoErrors,
  screenshot,
  assertNoHorizontalScroll,
} = require('../lib/browser');

// The deterministic demo data (demo/src/stores.rs, STORES), in id order.
const DEMO_STORES = ['Centre-Ville', 'Banlieue', 'Nord', 'Sud', 'Express'];
// The dashboard needs a session: head office sees every store.
const USER = 'admin';

const storeNames = (page) => page.locator('.store-list li strong').allTextContents();

describe('home page', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists the 5 demo stores and hydrates without errors (desktop)', async (t) => {
    await withPage(t, browser, '/', { device: 'desktop', user: USER }, async ({ page, errors }) => {
      assert.equal(await page.title(), 'Multi-Magasin');
      await waitForHydration(page);
      await page.waitForLoadState('networkidle'); // late errors (server functions) count too
      assert.deepEqual((await storeNames(page)).map((s) => s.trim()), DEMO_STORES);
      assert.equal(await page.getByText('Chargement').count(), 0, 'loading placeholder still shown');
      await screenshot(page, 'home-desktop');
      assertNoErrors(errors);
    });
  });

  it('serves the stores in the HTML, without JavaScript', async (t) => {
    await withPage(t, browser, '/', { javaScriptEnabled: false, user: USER }, async ({ page, response }) => {
      const html = await response.text();
      for (const name of DEMO_STORES) assert.ok(html.includes(name), `${name} missing from the HTML`);
      assert.ok(!html.includes('Chargement'), 'the HTML holds the loading placeholder');
      assert.deepEqual((await storeNames(page)).map((s) => s.trim()), DEMO_STORES);
      assert.equal(await page.locator('body[data-hydrated]').count(), 0, 'hydrated with JavaScript off?');
    });
  });

  it('fits a phone screen (390x844) without horizontal scroll', async (t) => {
    await withPage(t, browser, '/', { device: 'phone', user: USER }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.waitForLoadState('networkidle');
      assert.equal(await page.locator('.store-list li').count(), DEMO_STORES.length);
      await screenshot(page, 'home-phone');
      await assertNoHorizontalScroll(page);
      assertNoErrors(errors);
    });
  });

  it('updates the open registers within 10 seconds, without a reload', async (t) => {
    await withPage(t, browser, '/', { device: 'desktop', user: USER }, async ({ page, errors }) => {
      await waitForHydration(page);
      const registers = page.locator('li[data-store-id="2"] .registers');
      const before = (await registers.textContent()).trim();
      const [open, total] = before.split('/').map((n) => Number.parseInt(n, 10));
      // a new register opened by the store's manager, as another till would do
      execFileSync('psql', [process.env.DATABASE_URL, '-qc', `
        WITH r AS (INSERT INTO registers (store_id, number, name)
                   SELECT 2, max(number) + 1, 'Caisse e2e' FROM registers WHERE store_id = 2 RETURNING id)
        INSERT INTO register_sessions (register_id, opened_by, opening_float)
        SELECT r.id, e.id, 100 FROM r, employees e WHERE e.login = 'gerant2'`]);
      const expected = `${open + 1} / ${total + 1}`;
      await page.waitForFunction(
        ([selector, text]) => document.querySelector(selector)?.textContent.trim() === text,
        ['li[data-store-id="2"] .registers', expected],
        { timeout: 12_000 },
      );
      assertNoErrors(errors);
    });
  });
});
