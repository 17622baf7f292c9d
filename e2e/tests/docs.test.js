// The API's documentation page (/docs, RapiDoc served by the API itself) renders under the
// API's Content-Security-Policy: withPage fails on any violation. deploy/local/e2e.sh starts
// the API beside the web server and sets API_URL; without it the test is skipped.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, withPage, assertNoErrors } = require('../lib/browser');

const API_URL = (process.env.API_URL || '').replace(/\/+$/, '');

describe('API documentation', { skip: API_URL ? false : 'API_URL is not set' }, () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('RapiDoc renders the OpenAPI document under the API policy', async (t) => {
    await withPage(t, browser, `${API_URL}/docs`, {}, async ({ page, errors, response }) => {
      const csp = response.headers()['content-security-policy'];
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      // RapiDoc draws in its shadow DOM once it has fetched /openapi.json
      await page.waitForFunction(
        () => {
          const root = document.querySelector('rapi-doc')?.shadowRoot;
          return root && /\/api\/v1\/products/.test(root.textContent || '');
        },
        null,
        { timeout: 20_000 },
      );
      assertNoErrors(errors, '/docs');
    });
  });
});
