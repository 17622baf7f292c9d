// Helpers of the browser tests that need customers of their own (SPEC section 6): a phone no
// other test takes, the new-customer form, and a customer created through it.
'use strict';

const { withPage } = require('./browser');

const NO_JS = { javaScriptEnabled: false };

/** A phone number no demo customer has and no other test of this run takes. */
let phones = 0;
function freshPhone() {
  phones += 1;
  const n = 5000 + ((Date.now() + process.pid * 31 + phones * 7919) % 4000);
  return `438555${n}`;
}

/** Fills the new-customer form and submits it. */
async function createCustomer(page, { name = '', phone = '', email = '', consent = false }) {
  await page.fill('#n-name', name);
  await page.fill('#n-phone', phone);
  await page.fill('#n-email', email);
  if (consent) await page.check('#n-marketing_consent');
  await page.getByRole('button', { name: 'Créer le client' }).click();
}

/** Creates a customer (no JavaScript needed) and returns { id, card }. */
async function newCustomer(browser, user, name) {
  return withPage(null, browser, '/clients', { ...NO_JS, user }, async ({ page }) => {
    await createCustomer(page, { name, phone: freshPhone() });
    await page.waitForURL(/\/clients\/\d+\?/);
    const id = Number(page.url().match(/\/clients\/(\d+)/)[1]);
    const card = await page.locator('p.loyalty-card').getAttribute('data-card');
    return { id, card };
  });
}

module.exports = { freshPhone, createCustomer, newCustomer };
