// Shared by api.js and web.js: the profile (load shape and thresholds), base URLs and helpers.
// Same profiles and default thresholds as the goose load test (loadtest/src/config.rs).
//   PROFILE=ci|staged|sales|dashboard  API_URL, WEB_URL, API_TOKEN, PASSWORD (demo)
//   RAMP (1m) and HOLD (3m) shape the staged profile; MAX_P95_MS, MAX_ENDPOINT_P95_MS,
//   MAX_ERROR_RATE_PCT and MIN_RPS override the thresholds.

export const PROFILE = __ENV.PROFILE || 'ci';
export const API_URL = (__ENV.API_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
export const WEB_URL = (__ENV.WEB_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const API_TOKEN = __ENV.API_TOKEN || '';
export const PASSWORD = __ENV.PASSWORD || 'demo';

const DEFAULTS = {
  ci: { p95: 1500, endpointP95: 3000, errorRatePct: 0, minRps: 5 },
  staged: { p95: 500, endpointP95: 1500, errorRatePct: 1, minRps: 100 },
  sales: { p95: 100, endpointP95: null, errorRatePct: 0, minRps: 1000 },
  dashboard: { p95: 500, endpointP95: null, errorRatePct: 0, minRps: 50 },
};

function number(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : Number(value);
}

/** The load shape of the profile for one scenario (`exec` is the function of the script). */
export function shape(exec, share) {
  const ramp = __ENV.RAMP || '1m';
  const hold = __ENV.HOLD || '3m';
  const users = (n) => Math.max(1, Math.round(n * share));
  switch (PROFILE) {
    case 'ci':
      return {
        executor: 'ramping-vus', exec, startVUs: 0,
        stages: [
          { duration: '5s', target: users(24) },
          { duration: '25s', target: users(24) },
          { duration: '3s', target: 0 },
        ],
      };
    case 'staged':
      return {
        executor: 'ramping-vus', exec, startVUs: 0,
        stages: [
          { duration: ramp, target: users(100) },
          { duration: hold, target: users(100) },
          { duration: ramp, target: users(500) },
          { duration: hold, target: users(500) },
          { duration: ramp, target: users(1000) },
          { duration: hold, target: users(1000) },
          { duration: ramp, target: 0 },
        ],
      };
    default: // sales and dashboard: every user at once, no think time
      return {
        executor: 'constant-vus', exec,
        vus: number('USERS', PROFILE === 'sales' ? 32 : 16),
        duration: __ENV.DURATION || '30s',
      };
  }
}

/** Thresholds of the profile; `endpoints` are the request names to hold to the endpoint p95. */
export function thresholds(endpoints) {
  const d = DEFAULTS[PROFILE] || DEFAULTS.ci;
  const endpointP95 = __ENV.MAX_ENDPOINT_P95_MS === 'none' ? null : number('MAX_ENDPOINT_P95_MS', d.endpointP95);
  const t = {
    http_req_duration: [`p(95)<=${number('MAX_P95_MS', d.p95)}`],
    http_req_failed: [`rate<=${number('MAX_ERROR_RATE_PCT', d.errorRatePct) / 100}`],
    http_reqs: [`rate>=${number('MIN_RPS', d.minRps)}`],
    checks: ['rate>=0.99'],
  };
  if (endpointP95 !== null) {
    for (const name of endpoints) {
      t[`http_req_duration{name:${name}}`] = [`p(95)<=${endpointP95}`];
    }
  }
  return t;
}

/** Think time between two actions in the mixed profiles (0.5 to 2 s), none in benchmarks. */
export function think() {
  if (PROFILE === 'ci' || PROFILE === 'staged') {
    const min = number('THINK_MIN_MS', 500);
    const max = number('THINK_MAX_MS', 2000);
    return (min + Math.random() * (max - min)) / 1000;
  }
  return 0;
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export function between(min, max) {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** A random UUID v4, for idempotency keys. */
export function uuid() {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = Math.floor(Math.random() * 16);
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

export function form(fields) {
  return Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** The value of `key` in the query of a `Location`. */
export function queryParam(location, key) {
  const query = (location || '').split('?')[1] || '';
  for (const pair of query.split('&')) {
    const [k, v = ''] = pair.split('=');
    if (decodeURIComponent(k) === key) return decodeURIComponent(v.replace(/\+/g, ' '));
  }
  return null;
}
