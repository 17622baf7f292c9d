// Selling like a store at the till (SPEC section 6), as a cashier works it, each flow with
// JavaScript and without it (every form posts and redirects), some on a phone: a customer
// found by name or phone or by their loyalty card, with the points the sale earns on the
// receipt; the demo promotions on the lines and the receipt; a line discount within the
// cashier's 10 % and a cart discount above it refused, refused to another store's manager,
// then approved by the store's manager; two tenders with change in cash; a gift card sold
// then paying part of another sale, with its balance; a cart parked, another sale meanwhile,
// and the cart resumed.
//
// Registers: store 1's 1 to 3 (caissier1, gerant1) and store 2's 4 and 5 (caissier2, gerant2),
// which no other file sells on. The cart lives in the till's address, so the tests of this
// file only share the registers' sessions (opened once, never closed here) and not their
// carts; each demo customer is used by one test only (their points are asserted).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');
const {
  amount, whole, plain, cents, settled, ensureOpen, scan, line, total, pay, addTender, payTenders, receipt, alertText,
} = require('../lib/till');

const NO_JS = { javaScriptEnabled: false };

/** Opens a till: signed in as `user`, hydrated when JavaScript runs, the session open. */
async function openTill(page, js) {
  if (js) await waitForHydration(page);
  await ensureOpen(page);
  assert.equal(await page.locator('li.line').count(), 0, 'an empty cart to start with');
}

/**
 * Searches the customer panel (phone, name or email) and attaches the hit named `name`. The
 * search is a plain GET form: a new page, hydrated again when JavaScript runs (`js`).
 */
async function attachCustomer(page, query, name, js) {
  await settled(page);
  await page.fill('#client_q', query);
  await page.click('form.client-search button[type=submit]');
  const hit = page.locator('ul.client-hits li', { hasText: name });
  await hit.waitFor();
  if (js) await waitForHydration(page);
  const points = whole((await hit.locator('.code').textContent()).split('·')[1]);
  await hit.getByRole('button', { name: 'Associer' }).click();
  await page.waitForSelector(`.till-customer .attached:has-text("${name}")`);
  await settled(page);
  return points;
}

/** The points balance the till shows for the attached customer. */
async function attachedPoints(page) {
  const text = plain(await page.locator('.till-customer .attached').textContent());
  return whole(text.match(/([\d ]+) points/)[1]);
}

/** Types a discount (value and unit) in a discount form and waits for `shown` in the page. */
async function discount(page, form, value, unit, shown) {
  await settled(page);
  await form.locator('input[name=valeur]').fill(value);
  await form.locator('select[name=unite]').selectOption(unit);
  await form.getByRole('button', { name: 'Remise' }).click();
  await page.waitForSelector(shown);
  await settled(page);
}

/** A loyalty card's 13 digits, read on the customers' page (as printed under the barcode). */
async function cardOf(browser, name, user) {
  return withPage(null, browser, `/clients?q=${encodeURIComponent(name)}`, { ...NO_JS, user }, async ({ page }) => {
    const card = await page.locator('table.customers tbody tr', { hasText: name }).locator('td.code').textContent();
    return card.replace(/\D/g, '');
  });
}

describe('selling like a store', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  // --- 1. the customer and their points ---

  it('attaches a customer found by name, and the receipt prints the points earned and the balance', async (t) => {
    await withPage(t, browser, '/caisses/1', { user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      const before = await attachCustomer(page, 'Tremblay', 'Marie Tremblay', true);
      assert.equal(before, 1250, 'the demo balance of Marie Tremblay');
      assert.equal(await attachedPoints(page), 1250);
      // 2 x Oeufs 2,30 $: 4,60 $ before tax, 4 points (one a whole dollar)
      await scan(page, '2*ALI003', 'ALI003', 2);
      assert.equal(await total(page, 'subtotal'), 4.6);
      assert.equal(await total(page, 'points'), 4, 'the till announces the points');
      assert.ok(await page.locator('.till-customer .attached:has-text("Marie Tremblay")').isVisible(), 'kept with the cart');
      await pay(page, 'carte');
      const r = await receipt(page);
      assert.match(r.text, /Client : Marie Tremblay — carte \d{13}/);
      assert.match(r.text, /Points gagnés : 4\b/);
      assert.match(r.text, /Solde : 1 254 points · crédit 0,00 \$/);
      await screenshot(page, 'selling-receipt-points');
      assertNoErrors(errors);
    });
  });

  it('attaches a customer found by phone without JavaScript, and the receipt prints the points', async (t) => {
    await withPage(t, browser, '/caisses/4', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await openTill(page, false);
      await scan(page, 'ALI003');
      // the customer comes after the first product: the cart is kept
      const before = await attachCustomer(page, '4385550102', 'Jean Gagnon', false);
      assert.equal(before, 340);
      assert.equal(await page.locator('li.line[data-quantity="1"]:has-text("ALI003")').count(), 1);
      await scan(page, '3*ALI003', 'ALI003', 4);
      // 4 x 2,30 $ = 9,20 $: 9 points
      assert.equal(await total(page, 'points'), 9);
      await pay(page, 'especes', '20');
      const r = await receipt(page);
      assert.match(r.text, /Client : Jean Gagnon — carte \d{13}/);
      assert.match(r.text, /Points gagnés : 9\b/);
      assert.match(r.text, /Solde : 349 points/);
      assert.equal(await total(page, 'change'), 10.8);
    });
  });

  it('attaches a customer by scanning their loyalty card in the product field, on a phone', async (t) => {
    const card = await cardOf(browser, 'Sophie Roy', 'caissier2');
    assert.match(card, /^\d{13}$/, `a 13-digit card: ${card}`);
    await withPage(t, browser, '/caisses/5', { device: 'phone', user: 'caissier2' }, async ({ page, errors }) => {
      await openTill(page, true);
      await scan(page, 'ALI005');
      // the card's digits in the scan field attach the customer, and add no line
      await scan(page, card, null);
      await page.waitForSelector('.till-customer .attached:has-text("Sophie Roy")');
      assert.equal(await page.locator('li.line').count(), 1);
      assert.equal(await attachedPoints(page), 0);
      await scan(page, '2*ALI003', 'ALI003', 2);
      // 0,95 $ + 4,60 $ = 5,55 $: 5 whole dollars, 5 points
      assert.equal(await total(page, 'subtotal'), 5.55);
      assert.equal(await total(page, 'points'), 5);
      await assertNoHorizontalScroll(page);
      await pay(page, 'carte');
      const r = await receipt(page);
      assert.match(r.text, new RegExp(`Client : Sophie Roy — carte ${card}`));
      assert.match(r.text, /Points gagnés : 5\b/);
      assert.match(r.text, /Solde : 5 points/);
      await assertNoHorizontalScroll(page);
      assertNoErrors(errors);
    });
  });

  // --- 2. promotions ---

  /** Shampoo (-20 %) and three soaps (3 for 2): the lines, the savings, the receipt. */
  async function promotionsSale(page) {
    await scan(page, 'HYG001');
    const shampoo = line(page, 'HYG001');
    assert.equal(plain(await shampoo.locator('.promotion').textContent()), 'Shampooing -20 % : −0,70 $');
    assert.equal(amount(await shampoo.locator('s.original').textContent()), 3.5, 'the original price struck through');
    assert.match(plain(await shampoo.locator('.line-total').textContent()), /2,80 \$$/);
    await scan(page, '3*HYG002', 'HYG002', 3);
    const soap = line(page, 'HYG002');
    assert.equal(plain(await soap.locator('.promotion').textContent()), 'Savon 3 pour 2 : −1,20 $');
    assert.equal(amount(await soap.locator('s.original').textContent()), 3.6);
    assert.match(plain(await soap.locator('.line-total').textContent()), /2,40 \$$/);
    const savings = plain(await page.locator('dl.savings').innerText());
    assert.match(savings, /Promotions\s+−1,90 \$/);
    assert.match(savings, /Vous économisez\s+1,90 \$/);
    assert.equal(await total(page, 'subtotal'), 5.2);
    await pay(page, 'carte');
    const r = await receipt(page);
    assert.match(r.text, /Shampooing -20 % : −0,70 \$/);
    assert.match(r.text, /Savon 3 pour 2 : −1,20 \$/);
    const originals = await page.locator('article.ticket s[data-original]').allTextContents();
    assert.deepEqual(originals.map(amount), [3.5, 3.6]);
    assert.match(r.text, /Vous avez économisé 1,90 \$/);
    assert.equal(await total(page, 'total') >= 5.2, true);
    return r;
  }

  it('shows the promotions on the lines with the original price and the saving, and on the receipt', async (t) => {
    await withPage(t, browser, '/caisses/2', { user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      await promotionsSale(page);
      await screenshot(page, 'selling-receipt-promotions');
      assertNoErrors(errors);
    });
  });

  it('shows the promotions without JavaScript too', async (t) => {
    await withPage(t, browser, '/caisses/4', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await openTill(page, false);
      await promotionsSale(page);
    });
  });

  // --- 3. manual discounts and the manager's approval ---

  it('lets a cashier give a 10 % line discount alone', async (t) => {
    await withPage(t, browser, '/caisses/3', { user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      await scan(page, '2*ALI003', 'ALI003', 2);
      const eggs = line(page, 'ALI003');
      await discount(page, eggs.locator('form.discount'), '10', '%', 'li.line .line-discount');
      // 10 % of 4,60 $
      assert.equal(plain(await line(page, 'ALI003').locator('.line-discount').textContent()), 'Remise 10 % : −0,46 $');
      assert.match(plain(await line(page, 'ALI003').locator('.line-total').textContent()), /^4,14 \$$/);
      assert.match(plain(await page.locator('dl.savings').innerText()), /Remises\s+−0,46 \$/);
      assert.equal(await page.locator('fieldset.approval').count(), 0, 'no approval within the limit');
      await pay(page, 'carte');
      const r = await receipt(page);
      assert.match(r.text, /Remise : −0,46 \$/);
      assert.match(r.text, /Vous avez économisé 0,46 \$/);
      assert.equal(await total(page, 'total'), 4.14);
      assertNoErrors(errors);
    });
  });

  /**
   * A 20 % cart discount by a cashier: the approval fields show; paying without them is
   * refused, another store's manager is refused, the store's manager approves.
   */
  async function approvedDiscount(page, ownManager, otherManager) {
    await scan(page, '2*ALI003', 'ALI003', 2);
    await discount(page, page.locator('form.cart-discount'), '20', '%', 'form.cart-discount:has-text("(20 %)")');
    assert.ok(await page.locator('form.pay fieldset.approval').isVisible(), 'the manager is asked for ahead');
    assert.equal(await total(page, 'subtotal'), 3.68, '4,60 $ less 20 %');
    await settled(page);
    await page.check('form.pay input[name=mode][value=carte]');
    await page.click('form.pay button[type=submit]');
    assert.match(await alertText(page),
      /^Une remise de plus de 10 % demande l'accord d'un gérant du magasin\. Un gérant du magasin saisit son identifiant et son mot de passe ci-dessous, puis encaissez\.$/);
    assert.match(page.url(), /\/caisses\/\d+\?/, 'nothing sold, the till is still there');
    assert.equal(await page.locator('li.line[data-quantity="2"]:has-text("ALI003")').count(), 1, 'the cart is kept');
    // another store's manager approves nothing
    await settled(page);
    await page.check('form.pay input[name=mode][value=carte]');
    await page.fill('#gerant-pay', otherManager);
    await page.fill('#mdp-pay', 'demo');
    await page.click('form.pay button[type=submit]');
    await page.waitForSelector('p.error[role=alert]:has-text("Approbation refusée")');
    assert.equal(await alertText(page), 'Approbation refusée : ce gérant n\'est pas gérant de ce magasin.');
    assert.doesNotMatch(page.url(), /mot_de_passe|demo/, 'the password never goes in the address');
    // the store's manager approves: sold
    await settled(page);
    await page.check('form.pay input[name=mode][value=carte]');
    await page.fill('#gerant-pay', ownManager);
    await page.fill('#mdp-pay', 'demo');
    await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('form.pay button[type=submit]')]);
    const r = await receipt(page);
    assert.match(r.text, /Remise sur le panier : −0,92 \$/);
    assert.match(r.text, /Vous avez économisé 0,92 \$/);
    assert.equal(await total(page, 'total'), 3.68);
    return r;
  }

  it('refuses a cashier\'s 20 % cart discount without approval, then the store\'s manager approves it', async (t) => {
    await withPage(t, browser, '/caisses/3', { user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      await approvedDiscount(page, 'gerant1', 'gerant2');
      await screenshot(page, 'selling-receipt-approved-discount');
      assertNoErrors(errors);
    });
  });

  it('asks and takes the manager\'s approval without JavaScript too', async (t) => {
    await withPage(t, browser, '/caisses/5', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await openTill(page, false);
      await approvedDiscount(page, 'gerant2', 'gerant3');
    });
  });

  // --- 4. several tenders ---

  /** Three sodas paid 5,00 $ by card and the rest with a 20 $ bill: both on the receipt. */
  async function twoTenders(page) {
    await scan(page, '3*BOI003', 'BOI003', 3);
    const due = await total(page, 'total');
    assert.ok(due > 5.4, `taxes on top of 5,40 $: ${due}`);
    await addTender(page, 'carte', '5,00', 0);
    const rest = Math.round((due - 5) * 100) / 100;
    const remaining = plain(await page.locator('[data-total=remaining]').textContent());
    assert.equal(remaining, `Reste à payer : ${rest.toFixed(2).replace('.', ',')} $ (sur ${due.toFixed(2).replace('.', ',')} $)`);
    assert.equal(await page.locator('form.pay-tenders').count(), 0, 'no « Encaisser » before the tenders cover');
    await addTender(page, 'especes', '20', 1);
    const change = 20 - rest;
    assert.equal(cents(amount(await page.locator('[data-total=remaining]').textContent())), cents(change));
    assert.match(plain(await page.locator('[data-total=remaining]').textContent()), /^Monnaie à rendre : /);
    assert.deepEqual(
      (await page.locator('ul.tender-list li').allInnerTexts()).map((t) => plain(t).replace(/\s*Retirer$/, '')),
      ['Carte 5,00 $', 'Espèces 20,00 $'],
    );
    await payTenders(page);
    const r = await receipt(page);
    assert.deepEqual(r.tenders.map(([label, value]) => [label, cents(value)]), [['Carte', 500], ['Espèces', cents(rest)]],
      'each tender with what it paid (cash: the rest, not the bill)');
    assert.equal(cents(await total(page, 'total')), cents(due));
    assert.equal(cents(await total(page, 'change')), cents(change), 'the change given from the cash');
    return r;
  }

  it('pays part by card and the rest in cash with change, both on the receipt, on a phone', async (t) => {
    await withPage(t, browser, '/caisses/2', { device: 'phone', user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      await twoTenders(page);
      await assertNoHorizontalScroll(page);
      await screenshot(page, 'selling-receipt-tenders-phone');
      assertNoErrors(errors);
    });
  });

  it('pays with two tenders without JavaScript', async (t) => {
    await withPage(t, browser, '/caisses/4', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await openTill(page, false);
      await twoTenders(page);
    });
  });

  // --- 5. gift cards ---

  /** Sells a gift card of `value` alone, paid by card; returns its code from the receipt. */
  async function sellGiftCard(page, value) {
    await settled(page);
    await page.fill('#carte-cadeau', value);
    await page.click('form.gift-card-form button[type=submit]');
    await page.waitForSelector('li.gift-card-line');
    assert.equal(cents(await total(page, 'due')), cents(amount(value)), 'what is due: the card, not taxed');
    assert.equal(await total(page, 'total'), 0, 'no goods');
    await pay(page, 'carte');
    const r = await receipt(page);
    const code = await page.locator('article.ticket [data-gift-card]').getAttribute('data-gift-card');
    assert.match(code, /^\d{16}$/);
    assert.match(r.text, new RegExp(`Carte-cadeau ${code} : ${value} \\$ \\(non taxable\\)`));
    return code;
  }

  /** The gift card's page: its balance and the sales of its movements. */
  async function giftCardPage(page, code) {
    await page.goto(new URL(`/cartes-cadeaux?code=${code}`, page.url()).href);
    const card = page.locator(`section.gift-card[data-code="${code}"]`);
    await card.waitFor();
    return {
      balance: amount(await card.locator('.balance').textContent()),
      sales: (await card.locator('table.gift-movements a').allTextContents()).map((t) => plain(t)),
    };
  }

  it('sells a gift card, then it pays part of another sale and its balance goes down', async (t) => {
    await withPage(t, browser, '/caisses/1', { user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      const code = await sellGiftCard(page, '25,00');
      const sold = (await receipt(page)).id;
      await Promise.all([page.waitForURL(/\/caisses\/1/), page.getByRole('link', { name: 'Nouvelle vente' }).click()]);
      await page.waitForSelector('#code');
      await settled(page);
      await scan(page, '2*ALI003', 'ALI003', 2);
      await scan(page, 'ALI001');
      assert.equal(await total(page, 'total'), 5.8);
      await addTender(page, 'carte_cadeau', '5,00', 0, code);
      assert.equal(plain(await page.locator('ul.tender-list li[data-tender="0"] span').first().textContent()), `Carte-cadeau ${code}`);
      assert.match(plain(await page.locator('[data-total=remaining]').textContent()), /^Reste à payer : 0,80 \$/);
      // the amount field offers what remains
      assert.equal(await page.locator('#tender-amount').inputValue(), '0,80');
      await addTender(page, 'especes', '0,80', 1);
      await payTenders(page);
      const r = await receipt(page);
      assert.deepEqual(r.tenders, [[`Carte-cadeau ${code}`, 5], ['Espèces', 0.8]]);
      const card = await giftCardPage(page, code);
      assert.equal(card.balance, 20, '25,00 $ less 5,00 $');
      assert.deepEqual(card.sales.sort(), [`Vente n° ${r.id}`, `Vente n° ${sold}`].sort());
      await screenshot(page, 'selling-gift-card-balance');
      assertNoErrors(errors);
    });
  });

  it('refuses a gift card beyond its balance naming it, then takes what is left, without JavaScript', async (t) => {
    await withPage(t, browser, '/caisses/5', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await openTill(page, false);
      const code = await sellGiftCard(page, '3,00');
      await page.goto(new URL('/caisses/5', page.url()).href);
      await page.waitForSelector('#code');
      await scan(page, '2*ALI003', 'ALI003', 2);
      // 4,60 $ on a 3,00 $ card: refused at the sale, naming the balance; the cart is kept
      await addTender(page, 'carte_cadeau', '4,60', 0, code);
      await page.click('form.pay-tenders button[type=submit]');
      assert.match(await alertText(page), /Solde de la carte-cadeau insuffisant : 3,00 \$ disponibles\./);
      assert.equal(await page.locator('ul.tender-list li').count(), 1, 'the tenders are kept');
      // « Retirer » the tender, then the card's 3,00 $ and the rest by card
      await page.locator('ul.tender-list li[data-tender="0"]').getByRole('button', { name: 'Retirer' }).click();
      await page.waitForSelector('ul.tender-list li', { state: 'detached' });
      await addTender(page, 'carte_cadeau', '3,00', 0, code);
      await addTender(page, 'carte', '1,60', 1);
      await payTenders(page);
      const r = await receipt(page);
      assert.deepEqual(r.tenders, [[`Carte-cadeau ${code}`, 3], ['Carte', 1.6]]);
      assert.equal((await giftCardPage(page, code)).balance, 0);
    });
  });

  // --- 6. parked carts ---

  /** Parks a cart, sells another one meanwhile, then resumes the parked one and sells it. */
  async function parkAndResume(page, name) {
    await scan(page, 'ALI005');
    await scan(page, '2*BOI001', 'BOI001', 2);
    await settled(page);
    await page.fill('#nom-attente', name);
    await page.click('form.park-form button[type=submit]');
    const parked = page.locator('ul.parked-list li', { hasText: name });
    await parked.waitFor();
    assert.equal(await page.locator('li.line').count(), 0, 'the till is free for the next customer');
    assert.match(plain(await parked.textContent()), /· .+ à \d+ h \d\d/, 'who parked it and when');
    // another customer meanwhile
    await settled(page);
    await scan(page, 'ALI001');
    await pay(page, 'carte');
    await page.getByRole('link', { name: 'Nouvelle vente' }).click();
    await page.waitForSelector('ul.parked-list');
    await settled(page);
    // the parked cart comes back whole
    await page.locator('ul.parked-list li', { hasText: name }).getByRole('button', { name: 'Reprendre' }).click();
    await page.waitForSelector('li.line[data-quantity="2"]:has-text("BOI001")');
    assert.deepEqual(
      await page.locator('li.line').evaluateAll((items) => items.map((li) => [li.querySelector('.code').textContent.trim(), Number(li.dataset.quantity)])),
      [['ALI005', 1], ['BOI001', 2]],
    );
    assert.equal(await page.locator('ul.parked-list li', { hasText: name }).count(), 0, 'resumed once: no longer parked');
    await pay(page, 'especes');
    const r = await receipt(page);
    assert.match(r.text, /ALI005/);
    assert.match(r.text, /BOI001/);
    return r;
  }

  it('parks a cart, sells to someone else meanwhile, then resumes it', async (t) => {
    await withPage(t, browser, '/caisses/2', { user: 'caissier1' }, async ({ page, errors }) => {
      await openTill(page, true);
      await parkAndResume(page, 'Mme Tremblay e2e');
      assertNoErrors(errors);
    });
  });

  it('parks and resumes a cart without JavaScript', async (t) => {
    await withPage(t, browser, '/caisses/4', { ...NO_JS, user: 'caissier2' }, async ({ page }) => {
      await openTill(page, false);
      await parkAndResume(page, 'M. Gagnon e2e');
    });
  });
});
