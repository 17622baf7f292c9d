#!/usr/bin/env bash
# The attacks of issue 13 replayed against the real binaries (deploy/local/security.py prints
# one line per attack with what it got): a sign-in flood, wrong API tokens, out-of-range
# amounts, dates and keys, junk parameters, a code with a trailing space after a price change,
# oversized bodies, the security headers, slowloris, /metrics. Builds nothing: it runs
# target/debug/server and target/debug/public-api (as smoke.sh) on a fresh seeded database of
# its own, dropped at the end. Fails when an attack gets through. Needs DATABASE_URL (any
# database of the server: its own is created beside it) and REDIS_URL (the API's shared
# limits); `make test` sets both.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

[ -x target/debug/server ] && [ -x target/debug/public-api ] \
  || die "target/debug/server and target/debug/public-api are needed: cargo build -p server -p public-api"
started=$SECONDS
base=${DATABASE_URL%/*}
db="multimagasin_security_$$"
export DATABASE_URL="$base/$db"
export LOG_DIR=$(mktemp -d) LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
# short enough for the slowloris check to see the slow connections closed
export HEADER_READ_TIMEOUT_SECS=2
pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$LOG_DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

seed_copy "$DATABASE_URL"
web=$(free_port); api=$(free_port)
token=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
target/debug/server --addr "127.0.0.1:$web" >"$LOG_DIR/web.out" 2>&1 & pids+=($!)
web_pid=$!
API_TOKEN=$token RATE_LIMIT_PER_MINUTE=0 INSTANCE_ID=api-security \
  CACHE_NAMESPACE="security-$$:" target/debug/public-api --port "$api" >"$LOG_DIR/api.out" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$web/health" 60 || { tail -n 20 "$LOG_DIR/web.out"; die "web UI did not start"; }
wait_http "http://127.0.0.1:$api/health" 60 || { tail -n 20 "$LOG_DIR/api.out"; die "API did not start"; }

say "replaying the attacks of issue 13"
rc=0
WEB="http://127.0.0.1:$web" API="http://127.0.0.1:$api" WEB_PID=$web_pid API_TOKEN=$token \
  HEADER_TIMEOUT=$HEADER_READ_TIMEOUT_SECS python3 deploy/local/security.py || rc=$?
say "security: $([ "$rc" -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s"
exit "$rc"
