// Checks of the harness itself, so a broken helper cannot make UI tests pass silently.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, assertNoHorizontalScroll, waitForHydration } = require('../lib/browser');

describe('harness', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('the horizontal-scroll check catches an element wider than the phone screen', async (t) => {
    await withPage(t, browser, '/connexion', { device: 'phone' }, async ({ page }) => {
      await page.evaluate(() => {
        const wide = document.createElement('div');
        wide.className = 'too-wide';
        wide.style.width = '600px';
        wide.style.height = '10px';
        document.body.append(wide);
      });
      await assert.rejects(assertNoHorizontalScroll(page), /horizontal scroll.*too-wide/);
    });
  });

  it('collects console errors and uncaught page errors', async (t) => {
    await withPage(t, browser, '/connexion', {}, async ({ page, errors }) => {
      await page.evaluate(() => {
        console.error('boom from the test');
        setTimeout(() => {
          throw new Error('uncaught from the test');
        }, 0);
      });
      await page.waitForTimeout(200);
      assert.ok(errors.some((e) => e.includes('boom from the test')), errors.join('\n'));
      assert.ok(errors.some((e) => e.includes('uncaught from the test')), errors.join('\n'));
    });
  });

  it('fails a test whose page the Content-Security-Policy blocked something on', async (t) => {
    const csp = await withPage(t, browser, '/connexion', {}, async ({ response }) => response.headers()['content-security-policy']);
    assert.match(csp, /script-src 'self' 'nonce-[\w-]+' 'wasm-unsafe-eval'/);
    await assert.rejects(
      withPage(t, browser, '/connexion', {}, async ({ page }) => {
        await waitForHydration(page);
        // an inline script without the page's nonce, as an injection would be
        await page.evaluate(() => {
          const s = document.createElement('script');
          s.textContent = 'window.injected = true';
          document.body.append(s);
        });
        assert.equal(await page.evaluate(() => window.injected), undefined, 'the script did not run');
      }),
      /Content-Security-Policy blocked/,
    );
  });
});
