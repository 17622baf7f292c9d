// Promotions (SPEC section 6), head office's pages: the demo's current promotions listed with
// their rule; a new promotion created through the form and applied at the till the same day;
// a promotion ending before it starts refused with the problem under the end date and what was
// typed kept, with and without JavaScript; store staff refused. The promotion created here is
// limited to store 5 (Express) and to a product no other file sells (MEN002), so it changes
// no other test's prices; it is tried at store 5's register 14, which no other file uses.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors, screenshot, assertNoHorizontalScroll } =
  require('../lib/browser');
const { amount, plain, ensureOpen, scan, line } = require('../lib/till');

const NO_JS = { javaScriptEnabled: false };

/** A day relative to today (UTC), as a date field takes it: `2026-03-01`. */
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The rows of a group of the list (`en-cours`, `a-venir`, `terminees`, `inactives`). */
async function group(page, key) {
  return page.locator(`section[data-group="${key}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => {
    const cell = (label) => tr.querySelector(`td[data-label="${label}"]`).textContent.replace(/[\u00a0\u202f]/g, ' ').trim();
    return { id: Number(tr.dataset.promotionId), name: cell('Nom'), rule: cell('Règle'), on: cell('Sur'), stores: cell('Magasins'), fresh: tr.classList.contains('fresh') };
  }));
}

/** Fills the promotion form; `stores` are store ids to tick (none: every store). */
async function fillPromotion(page, { name, kind, value = '', products = '', stores = [], starts, ends }) {
  await page.fill('#pr-nom', name);
  await page.selectOption('#pr-type', kind);
  await page.fill('#pr-valeur', value);
  await page.fill('#pr-produits', products);
  for (const id of stores) await page.check(`#pr-mag-${id}`);
  await page.fill('#pr-debut', starts);
  await page.fill('#pr-fin', ends);
  await page.check('#pr-actif');
}

describe('promotions', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists the current promotions with their rule for head office', async (t) => {
    await withPage(t, browser, '/promotions', { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      const current = await group(page, 'en-cours');
      const shampoo = current.find((p) => p.name === 'Shampooing -20 %');
      const soap = current.find((p) => p.name === 'Savon 3 pour 2');
      assert.ok(shampoo && soap, `the demo promotions are current: ${JSON.stringify(current)}`);
      assert.equal(shampoo.rule, '20 % de rabais');
      assert.equal(soap.rule, '3 pour 2');
      assert.equal(shampoo.stores, 'Tous les magasins');
      assertNoErrors(errors);
    });
  });

  it('refuses the promotions pages to store staff', async (t) => {
    for (const user of ['gerant1', 'caissier1']) {
      for (const path of ['/promotions', '/promotions/nouveau']) {
        await withPage(t, browser, path, { ...NO_JS, user, status: 403 }, async ({ page }) => {
          assert.equal(await page.locator('#promotion-form').count(), 0, `${user} on ${path}`);
          assert.doesNotMatch(await page.locator('body').innerText(), /Shampooing -20 %/);
        });
      }
    }
  });

  it('creates a promotion that the till applies the same day', async (t) => {
    const name = `Nettoyant -1 $ e2e ${Date.now().toString(36)}`;
    await withPage(t, browser, '/promotions', { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await Promise.all([page.waitForURL(/\/promotions\/nouveau$/), page.getByRole('link', { name: 'Nouvelle promotion' }).click()]);
      await page.waitForSelector('#promotion-form');
      await fillPromotion(page, {
        name, kind: 'montant', value: '1,00', products: 'MEN002', stores: [5], starts: day(-1), ends: day(7),
      });
      await Promise.all([page.waitForURL(/\/promotions\?/), page.getByRole('button', { name: 'Créer la promotion' }).click()]);
      await page.waitForSelector('p.notice[role=status]');
      assert.equal(plain(await page.locator('p.notice[role=status]').textContent()), 'Promotion enregistrée.');
      await page.waitForFunction((n) => [...document.querySelectorAll('section[data-group="en-cours"] td[data-label="Nom"]')]
        .some((td) => td.textContent.trim() === n), name);
      const created = (await group(page, 'en-cours')).find((p) => p.name === name);
      assert.equal(created.rule, '1,00 $ de rabais par unité');
      assert.equal(created.stores, 'Express');
      assert.ok(created.fresh, 'the promotion just saved is highlighted');
      await screenshot(page, 'promotions-created');
      assertNoErrors(errors);
    });
    // store 5's till: the cleaner at 3,20 $ less 1,00 $, named
    await withPage(t, browser, '/caisses/14', { user: 'caissier5' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      await scan(page, 'MEN002');
      const cleaner = line(page, 'MEN002');
      assert.equal(plain(await cleaner.locator('.promotion').textContent()), `${name} : −1,00 $`);
      assert.equal(amount(await cleaner.locator('s.original').textContent()), 3.2);
      assert.match(plain(await cleaner.locator('.line-total').textContent()), /2,20 \$$/);
      assertNoErrors(errors);
    });
  });

  /** A promotion ending before it starts: refused, the problem under « Dernier jour ». */
  async function endBeforeStart(page) {
    const name = 'Dentifrice -15 % à l\'envers';
    await fillPromotion(page, {
      name, kind: 'pourcentage', value: '15', products: 'HYG003', starts: '2030-06-10', ends: '2030-06-01',
    });
    await page.getByRole('button', { name: 'Créer la promotion' }).click();
    await page.waitForSelector('#pr-fin-erreur');
    assert.equal(plain(await page.locator('p.error[role=alert]').textContent()),
      'La promotion n\'est pas enregistrée : corrigez les champs signalés.');
    assert.equal(await page.locator('#pr-fin-erreur').textContent(), 'La date de fin précède la date de début.');
    assert.equal(await page.locator('#pr-fin').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#pr-fin').getAttribute('aria-describedby'), 'pr-fin-erreur');
    assert.equal(await page.locator('#pr-debut-erreur').count(), 0, 'only the end date is at fault');
    // what was typed is kept, to be fixed
    assert.equal(await page.locator('#pr-nom').inputValue(), name);
    assert.equal(await page.locator('#pr-valeur').inputValue(), '15');
    assert.equal(await page.locator('#pr-produits').inputValue(), 'HYG003');
    assert.equal(await page.locator('#pr-debut').inputValue(), '2030-06-10');
    assert.equal(await page.locator('#pr-fin').inputValue(), '2030-06-01');
    assert.equal(await page.locator('#pr-type').inputValue(), 'pourcentage');
    // nothing saved
    await page.goto(new URL('/promotions', page.url()).href);
    await page.waitForSelector('section[data-group="en-cours"]');
    assert.doesNotMatch(await page.locator('main, body').first().innerText(), /à l'envers/);
  }

  it('refuses a promotion whose end is before its start, under the end date', async (t) => {
    await withPage(t, browser, '/promotions/nouveau', { user: 'admin' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await endBeforeStart(page);
      assertNoErrors(errors);
    });
  });

  it('refuses it the same way without JavaScript, on a phone', async (t) => {
    await withPage(t, browser, '/promotions/nouveau', { ...NO_JS, device: 'phone', user: 'admin' }, async ({ page }) => {
      await assertNoHorizontalScroll(page);
      await endBeforeStart(page);
    });
  });
});
