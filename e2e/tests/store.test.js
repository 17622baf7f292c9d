// Magasin: reached from the dashboard by a click (client-side navigation after hydration),
// rendered on the server when opened directly, confined to the employee's store.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');

describe('store page', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('opens from the dashboard and lists the registers with their status', async (t) => {
    await withPage(t, browser, '/', { device: 'desktop', user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.click('li[data-store-id="1"] a.store-name');
      await page.waitForURL('**/magasins/1');
      await page.waitForSelector('table.registers tbody tr');
      assert.equal(await page.locator('h1').textContent(), 'Centre-Ville');
      assert.equal(await page.locator('table.registers tbody tr').count(), 3);
      const statuses = await page.locator('table.registers .status').allTextContents();
      assert.ok(statuses.every((s) => s === 'Fermée' || s.startsWith('Ouverte par ')), statuses.join(' | '));
      await screenshot(page, 'store-desktop');
      assertNoErrors(errors);
    });
  });

  it("a cashier sees their store and not another one's", async (t) => {
    await withPage(t, browser, '/magasins/2', { device: 'phone', user: 'caissier2' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.equal(await page.locator('h1').textContent(), 'Banlieue');
      await assertNoHorizontalScroll(page);
      await screenshot(page, 'store-phone');
      assertNoErrors(errors);
    });
    await withPage(t, browser, '/magasins/3', { device: 'desktop', user: 'caissier2' }, async ({ page }) => {
      assert.equal(await page.locator('table.registers').count(), 0);
      assert.match(await page.locator('.error').textContent(), /ne travaillez pas dans ce magasin/);
    });
  });
});
