// Caisse: a full sale by barcode with cash and change, the receipt, the stock going down; fast
// scans against a slow server, none lost; a refused sale that keeps the cart; a partial
// return; the same sale without JavaScript; the till on a phone with the Z report at closing. Each test uses its own store's register so the
// files can run side by side on one seeded database.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');

/** Money as the page writes it, read back as a number: "1 234,56 $" -> 1234.56. */
const amount = (text) => Number(text.replace(/[^\d,-]/g, '').replace(',', '.'));

/** Opens the register's session when it is closed (the demo leaves some registers open). */
async function ensureOpen(page) {
  if (await page.locator('#fonds').count()) {
    await page.fill('#fonds', '200,00');
    await Promise.all([page.waitForSelector('#code'), page.click('form button[type=submit]:has-text("Ouvrir la caisse")')]);
  }
  await page.waitForSelector('#code');
}

/** Scans a barcode: the code typed into the field, then Enter (what a USB scanner does). */
async function scan(page, code, expectedQuantity) {
  await page.locator('#code').fill(code);
  await page.locator('#code').press('Enter');
  await page.waitForSelector(`li.line[data-quantity="${expectedQuantity}"]:has-text("${code}")`);
}

/** The store's quantity of a product, read on its stock page. */
async function stockOf(browser, store, code, user) {
  return withPage(null, browser, `/magasins/${store}/stock`, { device: 'desktop', user }, async ({ page }) => {
    const row = page.locator('table.stock tbody tr', { hasText: code });
    return Number((await row.locator('td.num').first().textContent()).trim());
  });
}

describe('till', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('sells by barcode for cash with change, prints the receipt and the stock goes down', async (t) => {
    const before = await stockOf(browser, 3, 'ALI002', 'caissier3');
    await withPage(t, browser, '/caisses/9', { device: 'desktop', user: 'caissier3' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await scan(page, 'ALI002', 1);
      await scan(page, 'ALI002', 2);
      // live search as the cashier types, then a click on the product found
      await page.locator('#code').fill('Pai');
      const hit = page.locator('ul.hits button.hit', { hasText: 'Pain' });
      await hit.waitFor();
      await hit.click();
      await page.waitForSelector('li.line:has-text("ALI001")');
      assert.equal(await page.locator('li.line').count(), 2);
      // 2 x 1,10 + 1 x 1,20 = 3,40 (food is taxable in the demo catalogue: see totals)
      const total = amount(await page.locator('[data-total=total]').textContent());
      const subtotal = amount(await page.locator('[data-total=subtotal]').textContent());
      assert.equal(subtotal, 3.4);
      assert.ok(total >= subtotal, `total ${total} includes the taxes`);
      // the till puts the cursor back in the code field 30 ms after each cart change: wait for
      // it, or typing the amount races with it and lands in the code field
      await page.waitForFunction(() => document.activeElement?.id === 'code');
      await page.fill('#recu', '20');
      await page.waitForSelector('p.change:has-text("Monnaie à rendre")');
      const change = amount(await page.locator('p.change').textContent());
      assert.equal(Math.round((20 - total) * 100), Math.round(change * 100));
      await screenshot(page, 'till-desktop');
      await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('button.primary')]);
      await page.waitForSelector('article.ticket');
      assert.match(await page.locator('article.ticket').textContent(), /Monnaie rendue/);
      assert.equal(amount(await page.locator('[data-total=change]').textContent()), change);
      await screenshot(page, 'receipt');
      assertNoErrors(errors);
    });
    assert.equal(await stockOf(browser, 3, 'ALI002', 'caissier3'), before - 2);
  });

  it('keeps every fast scan, in order, when the server answers slowly', async (t) => {
    await withPage(t, browser, '/caisses/11', { device: 'desktop', user: 'caissier4' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await page.waitForFunction(() => document.activeElement?.id === 'code');
      // every server function answers 300 ms late, as a loaded server would
      await page.route('**/api/**', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await route.continue();
      });
      // a scanner: the code typed key by key, then Enter, a scan every 100 ms
      const scans = ['ALI001', 'BOI001', 'ALI001', 'HYG001', 'BOI001', 'ALI002'];
      for (const code of scans) {
        await page.keyboard.type(code);
        await page.keyboard.press('Enter');
        await page.waitForTimeout(100);
      }
      assert.equal(await page.locator('#code').inputValue(), '', 'the field is cleared on Enter');
      const expected = [['ALI001', 2], ['BOI001', 2], ['HYG001', 1], ['ALI002', 1]];
      const lines = () => page.locator('li.line').evaluateAll((items) =>
        items.map((li) => [li.querySelector('.code').textContent.trim(), Number(li.dataset.quantity)]));
      await page.waitForFunction((want) => {
        const items = [...document.querySelectorAll('li.line')];
        return items.reduce((n, li) => n + Number(li.dataset.quantity), 0) >= want;
      }, scans.length, { timeout: 15_000 }).catch(() => {});
      // settled: nothing more arrives once the queue is empty
      await page.waitForTimeout(1_000);
      assert.deepEqual(await lines(), expected, 'every scan, with its quantity, in the order scanned');
      assert.equal(await page.locator('p.error[role=alert]').count(), 0);
      await page.waitForSelector('button.primary:not([disabled])');
      await page.unroute('**/api/**');
      await page.check('input[name=mode][value=carte]');
      await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('button.primary')]);
      const ticket = await page.locator('article.ticket').textContent();
      for (const code of ['ALI001', 'BOI001', 'HYG001', 'ALI002']) assert.match(ticket, new RegExp(code));
      assertNoErrors(errors);
    });
  });

  it('refuses a sale beyond the stock, names the product and keeps the cart', async (t) => {
    await withPage(t, browser, '/caisses/8', { device: 'desktop', user: 'caissier3' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await scan(page, 'HYG001', 1);
      const line = page.locator('li.line', { hasText: 'HYG001' });
      await line.locator('input[type=number][name=quantite]').fill('9999');
      await line.locator('form.qty button').click();
      await page.waitForSelector('li.line[data-quantity="9999"]');
      await page.check('input[name=mode][value=carte]');
      await page.click('button.primary');
      const alert = page.locator('p.error[role=alert]');
      await alert.waitFor();
      assert.match(await alert.textContent(), /stock insuffisant pour « Shampooing », il en reste \d+/);
      assert.equal(await page.locator('li.line[data-quantity="9999"]').count(), 1, 'the cart is kept');
      await screenshot(page, 'till-refused');
      assertNoErrors(errors);
    });
  });

  it('returns part of a sale: refund, return receipt, stock back up', async (t) => {
    let saleUrl;
    await withPage(t, browser, '/caisses/7', { device: 'desktop', user: 'gerant3' }, async ({ page }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await scan(page, 'HYG002', 1);
      const line = page.locator('li.line', { hasText: 'HYG002' });
      await line.locator('input[type=number][name=quantite]').fill('3');
      await line.locator('form.qty button').click();
      await page.waitForSelector('li.line[data-quantity="3"]');
      await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('button.primary')]);
      saleUrl = page.url();
    });
    const saleId = saleUrl.match(/\/ventes\/(\d+)$/)[1];
    const before = await stockOf(browser, 3, 'HYG002', 'gerant3');
    await withPage(t, browser, '/magasins/3/retours', { device: 'desktop', user: 'gerant3' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.fill('#vente', saleId);
      await page.click('form.find-sale button');
      await page.waitForSelector('form.return-form');
      await page.locator('form.return-form input[type=number]').first().fill('1');
      await page.fill('#raison', 'Emballage abîmé');
      // the refund is shown before it is confirmed
      await page.click('form.return-form button[type=submit]');
      await page.waitForSelector('section.refund-preview');
      assert.ok(amount(await page.locator('[data-preview=total]').textContent()) > 0);
      await Promise.all([
        page.waitForURL(/\/retours\/\d+$/),
        page.click('section.refund-preview form.return-form button[type=submit]'),
      ]);
      assert.match(await page.locator('article.ticket').textContent(), /Emballage abîmé/);
      assert.ok(amount(await page.locator('[data-total=refund]').textContent()) > 0);
      await screenshot(page, 'return-receipt');
      assertNoErrors(errors);
    });
    assert.equal(await stockOf(browser, 3, 'HYG002', 'gerant3'), before + 1);
  });

  it('sells the same way with JavaScript disabled', async (t) => {
    await withPage(t, browser, '/caisses/12', { device: 'desktop', javaScriptEnabled: false, user: 'caissier4' },
      async ({ page }) => {
        await ensureOpen(page);
        await page.locator('#code').fill('BOI001');
        await Promise.all([page.waitForURL(/panier=/), page.locator('#code').press('Enter')]);
        await page.waitForSelector('li.line[data-quantity="1"]:has-text("BOI001")');
        // without JavaScript, a partial name lists the products to pick from
        await page.locator('#code').fill('BOI');
        await Promise.all([page.waitForURL(/q=BOI/), page.locator('#code').press('Enter')]);
        await page.locator('ul.hits button.hit', { hasText: 'BOI002' }).click();
        await page.waitForSelector('li.line:has-text("BOI002")');
        await page.fill('#recu', '50');
        await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('button.primary')]);
        assert.match(await page.locator('article.ticket').textContent(), /Monnaie rendue/);
        await screenshot(page, 'receipt-nojs');
      });
  });

  it('finds at the till a product head office has just created', async (t) => {
    const code = `E2E${Date.now().toString(36).toUpperCase()}`;
    await withPage(t, browser, '/produits/nouveau', { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.fill('#p-code', code);
      await page.fill('#p-name', 'Tisane e2e');
      await page.selectOption('#p-category_id', { label: 'Boissons' });
      await page.fill('#p-price', '3,25');
      await page.click('#product-form button[type=submit]');
      await page.waitForURL(/cree=/);
      assertNoErrors(errors);
    });
    await withPage(t, browser, '/caisses/13', { device: 'desktop', user: 'caissier5' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await page.locator('#code').fill('Tisane e2e');
      const hit = page.locator('ul.hits button.hit', { hasText: code });
      await hit.waitFor();
      assert.match(await hit.textContent(), /3,25/);
      assert.match(await hit.textContent(), /stock : 0/, 'no stock in the store yet');
      assertNoErrors(errors);
    });
  });

  it('each role signs in through the form and lands on its dashboard', async (t) => {
    for (const [login, role] of [['admin', 'Siège'], ['gerant2', 'Gérant'], ['caissier2', 'Caissier']]) {
      await withPage(t, browser, '/connexion', { device: 'desktop' }, async ({ page, errors }) => {
        await waitForHydration(page);
        await page.fill('input[name=login]', login);
        await page.fill('input[name=password]', 'demo');
        await Promise.all([page.waitForURL((u) => new URL(u).pathname === '/'), page.click('form.form button[type=submit]')]);
        await page.waitForSelector('.topbar .role');
        await page.waitForSelector('.store-list li');
        assert.equal((await page.locator('.topbar .role').textContent()).trim(), role);
        const stores = await page.locator('.store-list li').count();
        assert.equal(stores, login === 'admin' ? 5 : 1, `${login} sees ${stores} store(s)`);
        assertNoErrors(errors);
      });
    }
  });

  it('fits a phone and closes the register with its Z report', async (t) => {
    await withPage(t, browser, '/caisses/15', { device: 'phone', user: 'caissier5' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await scan(page, 'ALI003', 1);
      await assertNoHorizontalScroll(page);
      await screenshot(page, 'till-phone');
      await page.check('input[name=mode][value=carte]');
      await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('button.primary')]);
      await assertNoHorizontalScroll(page);
      await page.goto(new URL('/caisses/15/fermeture', page.url()).href);
      await waitForHydration(page);
      const expected = await page.locator('[data-z=expected_cash]').textContent();
      await page.fill('#compte', expected.replace(/[^\d,]/g, ''));
      await Promise.all([page.waitForURL(/\/sessions\/\d+$/), page.click('form.close-form button[value=fermer]')]);
      assert.match(await page.locator('article.ticket').textContent(), /Rapport Z/);
      assert.equal(amount(await page.locator('[data-z=difference]').textContent()), 0);
      await assertNoHorizontalScroll(page);
      await screenshot(page, 'z-report-phone');
      assertNoErrors(errors);
    });
  });
});
