// Stock central: head office lists the stores' requests, filters them by status, approves then
// delivers a request made by gerant1 (both stocks move once), on a desktop and on a phone.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');

// A product of our own, so no other test (sales at the till, other requests) moves its stock.
const CODE = `C${Date.now().toString(36).toUpperCase().slice(-6)}`;
const WAREHOUSE = 50;
const ASKED = 7;

const rowOf = (page, id) => page.locator(`table.requests tr[data-request-id="${id}"]`);

describe('stock central', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists the requests of every store and filters them by status', async (t) => {
    await withPage(t, browser, '/entrepot', { device: 'desktop', user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.ok((await page.locator('table.requests tbody tr').count()) > 0, 'the demo has requests');
      assert.ok((await page.locator('table.warehouse tbody tr').count()) >= 13, 'the warehouse levels');
      await screenshot(page, 'central-desktop');
      await page.selectOption('#f-statut', 'refusee');
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/statut=refusee/);
      const statuses = await page.locator('table.requests tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
      assert.ok(statuses.length > 0, 'the demo has refused requests');
      assert.ok(statuses.every((s) => s === 'refusee'), statuses.join(', '));
      assert.equal(await page.locator('table.requests button', { hasText: 'Valider' }).count(), 0, 'nothing to approve');
      assertNoErrors(errors);
    });
  });

  it("approves then delivers gerant1's request: the warehouse goes down, the store up, once", async (t) => {
    // head office creates the product with some warehouse stock
    await withPage(t, browser, '/produits/nouveau', { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.fill('#p-code', CODE);
      await page.fill('#p-name', 'Produit e2e du stock central');
      await page.selectOption('#p-category_id', { label: 'Ménage' });
      await page.fill('#p-price', '4,20');
      await page.fill('#p-warehouse_quantity', String(WAREHOUSE));
      await page.click('#product-form button[type=submit]');
      await page.waitForURL(/cree=/);
      assertNoErrors(errors);
    });

    // the manager of store 1 asks for some from the stock page
    let requestId;
    await withPage(t, browser, '/magasins/1/stock', { user: 'gerant1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const row = page.locator('table.stock tbody tr', { hasText: CODE });
      assert.equal((await row.locator('td.num').first().textContent()).trim(), '0');
      await row.locator('input[type=number]').fill(String(ASKED));
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.waitForSelector('p.notice');
      requestId = (await page.locator('p.notice').textContent()).match(/Demande n° (\d+)/)[1];
      // the store sees it among its requests
      await page.waitForSelector(`.my-requests li[data-request-id="${requestId}"][data-status="en_attente"]`);
      assertNoErrors(errors);
    });

    // head office approves, then delivers
    await withPage(t, browser, '/entrepot?magasin=1', { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const row = rowOf(page, requestId);
      assert.equal(await row.getAttribute('data-status'), 'en_attente');
      assert.equal(await row.locator('button', { hasText: 'Livrer' }).count(), 0, 'no delivery before approval');
      await row.locator('button', { hasText: 'Valider' }).click();
      await page.waitForSelector(`table.requests tr[data-request-id="${requestId}"][data-status="validee"]`);
      assert.match(await page.locator('p.notice').textContent(), new RegExp(`Demande n° ${requestId} validée`));
      assert.equal(await row.locator('button', { hasText: 'Valider' }).count(), 0, 'approved once');
      await row.locator('button', { hasText: 'Livrer' }).click();
      await page.waitForSelector(`table.requests tr[data-request-id="${requestId}"][data-status="livree"]`);
      assert.match(await page.locator('p.notice').textContent(), /livrée/);
      const warehouse = page.locator('table.warehouse tbody tr', { hasText: CODE });
      assert.equal((await warehouse.locator('td.num').first().textContent()).trim(), String(WAREHOUSE - ASKED));

      // the history: who did what, and one movement each way
      await row.locator('a', { hasText: `n° ${requestId}` }).click();
      await page.waitForURL(`**/entrepot/demandes/${requestId}`);
      await page.waitForSelector('ol.history li[data-status="livree"]');
      const steps = await page.locator('ol.history li').evaluateAll((items) => items.map((li) => li.dataset.status));
      assert.deepEqual(steps, ['en_attente', 'validee', 'livree']);
      const deltas = await page.locator('table.movements tbody td.num').allTextContents();
      assert.deepEqual(deltas, [`-${ASKED}`, `+${ASKED}`]);
      assertNoErrors(errors);
    });

    // the store's stock went up by what was delivered
    await withPage(t, browser, '/magasins/1/stock', { user: 'gerant1', javaScriptEnabled: false }, async ({ page }) => {
      const row = page.locator('table.stock tbody tr', { hasText: CODE });
      assert.equal((await row.locator('td.num').first().textContent()).trim(), String(ASKED));
    });
  });

  it('fits a phone and works without JavaScript', async (t) => {
    await withPage(t, browser, '/entrepot?statut=en_attente', { device: 'phone', user: 'admin', javaScriptEnabled: false },
      async ({ page }) => {
        await assertNoHorizontalScroll(page);
        await screenshot(page, 'central-phone');
        const statuses = await page.locator('table.requests tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
        assert.ok(statuses.every((s) => s === 'en_attente'), statuses.join(', '));
        // a refusal without JavaScript, with its reason
        const row = page.locator('table.requests tbody tr').first();
        const id = await row.getAttribute('data-request-id');
        await row.locator('input[name=reason]').fill('Produit en fin de série (e2e)');
        await row.locator('button', { hasText: 'Refuser' }).click();
        await page.waitForSelector('p.notice');
        assert.match(await page.locator('p.notice').textContent(), new RegExp(`Demande n° ${id} refusée`));
        await page.goto(page.url().replace(/\/entrepot.*/, `/entrepot/demandes/${id}`));
        assert.match(await page.locator('ol.history').textContent(), /fin de série \(e2e\)/);
        await assertNoHorizontalScroll(page);
      });
  });

  it('is refused to store staff', async (t) => {
    await withPage(t, browser, '/entrepot', { user: 'gerant1', status: 403 }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.match(await page.locator('p.error').textContent(), /Réservé au siège/);
      assert.equal(await page.locator('table.requests').count(), 0);
      assert.equal(await page.locator('a[href="/entrepot"]').count(), 0, 'no link to it');
      // the refusal page's own 403 is the only error Chromium reports
      assertNoErrors(errors.filter((e) => !/status of 403/.test(e)));
    });
  });
});
