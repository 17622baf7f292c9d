// Points and store credit as tenders, and a refund in store credit (SPEC section 6), as a
// store works them: a manager gives a customer points, the cashier takes part of a sale in
// points and the rest by card; a unit comes back and the customer takes store credit instead
// of the tenders (shown on the refund's preview and the return receipt, the points it had
// earned taken back); then that credit pays a next sale. Without JavaScript too, and the
// credit is offered only for a sale with a customer.
//
// Each test creates its own customers. Sales go through store 2's register 6, shared with
// customers.test.js (each cart lives in its own till's address).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot } = require('../lib/browser');
const { amount, whole, plain, cents, ensureOpen, scan, pay, addTender, payTenders, receipt } = require('../lib/till');
const { newCustomer } = require('../lib/customers');

const NO_JS = { javaScriptEnabled: false };

/** The customer's points and store credit, as their page shows them. */
async function balances(browser, id) {
  return withPage(null, browser, `/clients/${id}`, { ...NO_JS, user: 'caissier2' }, async ({ page }) => ({
    points: whole(await page.locator('[data-points]').textContent()),
    credit: amount(await page.locator('[data-credit]').textContent()),
  }));
}

/** Attaches the customer by scanning their card at the till. */
async function attach(page, card, name) {
  await scan(page, card, null);
  await page.waitForSelector(`.till-customer .attached:has-text("${name}")`);
}

/**
 * Returns one unit of the sale's first line as store credit: the preview shows where the
 * refund goes, the receipt too. Returns the refund's rows `[label, cents]` and its total.
 */
async function returnToCredit(page, saleId, js) {
  if (js) await waitForHydration(page);
  await page.waitForSelector('form.return-form');
  await page.locator('form.return-form input[type=number]').first().fill('1');
  await page.fill('#raison', 'Ne convient pas');
  await page.check('#credit');
  await page.click('form.return-form button[type=submit]');
  await page.waitForSelector('section.refund-preview [data-refund]');
  const previewTotal = amount(await page.locator('[data-preview=total]').textContent());
  const previewed = await page.locator('section.refund-preview [data-refund]').evaluateAll((rows) =>
    rows.map((r) => [r.querySelector('dt').textContent.trim(), r.querySelector('dd').textContent.trim()]));
  await Promise.all([
    page.waitForURL(/\/retours\/\d+$/),
    page.click('section.refund-preview form.return-form button[type=submit]'),
  ]);
  await page.waitForSelector('article.ticket');
  const refund = amount(await page.locator('[data-total=refund]').textContent());
  const rows = await page.locator('article.ticket [data-refund]').evaluateAll((rs) =>
    rs.map((r) => [r.querySelector('dt').textContent.trim(), r.querySelector('dd').textContent.trim()]));
  const asCents = (list) => list.map(([label, value]) => [plain(label), cents(amount(value))]);
  assert.deepEqual(asCents(rows), asCents(previewed), `sale ${saleId}: the receipt refunds what the preview showed`);
  assert.equal(cents(refund), cents(previewTotal));
  return { rows: asCents(rows), refund };
}

describe('points and store credit', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('takes points and a card, refunds a unit in store credit, and the credit pays the next sale', async (t) => {
    const name = `Chloé Martin e2e ${Date.now() % 100000}`;
    const { id, card } = await newCustomer(browser, 'caissier2', name);
    // the store's manager gives 500 points
    await withPage(t, browser, `/clients/${id}`, { user: 'gerant2' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.selectOption('#a-what', 'points');
      await page.fill('#a-delta', '500');
      await page.fill('#a-note', 'Bienvenue e2e');
      await page.getByRole('button', { name: 'Ajuster' }).click();
      await page.waitForFunction(() => document.querySelector('[data-points]')?.textContent.replace(/\D/g, '') === '500');
      assertNoErrors(errors);
    });

    // 2 x Oeufs 2,30 $ = 4,60 $: 3,00 $ in points (300 points), 1,60 $ by card; 4 points earned
    let saleId;
    await withPage(t, browser, '/caisses/6', { user: 'caissier2' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await attach(page, card, name);
      await scan(page, '2*ALI003', 'ALI003', 2);
      assert.equal(cents(amount(await page.locator('[data-total=total]').first().textContent())), 460);
      await addTender(page, 'points', '3,00', 0);
      assert.match(plain(await page.locator('[data-total=remaining]').textContent()), /^Reste à payer : 1,60 \$/);
      await addTender(page, 'carte', '1,60', 1);
      await payTenders(page);
      const r = await receipt(page);
      assert.deepEqual(r.tenders.map(([label, value]) => [label, cents(value)]), [['Points (300)', 300], ['Carte', 160]]);
      assert.match(r.text, /Points gagnés : 4\b/);
      assert.match(r.text, /Solde : 204 points · crédit 0,00 \$/);
      saleId = r.id;
      assertNoErrors(errors);
    });

    // one box comes back: 2,30 $ in store credit instead of points and card
    await withPage(t, browser, `/magasins/2/retours?vente=${saleId}`, { user: 'caissier2' }, async ({ page, errors }) => {
      const { rows, refund } = await returnToCredit(page, saleId, true);
      assert.equal(cents(refund), 230);
      // what came from the points and from the card goes to one place: one row
      assert.deepEqual(rows, [['Crédit en magasin', 230]]);
      await screenshot(page, 'return-receipt-credit');
      assertNoErrors(errors);
    });
    // the credit is on the customer; the 2 points the box had earned are taken back
    assert.deepEqual(await balances(browser, id), { points: 202, credit: 2.3 });

    // the credit pays a next box exactly
    await withPage(t, browser, '/caisses/6', { user: 'caissier2' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await attach(page, card, name);
      await scan(page, 'ALI003');
      await addTender(page, 'credit', '2,30', 0);
      await payTenders(page);
      const r = await receipt(page);
      assert.match(r.text, /Crédit en magasin/);
      assert.match(r.text, /Solde : 204 points · crédit 0,00 \$/);
      assertNoErrors(errors);
    });
    assert.deepEqual(await balances(browser, id), { points: 204, credit: 0 });
  });

  it('refunds in store credit without JavaScript, and offers it only when the sale has a customer', async (t) => {
    const name = `Marc Lavoie e2e ${Date.now() % 100000}`;
    const { id, card } = await newCustomer(browser, 'caissier2', name);
    let withCustomer;
    let anonymous;
    await withPage(t, browser, '/caisses/6', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await ensureOpen(page);
      await attach(page, card, name);
      await scan(page, '2*ALI003', 'ALI003', 2);
      await pay(page, 'carte');
      withCustomer = (await receipt(page)).id;
      await page.goto(new URL('/caisses/6', page.url()).href);
      await ensureOpen(page);
      await scan(page, 'ALI003');
      await pay(page, 'carte');
      anonymous = (await receipt(page)).id;
    });
    await withPage(t, browser, `/magasins/2/retours?vente=${anonymous}`, { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await page.waitForSelector('form.return-form');
      assert.equal(await page.locator('#credit').count(), 0, 'no store credit without a customer');
    });
    await withPage(t, browser, `/magasins/2/retours?vente=${withCustomer}`, { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      assert.match(plain(await page.locator('label.check').textContent()), new RegExp(`crédit en magasin à ${name}`));
      const { rows, refund } = await returnToCredit(page, withCustomer, false);
      assert.deepEqual(rows, [['Crédit en magasin', 230]]);
      assert.equal(cents(refund), 230);
    });
    assert.deepEqual(await balances(browser, id), { points: 2, credit: 2.3 });
  });
});
