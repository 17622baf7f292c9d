#!/usr/bin/env bash
# Smoke test of the built binaries, as `make run` uses them: a fresh database holding the demo
# data (`server seed`, through the day's template of lib.sh's seed_copy), then the web UI and the API start on free ports and must answer.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

base=${DATABASE_URL%/*}
db="multimagasin_smoke_$$"
export DATABASE_URL="$base/$db"
export LOG_DIR=$(mktemp -d) LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
pids=()
passed=0 failed=0
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$LOG_DIR"
}
trap cleanup EXIT
check() { # name, command...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); echo "  ok    $name"
  else failed=$((failed + 1)); echo "  FAIL  $name"; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

seed_copy "$DATABASE_URL"
web=$(free_port); api=$(free_port)
target/debug/server --addr "127.0.0.1:$web" >"$LOG_DIR/web.out" 2>&1 & pids+=($!)
target/debug/public-api --port "$api" >"$LOG_DIR/api.out" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$web/health" 60 || { cat "$LOG_DIR/web.out"; die "web UI did not start"; }
wait_http "http://127.0.0.1:$api/health" 60 || { cat "$LOG_DIR/api.out"; die "API did not start"; }

# sign in as a browser without JavaScript would: a form post, then the cookie
cookie=$(curl -sS -o /dev/null -D - -H 'Accept: text/html' -d 'login=gerant1&password=demo' \
  "http://127.0.0.1:$web/api/login" | sed -n 's/^set-cookie: \(mm_session=[^;]*\).*/\1/ip' | tr -d '\r')
page=$(curl -fsS -H 'Accept: text/html' -H "Cookie: $cookie" "http://127.0.0.1:$web/")
check "web /health answers 200 with the database up" bash -c "curl -fsS http://127.0.0.1:$web/health | grep -q '\"database\":\"up\"'"
check "api /health answers 200 with the database up" bash -c "curl -fsS http://127.0.0.1:$api/health | grep -q '\"database\":\"up\"'"
check "sign-in with a demo account gives a session cookie" test -n "$cookie"
check "home page is rendered on the server with the demo stores" grep -q "Centre-Ville" <<<"$page"
check "the data is in the HTML, not behind a loading placeholder" bash -c "! grep -q 'Chargement' <<<\"\$1\"" _ "$page"
check "home page loads the hydration script" grep -q "/pkg/multimagasin.js" <<<"$page"
wasm=$(grep -o '/pkg/[a-z_]*\.wasm' <<<"$page" | head -n1)
check "the wasm bundle the page asks for ($wasm) is served" curl -fsS -o /dev/null "http://127.0.0.1:$web$wasm"
check "the stylesheet is served" curl -fsS -o /dev/null "http://127.0.0.1:$web/pkg/multimagasin.css"
check "a second seed leaves the data alone" bash -c "target/debug/server seed | grep -q 'already holds data'"
echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
