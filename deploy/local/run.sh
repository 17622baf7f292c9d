#!/usr/bin/env bash
# `make run`: starts the whole product locally on the demo data.
# PostgreSQL (started or created if needed), migrations, demo data on an empty database, release
# build, then the web UI on :8080 and the API on :8000 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

# Local settings and the generated API token live in a git-ignored .env, readable by its owner
# only (mode 600): created so, and narrowed when an existing one is wider.
source deploy/local/dotenv.sh
dotenv_private .env
if [ -f .env ]; then set -a; source .env; set +a; fi
if [ -z "${API_TOKEN:-}" ]; then
  API_TOKEN=$(dotenv_new_token)
  dotenv_append .env API_TOKEN "$API_TOKEN"
  say "generated an API token into .env"
fi
export API_TOKEN
WEB_PORT=${WEB_PORT:-8080}
API_PORT=${API_PORT:-8000}
LOG_ROOT=${LOG_DIR:-logs}
export LOG_LEVEL=${LOG_LEVEL:-info}

ensure_postgres
if ensure_redis; then
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
else
  warn "Redis is not available: the API will answer from PostgreSQL only"
fi

deploy/local/install-tools.sh
say "building in release (the first build takes several minutes)"
cargo leptos build --release
cargo build --release -p public-api

say "preparing the database"
target/release/server seed

export LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  say "stopped"
}
trap stop INT TERM EXIT

# each instance writes its own log files
LOG_DIR="$LOG_ROOT/web" INSTANCE_ID=${INSTANCE_ID:-web-1} target/release/server --addr "127.0.0.1:$WEB_PORT" & pids+=($!)
LOG_DIR="$LOG_ROOT/api" INSTANCE_ID=${INSTANCE_ID:-api-1} target/release/public-api --port "$API_PORT" & pids+=($!)

wait_http "http://127.0.0.1:$WEB_PORT/health" 60 || die "the web UI did not start (see logs/)"
wait_http "http://127.0.0.1:$API_PORT/health" 60 || die "the API did not start (see logs/)"

cat <<TXT

  Multi-Magasin is running on the demo data.

  Web UI (employees)   http://127.0.0.1:$WEB_PORT
  Public API           http://127.0.0.1:$API_PORT/api/v1
  API documentation    http://127.0.0.1:$API_PORT/docs
  API token            $API_TOKEN   (also in .env)

  Demo accounts (password "demo"):
    admin                      head office: every store, warehouse, catalogue, reports
    gerant1 .. gerant5         manager of store 1..5
    caissier1 .. caissier5     cashier of store 1..5

  Database             $DATABASE_URL
  Logs                 $LOG_ROOT/web/ and $LOG_ROOT/api/

  Ctrl-C stops both.
TXT
wait -n "${pids[@]}" || true
