#!/usr/bin/env bash
# Bad input at scale: schemathesis generates requests from the API's own /openapi.json (valid
# and invalid ones, deterministic seed, fixed budget) against the debug `public-api` on its own
# freshly seeded database. Zero 5xx and zero answers that break the documented schema, status
# codes or content types are required.
#
# Needs target/debug/server and target/debug/public-api (`cargo build -p server -p public-api`).
# Env: ST_MAX_EXAMPLES (default 100 per operation), ST_SEED (default 20261124).
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

st_version=4.32.5
# schemathesis does not pin hypothesis; this is the one it was last run with here
hypothesis_version=6.170.15
venv=$PWD/.data/venv
ensure_venv_tool "$venv" schemathesis "$st_version" "schemathesis==$st_version" \
  "hypothesis==$hypothesis_version"

for bin in server public-api; do
  [ -x "target/debug/$bin" ] || die "target/debug/$bin is missing: cargo build -p server -p public-api"
done

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=${DATABASE_URL%/*}
db="multimagasin_st_$$"
work=$(mktemp -d)
api_pid=
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
token="st-$$-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"   # API_TOKEN: 32+ characters

seed_copy "$base/$db"
DATABASE_URL="$base/$db" API_TOKEN="$token" CACHE_NAMESPACE="mm-st-$$" RATE_LIMIT_PER_MINUTE=0 \
  LOG_DIR="$work" LOG_LEVEL=warn target/debug/public-api --port "$port" >"$work/api.out" 2>&1 &
api_pid=$!
wait_http "http://127.0.0.1:$port/health" 60 || { cat "$work/api.out"; die "public-api did not start"; }

say "schemathesis $st_version against http://127.0.0.1:$port/openapi.json"
started=$SECONDS
status=0
# from the temporary directory: schemathesis keeps a replay cache (.schemathesis/) in its cwd.
# One worker: with two, hypothesis describes its strategies with ast.parse from two threads at
# once, and CPython 3.11.7's ast module (one recursion counter for all threads) can then fail
# with "SystemError: AST constructor recursion depth mismatch", a crash of the tool, not of
# the API (seen once in make test).
(cd "$work" && "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${ST_MAX_EXAMPLES:-100}" --seed "${ST_SEED:-20261124}" \
  --generation-database none --workers 1 --request-timeout 10 --no-color \
  --report junit --report-junit-path "${ST_JUNIT:-$work/junit.xml}") || status=$?
echo "schemathesis: $((SECONDS - started)) s, exit $status"
if grep -qiE 'panicked|request failed' "$work"/*.log "$work/api.out" 2>/dev/null; then
  warn "the API logged failures:"; grep -hiE 'panicked|request failed' "$work"/*.log "$work/api.out" | tail -n 20
  status=1
fi
[ "$status" -eq 0 ] || die "schemathesis found problems (see above)"
say "schemathesis: no 5xx, every answer matches the OpenAPI document"
