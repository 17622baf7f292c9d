// Produits: head office creates a product (problems shown next to the fields, what was typed
// kept), finds it by search, with and without JavaScript; store staff only read; phone layout.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');

const stamp = Date.now().toString(36).toUpperCase().slice(-6);

/** Fills the product form; `price` may be wrong on purpose. */
async function fillProduct(page, { code, name, price }) {
  await page.fill('#p-code', code);
  await page.fill('#p-name', name);
  await page.selectOption('#p-category_id', { label: 'Boissons' });
  await page.fill('#p-price', price);
  await page.fill('#p-description', 'Créé par les tests de navigateur');
}

/** Bad price first (message next to the field, input kept), then fixed; then the search. */
async function createAndFind(page, code, name, js) {
  await fillProduct(page, { code, name, price: '-2' });
  await page.click('#product-form button[type=submit]');
  await page.waitForSelector('#p-price-erreur');
  assert.match(await page.locator('#p-price-erreur').textContent(), /Le prix doit être positif/);
  // the message sits right after the price field and the field says it is invalid
  assert.equal(await page.locator('#p-price + .field-error').count(), 1);
  assert.equal(await page.locator('#p-price').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#p-code').inputValue(), code, 'the code typed is kept');
  assert.equal(await page.locator('#p-name').inputValue(), name);
  assert.equal(await page.locator('#p-price').inputValue(), '-2');
  assert.equal(await page.locator('#p-code-erreur').count(), 0, 'no message on a right field');
  if (js) await screenshot(page, 'products-form-errors');

  await page.fill('#p-price', '3,49');
  await page.click('#product-form button[type=submit]');
  await page.waitForURL(/\/produits\?.*cree=/);
  assert.match(await page.locator('p.notice').textContent(), /Produit créé/);

  // found again from the whole list by its name
  await page.goto(page.url().replace(/\/produits.*/, '/produits'));
  if (js) await waitForHydration(page);
  await page.fill('#p-q', name);
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/q=/);
  const row = page.locator('table.products tbody tr', { hasText: code });
  await row.waitFor();
  assert.equal(await page.locator('table.products tbody tr').count(), 1);
  assert.match(await row.textContent(), /3,49/);
  assert.match(await row.textContent(), /Actif/);
}

describe('products', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('head office creates a product and finds it by search', async (t) => {
    await withPage(t, browser, '/produits/nouveau', { device: 'desktop', user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await createAndFind(page, `JS${stamp}`, `Limonade ${stamp}`, true);
      await screenshot(page, 'products-desktop');
      assertNoErrors(errors);
    });
  });

  it('the same create works without JavaScript', async (t) => {
    await withPage(t, browser, '/produits/nouveau', { device: 'desktop', user: 'admin', javaScriptEnabled: false },
      async ({ page }) => {
        await createAndFind(page, `NJ${stamp}`, `Sirop ${stamp}`, false);
      });
  });

  it('deactivates and reactivates a product from the list', async (t) => {
    await withPage(t, browser, `/produits?q=${encodeURIComponent(`Limonade ${stamp}`)}`, { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const row = page.locator('table.products tbody tr').first();
      await row.locator('button', { hasText: 'Désactiver' }).click();
      await page.waitForSelector('table.products tbody tr[data-active="false"]');
      assert.match(await page.locator('p.notice').textContent(), /désactivé/);
      await row.locator('button', { hasText: 'Réactiver' }).click();
      await page.waitForSelector('table.products tbody tr[data-active="true"]');
      assertNoErrors(errors);
    });
  });

  it('fits a phone, list and form', async (t) => {
    await withPage(t, browser, '/produits', { device: 'phone', user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.ok((await page.locator('table.products tbody tr').count()) > 0);
      await screenshot(page, 'products-phone');
      await assertNoHorizontalScroll(page);
      await page.goto(page.url().replace(/\/produits.*/, '/produits/nouveau'));
      await waitForHydration(page);
      await assertNoHorizontalScroll(page);
      assertNoErrors(errors);
    });
  });

  it('a cashier reads the catalogue but cannot change it', async (t) => {
    await withPage(t, browser, '/produits?q=ALI001', { user: 'caissier1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.equal(await page.locator('table.products tbody tr').count(), 1);
      assert.equal(await page.getByText('Nouveau produit').count(), 0);
      assert.equal(await page.locator('table.products button').count(), 0);
      const refused = await page.goto(page.url().replace(/\/produits.*/, '/produits/nouveau'));
      assert.equal(refused.status(), 403);
      assert.match(await page.locator('p.error').textContent(), /Réservé au siège/);
      // the refusal page's own 403 is the only error Chromium reports
      assertNoErrors(errors.filter((e) => !/status of 403/.test(e)));
    });
  });
});
