#!/usr/bin/env bash
# make seed-large: the large data set (100,000 products, 2,000,000 sales over a year) for load and
# report measurements, in its own database (default multimagasin_large), never the demo's.
# Idempotent: a database that already holds the large data set is left as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/multimagasin_large}
ensure_command psql postgresql-client
started=$SECONDS

say "base: migrations and the demo data set (stores, registers, employees) in $DATABASE_URL"
cargo run -q -p server -- seed

loaded=$(psql "$DATABASE_URL" -XAtqc "SELECT count(*) FROM products WHERE code LIKE 'LG-%'")
if [ "$loaded" -gt 0 ]; then
  say "the large data set is already loaded ($loaded products): nothing to do"
  exit 0
fi
if [ "$(psql "$DATABASE_URL" -XAtqc "SELECT count(*) FROM products")" -gt 1000 ]; then
  die "this database holds other data than the demo's: choose an empty DATABASE_URL"
fi

say "loading 100,000 products and 2,000,000 sales (one transaction, set-based SQL)"
psql "$DATABASE_URL" -X -q --single-transaction -f deploy/local/seed-large.sql
say "VACUUM ANALYZE (visibility map for index-only scans, planner statistics)"
psql "$DATABASE_URL" -X -q -c "VACUUM (ANALYZE) products, store_stock, sales, sale_lines, returns, daily_sales, daily_product_sales, daily_returns, monthly_product_sales"
psql "$DATABASE_URL" -XAtc "SELECT format('products %s, sales %s, sale lines %s, returns %s, daily rows %s / %s / %s, monthly product rows %s',
  (SELECT count(*) FROM products), (SELECT count(*) FROM sales), (SELECT count(*) FROM sale_lines),
  (SELECT count(*) FROM returns), (SELECT count(*) FROM daily_sales),
  (SELECT count(*) FROM daily_product_sales), (SELECT count(*) FROM daily_returns),
  (SELECT count(*) FROM monthly_product_sales))"
say "large data set loaded in $((SECONDS - started)) s"
