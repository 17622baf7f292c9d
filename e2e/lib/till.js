// Helpers of the till's browser tests (selling like a store, SPEC section 6): opening a
// register, scanning, paying, reading amounts and the receipt. They work the same with
// JavaScript on or off: every step waits for what the next page shows, not for how it came
// (a server action and client navigation once hydrated, a form post and redirect without).
'use strict';

/** Money as the page writes it, read back as a number: "1 234,56 $" -> 1234.56. */
const amount = (text) => Number(String(text).replace(/[^\d,-]/g, '').replace(',', '.'));

/** A whole number as the page writes it ("1 250 points" -> 1250). */
const whole = (text) => Number(String(text).replace(/[^\d-]/g, ''));

/** The page's text with its non-breaking and narrow spaces as plain spaces. */
const plain = (text) => String(text).replace(/[\u00a0\u202f]/g, ' ').replace(/[ \t]+/g, ' ');

/** Cents, for exact comparisons of amounts. */
const cents = (n) => Math.round(n * 100);

/**
 * Waits until the cursor is back in the scan field: the till puts it there 30 ms after each
 * change once hydrated (autofocus without JavaScript). Typing elsewhere before that races with
 * it. Best effort: a page without the field (or a phone ignoring autofocus) goes on.
 */
async function settled(page) {
  await page.waitForFunction(() => document.activeElement?.id === 'code', null, { timeout: 3_000 }).catch(() => {});
}

/** Opens the register's session when it is closed (the demo leaves some registers open). */
async function ensureOpen(page) {
  await page.waitForSelector('#code, #fonds');
  if (await page.locator('#fonds').count()) {
    await page.fill('#fonds', '200,00');
    await Promise.all([page.waitForSelector('#code'), page.click('form button[type=submit]:has-text("Ouvrir la caisse")')]);
  }
  await page.waitForSelector('#code');
  await settled(page);
}

/**
 * Scans `typed` (a code, `3*CODE`, or a loyalty card's digits) as a USB scanner does: the
 * code and Enter. `product` and `quantity`: the line that must then be in the cart.
 */
async function scan(page, typed, product = typed, quantity = 1) {
  await settled(page);
  await page.locator('#code').fill(typed);
  await page.locator('#code').press('Enter');
  if (product) await page.waitForSelector(`li.line[data-quantity="${quantity}"]:has-text("${product}")`);
  await settled(page);
}

/** The cart's line of a product code. */
const line = (page, code) => page.locator('li.line', { hasText: code });

/** An amount shown by the till or the receipt: `[data-total=<key>]`. */
async function total(page, key) {
  return amount(await page.locator(`[data-total=${key}]`).first().textContent());
}

/** Pays the whole cart with the single-payment form: `carte`, or `especes` with `received`. */
async function pay(page, mode = 'carte', received = '') {
  await settled(page);
  await page.check(`form.pay input[name=mode][value=${mode}]`);
  if (mode === 'especes' && received) await page.fill('#recu', received);
  await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('form.pay button[type=submit]')]);
  await page.waitForSelector('article.ticket');
}

/** Adds a tender with the multiple-payments form; waits for it in the list (at `index`). */
async function addTender(page, mode, value, index, code = '') {
  await settled(page);
  await page.selectOption('#tender-mode', mode);
  await page.fill('#tender-amount', value);
  if (code) await page.fill('#tender-code', code);
  await page.click('form.tender-form button[type=submit]');
  await page.waitForSelector(`ul.tender-list li[data-tender="${index}"]`);
  await settled(page);
}

/** « Encaisser » of the multiple payments, once they cover what is due. */
async function payTenders(page) {
  await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.click('form.pay-tenders button[type=submit]')]);
  await page.waitForSelector('article.ticket');
}

/** What a receipt says: its whole text (plain spaces), its sale number and its tenders. */
async function receipt(page) {
  const ticket = page.locator('article.ticket');
  await ticket.waitFor();
  const text = plain(await ticket.innerText());
  const id = Number(await ticket.locator('[data-sale-id]').getAttribute('data-sale-id'));
  const tenders = await ticket.locator('[data-tender]').evaluateAll((rows) =>
    rows.map((r) => [r.querySelector('dt').textContent.trim(), r.querySelector('dd').textContent.trim()]));
  return { text, id, tenders: tenders.map(([label, value]) => [plain(label), amount(value)]) };
}

/** The text of the till's refusal, once it shows. */
async function alertText(page) {
  const alert = page.locator('p.error[role=alert]');
  await alert.waitFor();
  return plain(await alert.textContent());
}

module.exports = {
  amount,
  whole,
  plain,
  cents,
  settled,
  ensureOpen,
  scan,
  line,
  total,
  pay,
  addTender,
  payTenders,
  receipt,
  alertText,
};
