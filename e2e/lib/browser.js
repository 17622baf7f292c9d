// Helpers of the end-to-end tests: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), pages with a given viewport and JavaScript on or off, hydration, screenshots
// and layout checks. The server under test is at BASE_URL (deploy/local/e2e.sh sets it).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RESULTS_DIR = path.join(__dirname, '..', 'test-results');
const SCREENSHOTS_DIR = path.join(RESULTS_DIR, 'screenshots');

// Without the background-networking flags Chromium's own connections (updates, sync, QUIC
// probes) get refused on machines without internet and the browser misbehaves.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Console and page errors of the pages opened by openPage.
const pageErrors = new WeakMap();

// What Chromium prints when the Content-Security-Policy blocks something ("Refused to execute
// inline script because it violates the following Content Security Policy directive: ...").
const CSP_CONSOLE = /Content Security Policy|Refused to (load|execute|apply|connect|frame|evaluate|compile|create|run)/i;

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  // A common phone (iPhone 12-15 size): mobile emulation honours <meta name="viewport">.
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

/** Launches headless Chromium. Close it with `await browser.close()`. */
async function launchBrowser(options = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    ...options,
  });
}

// Every demo account has this password (demo/src/lib.rs, DEMO_PASSWORD).
const DEMO_PASSWORD = 'demo';

/**
 * Signs `context` in as `login` the way a browser without JavaScript does (a form post to the
 * login server function), so the session cookie lands in the context's cookie jar. Fast and
 * independent of the sign-in page; test that page through its form instead.
 */
async function signIn(context, login, password = DEMO_PASSWORD) {
  const response = await context.request.post(`${BASE_URL}/api/login`, {
    form: { login, password },
    headers: { Accept: 'text/html' },
    maxRedirects: 0,
  });
  const cookies = await context.cookies(BASE_URL);
  if (!cookies.some((c) => c.name === 'mm_session')) {
    throw new Error(`sign-in as ${login} failed: ${response.status()} ${response.headers().location || ''}, no mm_session cookie`);
  }
}

/**
 * Opens `urlPath` (relative to BASE_URL) in a fresh context (own cookies and storage).
 * options: `device` ('desktop' | 'phone', default desktop) or `viewport` ({width, height}),
 * `javaScriptEnabled` (default true), `user` (a demo login to sign in as first, e.g. 'admin',
 * 'gerant1'), `waitUntil` (default 'load'), `status` (the HTTP status the page must answer;
 * by default any success), any other option of browser.newContext.
 * Returns { context, page, errors, url }: `errors` collects console errors and uncaught page
 * errors as strings, from before the navigation on. Close with `await context.close()`.
 */
async function openPage(browser, urlPath = '/', options = {}) {
  const { device = 'desktop', waitUntil = 'load', user, status, ...contextOptions } = options;
  const preset = VIEWPORTS[device];
  if (!preset) throw new Error(`unknown device ${device} (known: ${Object.keys(VIEWPORTS).join(', ')})`);
  const context = await browser.newContext({ locale: 'fr-CA', ...preset, ...contextOptions });
  if (user) await signIn(context, user);
  // CSP violations, from the console and from the page's own `securitypolicyviolation` events
  // (the init script runs before the page's scripts and is not subject to its policy)
  const cspViolations = [];
  await context.exposeBinding('__mmCspViolation', (_source, text) => {
    if (!cspViolations.includes(text)) cspViolations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__mmCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || e.documentURI}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  const errors = [];
  pageErrors.set(page, errors);
  page.on('console', (msg) => {
    if (CSP_CONSOLE.test(msg.text())) cspViolations.push(`console: ${msg.text()}`);
    if (msg.type() === 'error') {
      const loc = msg.location();
      errors.push(`console.error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err.message || err}`));
  page.on('crash', () => errors.push('page crashed'));
  const url = new URL(urlPath, BASE_URL + '/').href;
  const response = await page.goto(url, { waitUntil });
  if (!response) throw new Error(`no response for ${url}`);
  if (status === undefined ? !response.ok() : response.status() !== status) {
    throw new Error(`${url} answered ${response.status()}${status ? `, not ${status}` : ''}`);
  }
  return { context, page, errors, cspViolations, url, response };
}

/**
 * Throws when the Content-Security-Policy blocked anything on the page (`cspViolations` from
 * openPage): the policy must let the hydrated app work untouched. withPage calls it after
 * every test body, so every browser test checks the policy.
 */
function assertNoCspViolations(cspViolations, what = 'the page') {
  if (!cspViolations || cspViolations.length === 0) return;
  const brief = cspViolations.map((v) => v.split('\n')[0].slice(0, 300));
  throw new Error(`${what}: the Content-Security-Policy blocked ${brief.length} thing(s):\n  - ${brief.join('\n  - ')}`);
}

/**
 * Runs `fn({ context, page, errors, cspViolations, url })` on a page opened like openPage, then
 * closes its context. The test fails if the Content-Security-Policy blocked anything, even when
 * `fn` passed. When it fails, a screenshot `failed-<test name>.png` is saved first. Pass the
 * node:test context `t` (for the name) or null.
 */
async function withPage(t, browser, urlPath, options, fn) {
  const opened = await openPage(browser, urlPath, options);
  try {
    const result = await fn(opened);
    // reports arrive as events: give the last ones a moment
    await opened.page.waitForTimeout(50).catch(() => {});
    assertNoCspViolations(opened.cspViolations);
    return result;
  } catch (err) {
    const name = `failed-${t && t.name ? t.name : 'test'}`;
    await screenshot(opened.page, name).catch(() => {});
    throw err;
  } finally {
    await opened.context.close().catch(() => {});
  }
}

/**
 * Waits until the app has hydrated: the App sets data-hydrated="true" on <body>. On timeout the
 * error lists what the page reported (a 404 on the wasm, a hydration panic...).
 */
async function waitForHydration(page, timeout = 20_000) {
  const errors = pageErrors.get(page) || [];
  // An uncaught error (wasm not found, panic) usually means hydration will never come: give up
  // 2 s after it instead of waiting for the whole timeout.
  let timer;
  let onPageError;
  const gaveUp = new Promise((resolve) => {
    onPageError = () => {
      if (!timer) timer = setTimeout(resolve, 2_000, 'gave-up');
    };
    if (errors.some((e) => e.startsWith('pageerror'))) onPageError();
    page.on('pageerror', onPageError);
  });
  const hydrated = page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout });
  hydrated.catch(() => {}); // when gaveUp wins, the context closes under it
  let outcome;
  try {
    outcome = await Promise.race([hydrated, gaveUp]);
  } catch (err) {
    if (err.name !== 'TimeoutError') throw err;
    outcome = err;
  } finally {
    clearTimeout(timer);
    page.off('pageerror', onPageError);
  }
  if (outcome === 'gave-up' || outcome instanceof Error) {
    throw new Error(
      `the page did not hydrate: no body[data-hydrated=true] ` +
        (outcome === 'gave-up' ? 'within 2 s of an uncaught error' : `after ${timeout} ms`) +
        (errors.length ? `; the page reported:\n  - ${errors.map((e) => e.split('\n')[0]).join('\n  - ')}` : ''),
      outcome instanceof Error ? { cause: outcome } : undefined,
    );
  }
}

/**
 * Throws when `errors` (from openPage) is not empty, listing the first lines of each error
 * rather than whole wasm stack traces.
 */
function assertNoErrors(errors, what = 'the page') {
  if (errors.length === 0) return;
  const brief = errors.map((e) => e.split('\n').filter((l) => l.trim()).slice(0, 3).join(' | '));
  throw new Error(`${what} reported ${errors.length} error(s):\n  - ${brief.join('\n  - ')}`);
}

/** Full-page screenshot into e2e/test-results/screenshots/<name>.png; returns the path. */
async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Widths that tell whether the page scrolls horizontally. */
async function horizontalScroll(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    innerWidth: window.innerWidth,
  }));
}

/**
 * Throws (with the widest elements named) when the page scrolls horizontally:
 * document.documentElement.scrollWidth > clientWidth, or the layout is wider than the viewport.
 */
async function assertNoHorizontalScroll(page) {
  const w = await horizontalScroll(page);
  const viewport = page.viewportSize();
  const tooWide = w.scrollWidth > w.clientWidth || (viewport && w.clientWidth > viewport.width);
  if (!tooWide) return w;
  const culprits = await page.evaluate((limit) => {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > limit + 0.5) {
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        out.push(`${el.tagName.toLowerCase()}${cls} (right edge ${Math.round(r.right)}px)`);
      }
    }
    return out.slice(0, 5);
  }, viewport ? Math.min(w.clientWidth, viewport.width) : w.clientWidth);
  throw new Error(
    `horizontal scroll: scrollWidth ${w.scrollWidth}px > clientWidth ${w.clientWidth}px` +
      (viewport ? ` (viewport ${viewport.width}px)` : '') +
      (culprits.length ? `; too wide: ${culprits.join(', ')}` : ''),
  );
}

module.exports = {
  BASE_URL,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  SCREENSHOTS_DIR,
  VIEWPORTS,
  DEMO_PASSWORD,
  launchBrowser,
  signIn,
  openPage,
  withPage,
  waitForHydration,
  assertNoErrors,
  assertNoCspViolations,
  screenshot,
  horizontalScroll,
  assertNoHorizontalScroll,
};
