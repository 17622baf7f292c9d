#!/usr/bin/env bash
# `make test`: formatting, lints (native and wasm), the dependency policy (deny.toml) and every
# test, against the local PostgreSQL and Redis (started if they are down): Rust tests (each
# database test on its own database), a smoke test of the real binaries, the attacks of
# issue 13 replayed against them (security.sh), a short load test
# (loadtest/run.sh ci), and browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
port_open "$(pg_host "$DATABASE_URL")" "$(pg_port "$DATABASE_URL")" || start_system_postgres \
  || die "PostgreSQL is needed by the tests at $(pg_host "$DATABASE_URL"):$(pg_port "$DATABASE_URL")"
ensure_redis || die "Redis is needed by the tests on 127.0.0.1:6379 (apt-get install redis-server)"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

deploy/local/install-tools.sh
# cargo-deny: licenses, bans and sources of the dependency graph (deny.toml says why advisories
# are not checked here)
CARGO_DENY_VERSION=0.20.2
ensure_cargo_tool cargo-deny "$CARGO_DENY_VERSION" cargo-deny "$CARGO_DENY_VERSION" --locked

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (native)"
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings

say "cargo clippy (wasm, hydrate)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "cargo deny check licenses bans sources"
# deny reads every package of the lock, those of other platforms too: fetch them first (a
# no-op once they are in the local registry), so a fresh machine's run does not fail offline
cargo fetch --locked >/dev/null
cargo deny --offline check licenses bans sources

say "cargo nextest run"
cargo nextest run --workspace --exclude frontend --profile ci

say "site build (wasm + css by cargo leptos) and smoke test of the real binaries"
# The front end comes from cargo-leptos; the binaries from plain cargo, which reuses the
# artifacts of the tests above instead of rebuilding every dependency with cargo-leptos' env.
cargo leptos build --frontend-only
cargo build -p server -p public-api
deploy/local/smoke.sh

say "the attacks of issue 13 against the real binaries (deploy/local/security.sh)"
deploy/local/security.sh

say "bad input at scale: schemathesis against /openapi.json (deploy/local/schemathesis.sh)"
deploy/local/schemathesis.sh

say "resilience drills: Redis stopped, PostgreSQL restarted, slow database (deploy/local/drills.sh)"
deploy/local/drills.sh

say "load test, short profile on the debug binaries: zero errors, lenient latency (loadtest/run.sh ci)"
LOADTEST_BUILD=debug loadtest/run.sh ci

say "operations: alert rules, compose files, nginx failover, native cluster drills (deploy/local/ops-test.sh)"
deploy/local/ops-test.sh

say "browser tests (headless Chromium, e2e/)"
E2E_SKIP_BUILD=1 deploy/local/e2e.sh
