#!/usr/bin/env bash
# Resilience drills, short form (< 3 min): Redis stopped under load, PostgreSQL restarted under
# load, slow database (statement timeout). Private PostgreSQL cluster and redis-server on free
# ports; the machine's shared services are never stopped. Details in deploy/local/drills.py.
#
# Needs target/debug/server and target/debug/public-api (`cargo build -p server -p public-api`),
# PostgreSQL's server binaries (/usr/lib/postgresql/*/bin), psql and redis-server.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || die "PostgreSQL's server binaries are missing (apt-get install postgresql)"
ensure_command psql postgresql-client
ensure_command redis-server redis-server
exec python3 deploy/local/drills.py
