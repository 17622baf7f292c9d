#!/bin/sh
# Backs up the Multi-Magasin database with pg_dump (custom format: compressed, restorable table by
# table), checks the dump can be read back, and keeps the newest BACKUP_KEEP dumps.
#
#   DATABASE_URL=postgres://user:pass@host:5432/multimagasin BACKUP_DIR=/backups pg-backup.sh
#   pg-backup.sh --loop      # the compose `backup` service: one dump every BACKUP_INTERVAL_SECONDS
#
# POSIX sh: runs in the postgres:16-alpine image as well as on a Debian host (postgresql-client).
set -eu

: "${DATABASE_URL:?DATABASE_URL is required}"
BACKUP_DIR=${BACKUP_DIR:-backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}
BACKUP_INTERVAL_SECONDS=${BACKUP_INTERVAL_SECONDS:-86400}

backup_once() {
  mkdir -p "$BACKUP_DIR"
  name="multimagasin-$(date -u +%Y%m%dT%H%M%SZ).dump"
  tmp="$BACKUP_DIR/.$name.partial"
  pg_dump --format=custom --no-owner --no-privileges --file="$tmp" "$DATABASE_URL"
  # a dump that pg_restore cannot list is no backup
  pg_restore --list "$tmp" >/dev/null
  mv "$tmp" "$BACKUP_DIR/$name"
  echo "pg-backup: $BACKUP_DIR/$name ($(du -h "$BACKUP_DIR/$name" | cut -f1))"
  # keep the newest BACKUP_KEEP dumps (names sort by time)
  ls "$BACKUP_DIR"/multimagasin-*.dump 2>/dev/null | sort -r | tail -n +"$((BACKUP_KEEP + 1))" \
    | while read -r old; do rm -f "$old" && echo "pg-backup: removed $old"; done
}

if [ "${1:-}" = --loop ]; then
  while :; do
    backup_once || echo "pg-backup: FAILED at $(date -u +%FT%TZ)" >&2
    sleep "$BACKUP_INTERVAL_SECONDS"
  done
else
  backup_once
fi
