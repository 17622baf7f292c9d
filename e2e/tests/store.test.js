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
    await withPage(t, browser, '/magasins/3', { device: 'desktop', user: 'caissier2', status: 403 }, async ({ page }) => {
      assert.equal(await page.locator('table.registers').count(), 0);
      assert.match(await page.locator('.error').textContent(), /ne travaillez pas dans ce magasin/);
    });
  });

  it('a refused store page is a French page that stops asking the server', async (t) => {
    await withPage(t, browser, '/magasins/3', { device: 'desktop', user: 'gerant1', status: 403 }, async ({ page, errors }) => {
      const calls = [];
      page.on('request', (req) => {
        if (new URL(req.url()).pathname.startsWith('/api/')) calls.push(req.url());
      });
      await waitForHydration(page);
      assert.equal(await page.locator('h1').textContent(), 'Accès refusé');
      assert.match(await page.locator('section.refusal [role="alert"]').textContent(), /^Vous ne travaillez pas dans ce magasin\.$/);
      assert.equal(await page.locator('section.refusal a[href="/"]').count(), 1, 'a way home');
      // the page polls every 10 s: past one period, no call was made
      await page.waitForTimeout(12_500);
      assert.deepEqual(calls, [], 'no server-function call after a refusal');
      const text = await page.locator('body').innerText();
      assert.doesNotMatch(text, /server function|ServerFnError/i);
      // the document's own 403 is the only error Chromium reports
      assertNoErrors(errors.filter((e) => !/status of 403/.test(e)));
    });
  });

  it("a manager finds a closed session's Z report from the store page and can print it", async (t) => {
    await withPage(t, browser, '/magasins/1', { device: 'desktop', user: 'gerant1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.click('table.registers tbody tr:first-child a.sessions');
      await page.waitForURL('**/caisses/*/sessions');
      await page.waitForSelector('table.sessions tbody tr.closed');
      assert.match(await page.locator('h1').textContent(), /^Sessions de /);
      await page.click('table.sessions tbody tr.closed >> nth=0 >> a');
      await page.waitForURL('**/sessions/*');
      await page.waitForSelector('dl.z-report');
      assert.equal(await page.locator('h1').textContent(), 'Rapport Z');
      assert.equal(await page.locator('[data-z="counted_cash"]').count(), 1, 'final figures of a closed session');
      assert.equal(await page.locator('button.print').count(), 1);
      await screenshot(page, 'z-report-reprint');
      assertNoErrors(errors);
    });
  });
});
