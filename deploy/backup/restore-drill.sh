#!/bin/sh
# Restore drill: restores a dump into a scratch database next to the live one, checks that the
# schema and the data are there, compares row counts with the live database, then drops the
# scratch database. A backup is only as good as its last successful drill: run it monthly.
#
#   DATABASE_URL=postgres://user:pass@host:5432/multimagasin restore-drill.sh [DUMP]
#
# DUMP defaults to the newest multimagasin-*.dump in BACKUP_DIR (default: backups). The live
# database is only read. Exit code 0 when the restored copy holds the same tables and data.
set -eu

: "${DATABASE_URL:?DATABASE_URL is required}"
BACKUP_DIR=${BACKUP_DIR:-backups}
dump=${1:-$(ls "$BACKUP_DIR"/multimagasin-*.dump 2>/dev/null | sort | tail -n 1)}
[ -n "$dump" ] && [ -f "$dump" ] || { echo "restore-drill: no dump found in $BACKUP_DIR" >&2; exit 1; }

base=${DATABASE_URL%/*}
live_db=${DATABASE_URL##*/}
live_db=${live_db%%\?*}
scratch="${live_db}_restore_drill"
scratch_url="$base/$scratch"
admin_url="$base/postgres"

drop() { PGOPTIONS='-c client_min_messages=warning' psql "$admin_url" -qAt -c "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null; }
trap drop EXIT
drop
psql "$admin_url" -qAt -c "CREATE DATABASE \"$scratch\"" >/dev/null
started=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch_url" "$dump"
echo "restore-drill: $dump restored into $scratch in $(( $(date +%s) - started )) s"

tables="stores products store_stock central_stock employees sales sale_lines returns stock_movements replenishment_requests"
failed=0
for t in $tables; do
  restored=$(psql "$scratch_url" -qAt -c "SELECT count(*) FROM $t")
  live=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM $t")
  status=ok
  # the live database may have moved on since the dump, never backwards
  [ "$restored" -le "$live" ] || status=MORE-THAN-LIVE
  [ "$t" = stores ] && [ "$restored" -eq 0 ] && status=EMPTY
  [ "$status" = ok ] || failed=1
  printf 'restore-drill:   %-24s restored %8s   live %8s   %s\n' "$t" "$restored" "$live" "$status"
done
migrations=$(psql "$scratch_url" -qAt -c "SELECT count(*) FROM _sqlx_migrations WHERE success")
echo "restore-drill: $migrations migrations recorded in the copy"
[ "$migrations" -gt 0 ] || failed=1
if [ "$failed" = 0 ]; then
  echo "restore-drill: passed"
else
  echo "restore-drill: FAILED" >&2
  exit 1
fi
