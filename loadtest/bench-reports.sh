#!/usr/bin/env bash
# make bench-reports: p50/p95/p99 of the 90-day KPI and sales reports and of the product search,
# uncached (no Redis: the domain functions the API calls), on the large data set of
# `make seed-large`. Usage: loadtest/bench-reports.sh [iterations]   (default 50)
# DATABASE_URL defaults to the large database. Prints a markdown table for loadtest/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/multimagasin_large}
iterations=${1:-50}
cargo build -q -p domain --example bench_reports
echo "command: loadtest/bench-reports.sh $iterations ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(psql "$DATABASE_URL" -XAtc 'SHOW server_version')"
echo
target/debug/examples/bench_reports "$iterations"
