// The till as a cashier works it, in the browser: the dashboard's one-tap way to the till, a
// quantity typed before a code, the F2/F8 shortcuts, the cash received hidden when card is
// chosen (with and without JavaScript: CSS :has() on the checked radio), and the closing
// count's total as the pieces are typed. Uses store 4's register 10 (gerant4), which no other
// file uses, so the files can run side by side on one seeded database.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, waitForHydration, assertNoErrors } = require('../lib/browser');

/** Opens the register's session when it is closed (the demo leaves some registers open). */
async function ensureOpen(page) {
  if (await page.locator('#fonds').count()) {
    await page.fill('#fonds', '200,00');
    await Promise.all([
      page.waitForSelector('#code'),
      page.click('form button[type=submit]:has-text("Ouvrir la caisse")'),
    ]);
  }
  await page.waitForSelector('#code');
}

describe('shift', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('multiplies a scan, hides the cash field for a card and pays with F8', async (t) => {
    await withPage(t, browser, '/caisses/10', { device: 'desktop', user: 'gerant4' }, async ({ page, errors }) => {
      await waitForHydration(page);
      await ensureOpen(page);
      // F2 brings the cursor back to the scan field from anywhere
      await page.locator('#recu').focus();
      await page.keyboard.press('F2');
      await page.waitForFunction(() => document.activeElement?.id === 'code');
      await page.locator('#code').fill('3*ALI001');
      await page.locator('#code').press('Enter');
      await page.waitForSelector('li.line[data-quantity="3"]:has-text("ALI001")');
      // a bad multiplier: said under the field, nothing added
      await page.locator('#code').fill('0*ALI001');
      await page.locator('#code').press('Enter');
      await page.waitForSelector('#code-error');
      assert.equal(await page.locator('li.line').count(), 1);

      assert.ok(await page.locator('#recu').isVisible(), 'cash is the default');
      await page.check('input[name=mode][value=carte]');
      await page.waitForSelector('#recu', { state: 'hidden' });
      await page.check('input[name=mode][value=especes]');
      await page.waitForSelector('#recu', { state: 'visible' });

      await Promise.all([page.waitForURL(/\/ventes\/\d+$/), page.keyboard.press('F8')]);
      const ticket = await page.locator('article.ticket').textContent();
      assert.match(ticket, /Carte/);
      assert.match(ticket, /123456789 RT0001/);
      assert.match(ticket, /T : taxable TPS\/TVQ/);
      assertNoErrors(errors);
    });
  });

  it('hides the cash field for a card without JavaScript too', async (t) => {
    await withPage(
      t,
      browser,
      '/caisses/10',
      { device: 'phone', user: 'gerant4', javaScriptEnabled: false },
      async ({ page }) => {
        await page.waitForSelector('#code');
        assert.ok(await page.locator('#recu').isVisible());
        await page.check('input[name=mode][value=carte]');
        assert.equal(await page.locator('#recu').isVisible(), false, 'CSS :has() hides it');
      },
    );
  });

  it('takes a manager from the dashboard to the till and counts the drawer by denomination', async (t) => {
    await withPage(t, browser, '/', { device: 'phone', user: 'gerant4' }, async ({ page, errors }) => {
      await waitForHydration(page);
      // « Reprendre ma caisse » when a session of theirs is open, else the registers to open
      await Promise.all([page.waitForURL(/\/caisses\/\d+$/), page.click('nav.my-till a >> nth=0')]);
      await page.goto(new URL('/caisses/10/fermeture', page.url()).href);
      await waitForHydration(page);
      await page.fill('#n20', '2');
      await page.fill('#n025', '4');
      await page.waitForSelector('[data-count-total]:has-text("41,00")');
      assertNoErrors(errors);
    });
  });
});
