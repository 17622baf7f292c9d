// Stock du magasin: alerts first with their badges; a manager asks the warehouse for several
// products with one form (a quantity per row, empty rows not requested), with and without
// JavaScript, on a desktop and on a phone.
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

  it('lists alerts first and sends one request per product filled in', async (t) => {
    await withPage(t, browser, '/magasins/1/stock', { device: 'desktop', user: 'gerant1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const statuses = await page.locator('table.stock tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
      // the 13 demo products, and those other tests create meanwhile (the database is shared)
      assert.ok(statuses.length >= 13, `${statuses.length} rows`);
      const ranks = statuses.map((s) => RANK[s]);
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `alerts first: ${statuses}`);
      await screenshot(page, 'stock-desktop');
      const rows = page.locator('table.stock tbody tr');
      await rows.nth(0).locator('input[type=number]').fill('36');
      await rows.nth(2).locator('input[type=number]').fill('12');
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.waitForSelector('p.notice');
      assert.match(await page.locator('p.notice').textContent(), /^Demandes n° \d+ et \d+ envoyées à l'entrepôt\.$/);
      const left = await page.locator('table.stock input[type=number]').evaluateAll((inputs) => inputs.map((i) => i.value));
      assert.ok(left.every((v) => v === ''), `the form is empty again: ${left}`);
      assertNoErrors(errors);
    });
  });

  it('says so when nothing was filled in', async (t) => {
    await withPage(t, browser, '/magasins/1/stock', { device: 'desktop', user: 'gerant1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.waitForSelector('p.error');
      assert.match(await page.locator('p.error').textContent(), /au moins un produit/);
      assertNoErrors(errors);
    });
  });

  it('works without JavaScript and on a phone', async (t) => {
    await withPage(t, browser, '/magasins/2/stock', { device: 'phone', javaScriptEnabled: false, user: 'gerant2' },
      async ({ page }) => {
        await assertNoHorizontalScroll(page);
        await screenshot(page, 'stock-phone');
        await page.locator('table.stock tbody tr').first().locator('input[type=number]').fill('24');
        await page.getByRole('button', { name: 'Envoyer la demande' }).click();
        await page.waitForSelector('p.notice');
        assert.match(await page.locator('p.notice').textContent(), /^Demande n° \d+ envoyée à l'entrepôt\.$/);
        await assertNoHorizontalScroll(page);
      });
  });

  it('a cashier sees the stock but cannot request', async (t) => {
    await withPage(t, browser, '/magasins/1/stock', { device: 'desktop', user: 'caissier1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.ok((await page.locator('table.stock tbody tr').count()) >= 13);
      assert.equal(await page.locator('form.request').count(), 0);
      assert.equal(await page.locator('table.stock input').count(), 0);
      assertNoErrors(errors);
    });
  });
});
