// Rapports: head office reads the network and any store, switches period and store with the
// form (client-side after hydration, plain GET without JavaScript), sees the SVG trend drawn by
// the server, on a desktop, a phone and on paper; a cashier reads no report.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');

/** The chart's bars: how many, and how many are taller than nothing. */
async function bars(page) {
  const svg = page.locator('figure.chart svg');
  assert.ok(await svg.isVisible(), 'the chart is visible');
  assert.equal(await svg.getAttribute('role'), 'img');
  const heights = await svg.locator('rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
  return { count: heights.length, drawn: heights.filter((h) => h > 0).length };
}

describe('reports', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('admin reads the network, then one store over 7 days', async (t) => {
    await withPage(t, browser, '/rapports', { device: 'desktop', user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.equal(await page.locator('h1').textContent(), 'Rapport — Réseau');
      assert.equal(await page.locator('.kpi').count(), 7);
      assert.match(await page.locator('[data-kpi=revenue] .value').textContent(), /^[\d\u00a0]+,\d\d\u00a0\$$/);
      assert.equal(await page.locator('table.perf tbody tr').count(), 5, 'one line per store');
      const network = await bars(page);
      assert.equal(network.count, 30, '30 days by default');
      assert.ok(network.drawn >= 28, `the demo sells (almost) every day: ${network.drawn}`);
      assert.match(await page.locator('svg desc').textContent(), /chiffre d'affaires avant taxes/);
      await screenshot(page, 'reports-desktop');

      await page.getByLabel('Période', { exact: true }).selectOption('7j');
      await page.getByLabel('Magasin', { exact: true }).selectOption('1');
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.waitForURL(/\/rapports\?.*periode=7j.*magasin=1/);
      await page.getByRole('heading', { name: 'Rapport — Centre-Ville' }).waitFor();
      assert.equal((await bars(page)).count, 7);
      assert.equal(await page.locator('#perf-title').textContent(), 'Performance par caisse');
      assert.ok((await page.locator('table.perf tbody tr').count()) >= 3, 'one line per register');
      assert.equal(await page.locator('table.top-products').count(), 2);
      assertNoErrors(errors);
    });
  });

  it('typing dates picks "Dates choisies"', async (t) => {
    await withPage(t, browser, '/rapports?magasin=2', { device: 'desktop', user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const to = await page.locator('#au').inputValue();
      const from = new Date(`${to}T12:00:00Z`);
      from.setUTCDate(from.getUTCDate() - 9);
      await page.locator('#du').fill(from.toISOString().slice(0, 10));
      assert.equal(await page.locator('#periode').inputValue(), 'perso');
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.waitForURL(/periode=perso/);
      await page.waitForFunction(() => document.querySelectorAll('figure.chart rect.bar').length === 10);
      assert.equal(await page.locator('h1').textContent(), 'Rapport — Banlieue');
      assertNoErrors(errors);
    });
  });

  it('fits a phone and prints without the form', async (t) => {
    await withPage(t, browser, '/rapports', { device: 'phone', user: 'gerant1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.equal(await page.locator('h1').textContent(), 'Rapport — Centre-Ville');
      assert.ok((await bars(page)).count > 0);
      await assertNoHorizontalScroll(page);
      await screenshot(page, 'reports-phone');
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('form.report-filters').isVisible(), false);
      assert.equal(await page.locator('header.topbar').isVisible(), false);
      assert.ok(await page.locator('figure.chart svg').isVisible(), 'the chart is printed');
      await screenshot(page, 'reports-print');
      assertNoErrors(errors);
    });
  });

  it('works without JavaScript', async (t) => {
    await withPage(t, browser, '/rapports', { device: 'desktop', javaScriptEnabled: false, user: 'gerant2' },
      async ({ page }) => {
        assert.equal(await page.locator('h1').textContent(), 'Rapport — Banlieue');
        assert.equal((await bars(page)).count, 30);
        await page.locator('#periode').selectOption('jour');
        await page.getByRole('button', { name: 'Afficher' }).click();
        await page.waitForURL(/periode=jour/);
        assert.equal((await bars(page)).count, 1);
        assert.match(await page.locator('.report-period').textContent(), /^Période : le /);
      });
  });

  it('a cashier reads no report', async (t) => {
    await withPage(t, browser, '/rapports', { device: 'desktop', user: 'caissier1', status: 403 }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.match(await page.locator('p.error').textContent(), /Réservé au gérant du magasin/);
      assert.equal(await page.locator('figure.chart').count(), 0);
      assert.equal(await page.locator('.kpi').count(), 0);
      assert.equal(await page.locator('nav.main-nav a[href="/rapports"]').count(), 0, 'no Rapports link for a cashier');
      // the document's own 403 is the only error Chromium reports
      assertNoErrors(errors.filter((e) => !/status of 403/.test(e)));
    });
  });
});
