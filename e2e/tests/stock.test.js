// Stock du magasin: alerts first with their badges; a manager asks the warehouse for more,
// with and without JavaScript.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');

const RANK = { rupture: 0, bas: 1, normal: 2 };

describe('store stock', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists alerts first and sends a replenishment request', async (t) => {
    await withPage(t, browser, '/magasins/1/stock', { device: 'desktop', user: 'gerant1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const statuses = await page.locator('table.stock tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
      // the 13 demo products, and those other tests create meanwhile (the database is shared)
      assert.ok(statuses.length >= 13, `${statuses.length} rows`);
      const ranks = statuses.map((s) => RANK[s]);
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `alerts first: ${statuses}`);
      await screenshot(page, 'stock-desktop');
      const row = page.locator('table.stock tbody tr').first();
      await row.locator('input[name=quantity]').fill('36');
      await row.locator('button[type=submit]').click();
      await page.waitForSelector('p.notice');
      assert.match(await page.locator('p.notice').textContent(), /Demande n° \d+ envoyée/);
      assertNoErrors(errors);
    });
  });

  it('works without JavaScript and on a phone', async (t) => {
    await withPage(t, browser, '/magasins/2/stock', { device: 'phone', javaScriptEnabled: false, user: 'gerant2' },
      async ({ page }) => {
        await assertNoHorizontalScroll(page);
        await screenshot(page, 'stock-phone');
        await page.locator('table.stock tbody tr').first().locator('button[type=submit]').click();
        await page.waitForSelector('p.notice');
        assert.match(await page.locator('p.notice').textContent(), /envoyée à l'entrepôt/);
      });
  });

  it('a cashier sees the stock but cannot request', async (t) => {
    await withPage(t, browser, '/magasins/1/stock', { device: 'desktop', user: 'caissier1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.ok((await page.locator('table.stock tbody tr').count()) >= 13);
      assert.equal(await page.locator('form.request').count(), 0);
      assertNoErrors(errors);
    });
  });
});
