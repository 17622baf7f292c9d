// k6 equivalent of the goose web scenarios (loadtest/src/web.rs): managers load the dashboard
// (`/`, rendered on the server); cashiers open a register, then search, scan, change a
// quantity, pay and, one sale in three, return a unit (till_* and create_return server
// functions, posted as the hydrated page does: they answer 200 with the next address in
// `Location`). Each VU signs in once (its cookie jar keeps the session).
//   k6 run -e PROFILE=ci -e WEB_URL=http://127.0.0.1:8080 loadtest/k6/web.js
// PROFILE=dashboard runs only the managers, without think time.
import http from 'k6/http';
import { check, fail, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import exec from 'k6/execution';
import { PASSWORD, PROFILE, WEB_URL, between, form, pick, queryParam, shape, think, thresholds } from './common.js';

if (PROFILE === 'sales') throw new Error('the sales profile is an API benchmark: run api.js');

const share = Number(__ENV.SHARE || 1);
const tillSales = new Counter('till_sales_recorded');
const tillRefused = new Counter('till_sales_refused');
const returns = new Counter('returns_recorded');

export const options = {
  scenarios: PROFILE === 'dashboard'
    ? { dashboard: shape('dashboard', share) }
    : { dashboard: shape('dashboard', (2 / 3) * share), till: shape('till', (1 / 3) * share) },
  thresholds: thresholds(['/ (dashboard)', '/api/till_search', '/api/till_add', '/api/till_set', '/api/till_checkout']),
};

const DEMO_CODES = ['ALI001', 'ALI002', 'ALI003', 'ALI004', 'ALI005', 'BOI001', 'BOI002', 'BOI003',
  'HYG001', 'HYG002', 'HYG003', 'MEN001', 'MEN002'];
const SEARCHES = ['pa', 'la', 'eau', 'sav', 'jus', 'fro', 'ALI', 'HYG'];

/** A server function as the hydrated page calls it. */
function serverFn(endpoint, fields) {
  return http.post(`${WEB_URL}/api/${endpoint}`, form(fields), {
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: WEB_URL,
      'Sec-Fetch-Site': 'same-origin',
    },
    tags: { name: `/api/${endpoint}` },
    redirects: 0,
  });
}

function signIn(login) {
  const res = serverFn('login', { login, password: PASSWORD });
  if (!check(res, { 'signed in': (r) => r.status === 200 && r.headers.Location === '/' })) fail(`${login}: sign-in refused`);
  const who = serverFn('whoami', {}).json();
  if (!who || !who.csrf) fail(`${login}: no session`);
  return who;
}

// per VU state (module scope is per VU in k6)
let me = null;

function storeNumber() {
  return (exec.vu.idInTest % 5) + 1;
}

export function dashboard() {
  if (!me) me = signIn(`gerant${storeNumber()}`);
  const res = http.get(`${WEB_URL}/`, { headers: { Accept: 'text/html' }, tags: { name: '/ (dashboard)' } });
  check(res, { 'dashboard rendered': (r) => r.status === 200 && !r.url.includes('/connexion') });
  sleep(think());
}

function openRegister() {
  const who = signIn(`caissier${storeNumber()}`);
  const store = serverFn('store_view', { store_id: who.store_id }).json();
  const registers = (store && store.registers) || [];
  if (registers.length === 0) fail(`store ${who.store_id} lists no register`);
  const register = registers[Math.floor(exec.vu.idInTest / 5) % registers.length].id;
  // already open (cashiers share their store's registers) comes back as ?erreur=: open either way
  serverFn('till_open', { csrf: who.csrf, register_id: register, fonds: '200' });
  return { csrf: who.csrf, store: who.store_id, register, sales: 0 };
}

export function till() {
  if (!me) me = openRegister();
  const found = serverFn('till_search', { register_id: me.register, q: pick(SEARCHES) });
  check(found, { 'search answered': (r) => r.status === 200 });
  const codes = (found.status === 200 ? found.json() : []).map((i) => i.code);
  let cart = '';
  let sale = '';
  for (let i = between(1, 3); i > 0; i--) {
    const added = serverFn('till_add', { register_id: me.register, panier: cart, code: pick(codes.length >= 3 ? codes : DEMO_CODES) });
    const next = queryParam(added.headers.Location, 'panier');
    if (!check(added, { 'scan added': () => !!next })) return;
    cart = next;
    sale = queryParam(added.headers.Location, 'vente') || sale;
  }
  const product = cart.split('.')[0].split('x')[0];
  const set = serverFn('till_set', { register_id: me.register, panier: cart, product_id: product, quantite: '2' });
  cart = queryParam(set.headers.Location, 'panier') || cart;
  const paid = serverFn('till_checkout', {
    csrf: me.csrf, register_id: me.register, panier: cart, vente: sale,
    mode: Math.random() < 0.5 ? 'carte' : 'especes', recu: '',
  });
  const location = paid.headers.Location || '';
  if (location.startsWith('/ventes/')) {
    tillSales.add(1);
    me.sales += 1;
    if (me.sales % 3 === 0) takeBack(location.slice('/ventes/'.length));
  } else {
    const refused = queryParam(location, 'erreur') === 'stock';
    check(paid, { 'sale recorded or refused for stock': () => refused });
    if (refused) tillRefused.add(1);
  }
  sleep(think());
}

function takeBack(saleId) {
  const page = http.get(`${WEB_URL}/magasins/${me.store}/retours?vente=${saleId}`, {
    headers: { Accept: 'text/html' }, tags: { name: '/magasins/{id}/retours?vente={sale}' },
  });
  const line = (page.body.split('data-line-id="')[1] || '').split('"')[0];
  if (!check(page, { 'sale lines shown': () => line !== '' })) return;
  const done = serverFn('create_return', {
    csrf: me.csrf, store_id: me.store, sale_id: saleId, [`quantites[${line}]`]: '1',
    raison: 'Article abîmé (test de charge)', caisse: me.register,
  });
  if (check(done, { 'return recorded': (r) => (r.headers.Location || '').startsWith('/retours/') })) returns.add(1);
}
