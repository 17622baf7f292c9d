#!/usr/bin/env bash
# `make loadtest PROFILE=...`: builds the goose load test and runs one profile (loadtest/README.md).
#   loadtest/run.sh [ci|staged|sales|dashboard] [goose flags, e.g. -t 10s or --test-plan ...]
# Against a running stack: LOADTEST_API_URL=http://host:8000 LOADTEST_WEB_URL=http://host:8080
# API_TOKEN=... loadtest/run.sh staged. Otherwise it starts its own and stops it on exit: a fresh
# database (LOADTEST_DB, default multimagasin_loadtest) with the demo data, its store stock raised
# by a million units so sales keep being recorded (LOADTEST_RESTOCK=0 keeps the demo stock), the
# API (rate limit off) and the web UI on free ports.
# LOADTEST_BUILD=debug uses debug builds (make test) instead of release ones.
# Reports: target/loadtest/report.md (printed at the end) and target/loadtest/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/local/lib.sh

profile=${1:-${LOADTEST_PROFILE:-ci}}
[ $# -gt 0 ] && shift
case $profile in ci | staged | sales | dashboard) ;; *) die "unknown profile $profile: ci, staged, sales or dashboard" ;; esac
export LOADTEST_PROFILE=$profile
build=${LOADTEST_BUILD:-release}
case $build in
  release) cargo_flags=(--release) ;;
  debug) cargo_flags=() ;;
  *) die "LOADTEST_BUILD is release or debug, not $build" ;;
esac
bin=target/$build
out=target/loadtest
mkdir -p "$out"
export LOADTEST_REPORT_MD=${LOADTEST_REPORT_MD:-$out/report.md}
export LOADTEST_REPORT_HTML=${LOADTEST_REPORT_HTML:-$out/report.html}

own_stack=1
if [ -n "${LOADTEST_API_URL:-}" ] || [ -n "${LOADTEST_WEB_URL:-}" ]; then own_stack=0; fi

say "building the load test ($build)"
# two builds: the load test's dependencies must not change the features (and the artifacts)
# of the binaries under test
cargo build -q "${cargo_flags[@]}" -p loadtest
if [ $own_stack = 1 ]; then
  cargo build -q "${cargo_flags[@]}" -p server -p public-api
else
  [ -n "${API_TOKEN:-}${LOADTEST_API_TOKEN:-}" ] || warn "no API_TOKEN: the API will answer 401"
fi

pids=()
logs=$out/logs
db_url=""
cleanup() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "$db_url" ] && [ "${LOADTEST_KEEP_DB:-0}" != 1 ]; then
    psql "${db_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${db_url##*/} WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup INT TERM EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ $own_stack = 1 ]; then
  ensure_postgres
  ensure_redis || die "Redis is needed on 127.0.0.1:6379 (apt-get install redis-server)"
  db_url="${DATABASE_URL%/*}/${LOADTEST_DB:-multimagasin_loadtest}"
  say "fresh database ${db_url##*/} with the demo data"
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${db_url##*/} WITH (FORCE)" >/dev/null
  seed_copy "$db_url" "$bin/server"
  if [ "${LOADTEST_RESTOCK:-1}" = 1 ]; then
    psql "$db_url" -qc "UPDATE store_stock SET quantity = quantity + 1000000" >/dev/null
  fi

  rm -rf "$logs" && mkdir -p "$logs"
  web=$(free_port) api=$(free_port)
  export API_TOKEN=${API_TOKEN:-loadtest-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  # own cache keys (the Redis is shared), no rate limit: the load comes from one client
  DATABASE_URL=$db_url LOG_DIR=$logs/api REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379} \
    CACHE_NAMESPACE=loadtest$$ RATE_LIMIT_PER_MINUTE=100000000 INSTANCE_ID=api-loadtest \
    "$bin/public-api" --port "$api" >"$logs/api.out" 2>&1 &
  pids+=($!)
  DATABASE_URL=$db_url LOG_DIR=$logs/web LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    INSTANCE_ID=web-loadtest "$bin/server" --addr "127.0.0.1:$web" >"$logs/web.out" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$api/health" 60 || { tail -n 20 "$logs/api.out"; die "the API did not start"; }
  wait_http "http://127.0.0.1:$web/health" 60 || { tail -n 20 "$logs/web.out"; die "the web UI did not start"; }
  export LOADTEST_API_URL=http://127.0.0.1:$api LOADTEST_WEB_URL=http://127.0.0.1:$web
  say "API on $LOADTEST_API_URL, web UI on $LOADTEST_WEB_URL ($build builds, logs in $logs)"
fi

say "load test, profile $profile"
status=0
rm -f "$LOADTEST_REPORT_MD"
"$bin/loadtest" "$@" || status=$?
if [ -f "$LOADTEST_REPORT_MD" ]; then
  echo
  cat "$LOADTEST_REPORT_MD"
fi
case $status in
  0) say "load test $profile passed" ;;
  1) warn "load test $profile: a threshold failed (see the report above)" ;;
  *) warn "load test $profile could not run (exit $status)" ;;
esac
exit $status
