// Clients (SPEC section 6): staff of any store find a customer by name, phone or card, create
// one (a bad email or a phone already used refused next to its field, what was typed kept),
// see their purchases and points once they buy at the till, and a manager adjusts their
// points; anonymising is head office's: a store manager neither sees the form nor can post it,
// head office does and the personal data are gone while the purchases stay. With and without
// JavaScript, on a phone too.
//
// The demo customers are only read here (selling.test.js asserts their points); the customers
// this file changes are its own, created with unique phones. Sales go through store 2's
// register 6, which only credit.test.js shares (each cart lives in its own till's address).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  BASE_URL, launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll,
} = require('../lib/browser');
const { whole, plain, ensureOpen, scan, pay, receipt } = require('../lib/till');
const { freshPhone, createCustomer, newCustomer } = require('../lib/customers');

const NO_JS = { javaScriptEnabled: false };

/** The rows of the customers' table: [name, phone, card digits, points]. */
async function rows(page) {
  return page.locator('table.customers tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const cell = (label) => tr.querySelector(`td[data-label="${label}"]`).textContent.trim();
    return [cell('Nom'), cell('Téléphone').replace(/[\u00a0\u202f]/g, ' '), cell('Carte').replace(/\D/g, ''), cell('Points')];
  }));
}

/**
 * Searches the customers' page (a GET form: the same with or without JavaScript) and waits
 * until the table lists exactly `names` (the previous list may stay a moment once hydrated).
 */
async function search(page, q, names) {
  await page.fill('#c-q', q);
  await Promise.all([
    page.waitForURL((u) => new URL(u).searchParams.get('q') === q),
    page.click('form[role=search] button[type=submit]'),
  ]);
  await page.waitForFunction((want) => {
    const shown = [...document.querySelectorAll('table.customers tbody td[data-label="Nom"]')].map((td) => td.textContent.trim());
    return JSON.stringify(shown) === JSON.stringify(want);
  }, names, { timeout: 10_000 }).catch(() => {});
  assert.deepEqual((await rows(page)).map(([name]) => name), names, `customers found by « ${q} »`);
}

describe('customers', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('finds a customer by name, phone or loyalty card', async (t) => {
    await withPage(t, browser, '/clients', { user: 'caissier1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      assert.ok((await rows(page)).length >= 3, 'every customer before a search');
      await search(page, 'tremblay', ['Marie Tremblay']);
      const [marie] = await rows(page);
      assert.equal(marie[1], '514 555-0101');
      assert.match(marie[2], /^\d{13}$/);
      await search(page, '4385550102', ['Jean Gagnon']);
      await search(page, marie[2], ['Marie Tremblay']);
      await search(page, 'personne-de-ce-nom', []);
      assert.equal(plain(await page.locator('p.count').textContent()), 'Aucun client ne correspond.');
      assert.equal((await rows(page)).length, 0);
      assertNoErrors(errors);
    });
  });

  it('finds a customer by email on a phone without JavaScript', async (t) => {
    await withPage(t, browser, '/clients', { ...NO_JS, device: 'phone', user: 'gerant3' }, async ({ page }) => {
      await search(page, 'jean.gagnon@example.com', ['Jean Gagnon']);
      await assertNoHorizontalScroll(page);
      await page.getByRole('link', { name: 'Jean Gagnon' }).click();
      await page.waitForSelector('h1:has-text("Jean Gagnon")');
      assert.match(await page.locator('p.loyalty-card').getAttribute('data-card'), /^\d{13}$/);
      await assertNoHorizontalScroll(page);
    });
  });

  it('creates a customer, refusing a bad email and a phone already used next to their fields', async (t) => {
    await withPage(t, browser, '/clients', { user: 'caissier1' }, async ({ page, errors }) => {
      await waitForHydration(page);
      // an email the browser lets through (type=email) but without a domain the server accepts
      await createCustomer(page, { name: 'Luc Bélanger', phone: freshPhone(), email: 'luc@exemple' });
      await page.waitForSelector('#n-email-erreur');
      assert.equal(plain(await page.locator('p.error[role=alert]').textContent()),
        'Le client n\'est pas créé : corrigez les champs signalés.');
      assert.equal(await page.locator('#n-email-erreur').textContent(), 'Adresse courriel invalide (exemple : nom@domaine.ca).');
      assert.equal(await page.locator('#n-email').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#n-name').inputValue(), 'Luc Bélanger', 'what was typed is kept');
      assert.equal(await page.locator('#n-email').inputValue(), 'luc@exemple');
      // Marie Tremblay's phone
      await createCustomer(page, { name: 'Luc Bélanger', phone: '514 555-0101', email: 'luc@exemple.ca' });
      await page.waitForSelector('#n-phone-erreur');
      assert.equal(await page.locator('#n-phone-erreur').textContent(), 'Un autre client utilise déjà ce numéro de téléphone.');
      assert.equal(await page.locator('#n-email-erreur').count(), 0);
      const phone = freshPhone();
      await createCustomer(page, { name: 'Luc Bélanger', phone, email: `luc.${phone}@example.com`, consent: true });
      await page.waitForURL(/\/clients\/\d+/);
      await page.waitForSelector('h1:has-text("Luc Bélanger")');
      assert.equal(plain(await page.locator('p.notice[role=status]').textContent()), 'Client créé : sa carte de fidélité est prête.');
      assert.match(await page.locator('p.loyalty-card').getAttribute('data-card'), /^\d{13}$/);
      assert.equal(whole(await page.locator('[data-points]').textContent()), 0);
      assert.equal(await page.locator('#e-phone').inputValue(), `${phone.slice(0, 3)} ${phone.slice(3, 6)}-${phone.slice(6)}`);
      assert.ok(await page.locator('#e-marketing_consent').isChecked());
      assertNoErrors(errors);
    });
  });

  it('shows a customer\'s purchase at the till and its points, and a manager adjusts them', async (t) => {
    const { id, card } = await newCustomer(browser, 'caissier2', 'Nadia Côté e2e');
    let saleId;
    await withPage(t, browser, '/caisses/6', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await ensureOpen(page);
      await scan(page, card, null);
      await page.waitForSelector('.till-customer .attached:has-text("Nadia Côté e2e")');
      await scan(page, '2*ALI003', 'ALI003', 2);
      await pay(page, 'carte');
      const r = await receipt(page);
      assert.match(r.text, /Points gagnés : 4\b/);
      saleId = r.id;
    });
    // the cashier sees the purchase and the points, but adjusts nothing
    await withPage(t, browser, `/clients/${id}`, { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      assert.equal(whole(await page.locator('[data-points]').textContent()), 4);
      const sale = page.locator(`table.customer-sales tr[data-sale-id="${saleId}"]`);
      assert.equal(plain(await sale.locator('td').nth(0).textContent()), `n° ${saleId}`);
      assert.equal(whole(await sale.locator('td').nth(5).textContent()), 4, 'the points of that sale');
      const earned = page.locator('table.movements tr', { hasText: `vente n° ${saleId}` });
      assert.equal(await earned.count(), 1, 'the points movement links the sale');
      assert.equal(await page.locator('#ajuster').count(), 0, 'a cashier adjusts nothing');
    });
    // the store's manager adds points with a reason
    await withPage(t, browser, `/clients/${id}`, { user: 'gerant2' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await page.selectOption('#a-what', 'points');
      await page.fill('#a-delta', '100');
      await page.fill('#a-note', 'Geste commercial e2e');
      await page.getByRole('button', { name: 'Ajuster' }).click();
      await page.waitForSelector('p.notice[role=status]');
      assert.equal(plain(await page.locator('p.notice[role=status]').textContent()), 'Points ajustés : nouveau solde 104 points.');
      await page.waitForFunction(() => document.querySelector('[data-points]')?.textContent.replace(/\D/g, '') === '104');
      assert.equal(await page.locator('table.movements tr', { hasText: 'Geste commercial e2e' }).count(), 1);
      assertNoErrors(errors);
    });
  });

  it('lets only head office anonymise: a store manager neither sees it nor can post it', async (t) => {
    const name = `Zoé Lavoie e2e ${Date.now()}`;
    const { id } = await newCustomer(browser, 'caissier1', name);
    await withPage(t, browser, `/clients/${id}`, { user: 'gerant1' }, async ({ page, context, errors }) => {
      await waitForHydration(page);
      await page.waitForSelector(`h1:has-text("${name}")`);
      assert.equal(await page.locator('#anonymiser').count(), 0, 'no anonymise form for a store manager');
      assert.equal(await page.getByRole('button', { name: 'Anonymiser' }).count(), 0);
      // the same post as head office's form, with the manager's own session and token
      const csrf = await page.locator('#customer-form input[name=csrf]').inputValue();
      const answer = await context.request.post(`${BASE_URL}/api/anonymize_customer`, {
        form: { csrf, customer_id: String(id), confirm: 'on' },
        headers: { Accept: 'text/html' },
        maxRedirects: 0,
      });
      const location = answer.headers().location || '';
      assert.ok(answer.status() >= 300 && answer.status() < 400, `a redirect, not ${answer.status()}`);
      assert.match(location, new RegExp(`^/clients/${id}\\?erreur=droits`));
      await page.goto(new URL(location, BASE_URL).href);
      await page.waitForSelector('p.error[role=alert]');
      assert.equal(plain(await page.locator('p.error[role=alert]').textContent()), 'Vous n\'avez pas les droits pour cette opération.');
      assert.equal(plain(await page.locator('h1').textContent()), name, 'nothing was erased');
      assertNoErrors(errors);
    });
    await withPage(t, browser, `/clients/${id}`, { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const zone = page.locator('section#anonymiser');
      await zone.waitFor();
      await zone.locator('#anon-confirm').check();
      await zone.getByRole('button', { name: 'Anonymiser' }).click();
      await page.waitForSelector('h1:has-text("Client anonymisé")');
      assert.match(plain(await page.locator('p.notice[role=status]').textContent()), /^Client anonymisé : ses données personnelles sont effacées/);
      assert.equal(await page.locator('#customer-form').count(), 0, 'no more editing');
      assert.equal(await page.locator('#anonymiser').count(), 0);
      assert.match(plain(await page.locator('.customer-card').textContent()), /anonymisé le/);
      await page.goto(new URL(`/clients?q=${encodeURIComponent(name)}`, BASE_URL).href);
      await page.waitForSelector('p.count');
      assert.equal(plain(await page.locator('p.count').textContent()), 'Aucun client ne correspond.', 'the name is gone');
      await screenshot(page, 'customers-anonymised-search');
      assertNoErrors(errors);
    });
  });

  it('anonymises without JavaScript as head office', async (t) => {
    const name = `Rémi Fortin e2e ${Date.now()}`;
    const { id } = await newCustomer(browser, 'gerant1', name);
    await withPage(t, browser, `/clients/${id}`, { ...NO_JS, user: 'admin' }, async ({ page }) => {
      await page.check('#anon-confirm');
      await page.getByRole('button', { name: 'Anonymiser' }).click();
      await page.waitForSelector('h1:has-text("Client anonymisé")');
      assert.equal(await page.locator('#customer-form').count(), 0);
    });
  });
});
