#!/usr/bin/env bash
# End-to-end browser tests of the web UI (e2e/): headless Chromium from Debian driven by
# playwright-core under Node's test runner, against the real server on a fresh, seeded database.
#
#   deploy/local/e2e.sh                        # every test under e2e/tests
#   deploy/local/e2e.sh tests/home.test.js     # only these files (relative to e2e/)
#   E2E_SKIP_BUILD=1 deploy/local/e2e.sh       # reuse target/site and target/debug/server
#   E2E_SITE_ROOT=/some/site ...               # serve another build of the site (default target/site)
#
# Installs what is missing (Chromium from apt, the npm packages with `npm ci`), builds the front
# end and the two binaries, seeds a database of its own (dropped at the end, also on failure),
# starts the server (BASE_URL) and the API (API_URL, for its /docs page) on free ports and runs
# `node --test`. Exit code: the tests' result.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
export CHROMIUM_PATH
started=$SECONDS

# --- tools: Chromium (Debian package; browser downloads are not possible) and Node ---
ensure_executable "$CHROMIUM_PATH" chromium
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
  || die "Node.js 20+ and npm are needed (Debian: apt-get install nodejs npm, or NodeSource)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20+ is needed for node --test (found $(node --version))"

# --- npm packages, only when the lock changed since the last install ---
if [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules ]; then
  say "installing the e2e npm packages (npm ci)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  touch e2e/node_modules
fi

# --- build: the site (wasm + css) by cargo-leptos, the server by plain cargo ---
if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  deploy/local/install-tools.sh >/dev/null
  say "building the front end (cargo leptos build --frontend-only) and the server"
  cargo leptos build --frontend-only
  cargo build -p server -p public-api
fi
site_root=${E2E_SITE_ROOT:-target/site}
[ -x target/debug/server ] && [ -f "$site_root/pkg/multimagasin.wasm" ] \
  || die "target/debug/server or $site_root/pkg is missing: run without E2E_SKIP_BUILD"

# --- a fresh database, seeded with the demo data ---
url=${E2E_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}
base=${url%/*}
port_open "$(pg_host "$url")" "$(pg_port "$url")" || start_system_postgres \
  || die "PostgreSQL does not answer at $(pg_host "$url"):$(pg_port "$url")"
db="multimagasin_e2e_$$"
export DATABASE_URL="$base/$db"
LOG_DIR=$(mktemp -d -t multimagasin-e2e.XXXXXX)
export LOG_DIR LEPTOS_SITE_ROOT=$site_root LEPTOS_SITE_PKG_DIR=pkg
server_pid=
api_pid=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in $server_pid $api_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ] && [ -s "$LOG_DIR/server.out" ]; then
    echo "--- last lines of the server's output ($LOG_DIR/server.out) ---"
    tail -n 30 "$LOG_DIR/server.out"
  fi
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 \
    || warn "could not drop the database $db"
  rm -rf "$LOG_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "seeding the database $db"
seed_copy "$DATABASE_URL"

# --- the server on a free port ---
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
target/debug/server --addr "127.0.0.1:$port" >"$LOG_DIR/server.out" 2>&1 &
server_pid=$!
wait_http "http://127.0.0.1:$port/health" 60 || die "the server did not answer /health on port $port"
export BASE_URL="http://127.0.0.1:$port"

# --- the API beside it, for its documentation page (tests/docs.test.js; skipped without it) ---
if [ -x target/debug/public-api ]; then
  api_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  REDIS_URL= API_PORT=$api_port INSTANCE_ID=api-e2e target/debug/public-api >"$LOG_DIR/api.out" 2>&1 &
  api_pid=$!
  wait_http "http://127.0.0.1:$api_port/health" 60 || die "the API did not answer /health on port $api_port"
  export API_URL="http://127.0.0.1:$api_port"
else
  warn "no target/debug/public-api: the API documentation test is skipped"
fi

# --- the tests ---
rm -rf e2e/test-results
say "running the browser tests against $BASE_URL"
rc=0
(
  cd e2e
  [ $# -gt 0 ] || set -- tests/*.test.js
  exec node --test --test-reporter=spec --test-timeout=120000 "$@"
) || rc=$?
say "e2e: $([ "$rc" -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s; screenshots in e2e/test-results/screenshots/"
exit "$rc"
