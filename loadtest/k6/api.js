// k6 equivalent of the goose API scenarios (loadtest/src/api.rs): catalogue, stock and report
// reads; sales with a fresh Idempotency-Key (one in ten retried with the same key, which must
// replay the first answer), read back. A 409 "insufficient_stock" is a legitimate answer,
// counted in sales_refused, not a failure. The API has no returns route: returns are made at
// the till, in web.js.
//   k6 run -e PROFILE=staged -e API_URL=http://127.0.0.1:8000 -e API_TOKEN=... loadtest/k6/api.js
// PROFILE=sales runs only the 3-line sale without think time (the 1000 sales/s benchmark).
import http from 'k6/http';
import { check, fail, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { API_TOKEN, API_URL, PROFILE, between, pick, shape, think, thresholds, uuid } from './common.js';

const share = Number(__ENV.SHARE || 1);
const salesRecorded = new Counter('sales_recorded');
const salesRefused = new Counter('sales_refused');
const retriesHonoured = new Counter('retries_honoured');

export const options = {
  scenarios: PROFILE === 'sales'
    ? { api_sales: shape('sales', share) }
    : { api_reads: shape('reads', (5 / 7) * share), api_sales: shape('sales', (2 / 7) * share) },
  thresholds: thresholds([
    '/api/v1/products', '/api/v1/products/{id}', '/api/v1/products/by-code/{code}',
    '/api/v1/stores/{id}/stock', '/api/v1/reports/kpis', '/api/v1/reports/sales',
    '/api/v1/stores/{id}/sales', '/api/v1/sales/{id}',
  ]),
};

const SEARCHES = ['pain', 'lait', 'eau', 'savon', 'jus', 'ALI', 'BOI', 'zzz'];
const headers = { Authorization: `Bearer ${API_TOKEN}` };

function get(path, name) {
  const res = http.get(`${API_URL}/api/v1${path}`, { headers, tags: { name } });
  check(res, { [`${name} 200`]: (r) => r.status === 200 });
  return res;
}

/** Once per run: the products and the stores (every VU varies over the real ids). */
export function setup() {
  const products = get('/products?size=100&sort=id', '/api/v1/products').json('items') || [];
  const stores = get('/stores', '/api/v1/stores').json() || []; // a plain list
  if (products.length < 3 || stores.length === 0) fail('the API lists no demo data: seed it');
  return { products: products.map((p) => ({ id: p.id, code: p.code })), stores: stores.map((s) => s.id) };
}

export function reads(data) {
  const roll = Math.random() * 12;
  if (roll < 3) {
    const variant = between(0, 2);
    const path = variant === 0 ? `/products?page=${between(1, 2)}&size=20`
      : variant === 1 ? `/products?q=${pick(SEARCHES)}` : '/products?sort=-prix&size=50';
    get(path, '/api/v1/products');
  } else if (roll < 6) {
    get(`/products/${pick(data.products).id}`, '/api/v1/products/{id}');
  } else if (roll < 8) {
    get(`/products/by-code/${pick(data.products).code}`, '/api/v1/products/by-code/{code}');
  } else if (roll < 10) {
    const store = pick(data.stores);
    get(Math.random() < 0.3 ? `/stores/${store}/stock?alerte=true` : `/stores/${store}/stock?size=50`,
      '/api/v1/stores/{id}/stock');
  } else {
    const scope = Math.random() < 0.6 ? `?magasin_id=${pick(data.stores)}` : '';
    if (roll < 11) get(`/reports/kpis${scope}`, '/api/v1/reports/kpis');
    else get(`/reports/sales${scope}`, '/api/v1/reports/sales');
  }
  sleep(think());
}

function postSale(store, body, key, name) {
  return http.post(`${API_URL}/api/v1/stores/${store}/sales`, body, {
    headers: { ...headers, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    tags: { name },
    // a refusal for lack of stock is an answer, not a failed request
    responseCallback: http.expectedStatuses(201, 409),
  });
}

function refusedForStock(res) {
  return res.status === 409 && res.json('error_code') === 'insufficient_stock';
}

export function sales(data) {
  const benchmark = PROFILE === 'sales';
  const store = pick(data.stores);
  const products = [...data.products].sort(() => Math.random() - 0.5).slice(0, benchmark ? 3 : between(1, 3));
  const body = JSON.stringify({
    lignes: products.map((p) => ({ produit_id: p.id, quantite: benchmark ? 1 : between(1, 3) })),
    mode_paiement: benchmark || Math.random() < 0.6 ? 'carte' : 'especes',
  });
  const key = uuid();
  const first = postSale(store, body, key, '/api/v1/stores/{id}/sales');
  const ok = check(first, { 'sale recorded or refused for stock': (r) => r.status === 201 || refusedForStock(r) });
  if (first.status === 201) salesRecorded.add(1);
  else if (ok) salesRefused.add(1);
  if (!benchmark && ok) {
    if (Math.random() < 0.1) {
      const again = postSale(store, body, key, '/api/v1/stores/{id}/sales (retry, same key)');
      const same = check(again, {
        'retry replays the first answer': (r) => r.headers['Idempotent-Replayed'] === 'true'
          && r.status === first.status && r.body === first.body,
      });
      if (same) retriesHonoured.add(1);
    }
    if (first.status === 201) get(`/sales/${first.json('id')}`, '/api/v1/sales/{id}');
  }
  sleep(think());
}
