# Shared helpers of the local scripts (sourced, not run).
# shellcheck shell=bash

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { timeout 2 bash -c ": </dev/tcp/$1/$2" 2>/dev/null; }

# wait_http URL SECONDS: waits until the URL answers with a 2xx.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# Host and port of a postgres:// URL (defaults 127.0.0.1:5432).
pg_host() { local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; rest=${rest%%:*}; echo "${rest:-127.0.0.1}"; }
pg_port() { local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; case $rest in *:*) echo "${rest##*:}" ;; *) echo 5432 ;; esac; }

# Starts the machine's PostgreSQL cluster if it is installed but stopped.
start_system_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 || return 1
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  [ -n "$version" ] || return 1
  say "starting PostgreSQL $version (system cluster)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || return 1
  for _ in $(seq 1 30); do port_open 127.0.0.1 5432 && return 0; sleep 0.5; done
  return 1
}

# Starts a private cluster under .data/pg on port 5433 with PostgreSQL's server binaries.
start_private_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$bindir" ] && [ -x "$bindir/initdb" ] || return 1
  local dir=$PWD/.data/pg run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || return 1
    run=(runuser -u postgres --)
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$PWD/.data" "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in .data/pg"
    "${run[@]}" "$bindir/initdb" -D "$dir" -U postgres --auth=trust >/dev/null || return 1
  fi
  if ! port_open 127.0.0.1 5433; then
    say "starting the private PostgreSQL cluster on 127.0.0.1:5433"
    "${run[@]}" "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
      -o "-p 5433 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null || return 1
  fi
  return 0
}

# ensure_postgres: makes DATABASE_URL point at a PostgreSQL that answers, or explains what to do.
ensure_postgres() {
  local default_url=postgres://postgres@127.0.0.1:5432/multimagasin
  if [ -n "${DATABASE_URL:-}" ]; then
    port_open "$(pg_host "$DATABASE_URL")" "$(pg_port "$DATABASE_URL")" && return 0
    if [ "$(pg_host "$DATABASE_URL")" = 127.0.0.1 ] || [ "$(pg_host "$DATABASE_URL")" = localhost ]; then
      start_system_postgres && return 0
    fi
    die "PostgreSQL does not answer at DATABASE_URL ($(pg_host "$DATABASE_URL"):$(pg_port "$DATABASE_URL"))."
  fi
  export DATABASE_URL=$default_url
  port_open 127.0.0.1 5432 && return 0
  start_system_postgres && return 0
  if start_private_postgres; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5433/multimagasin
    return 0
  fi
  die "no PostgreSQL answers on 127.0.0.1:5432 and none is installed.
Install it (Debian: apt-get install postgresql) or set DATABASE_URL to a running server."
}

# ensure_redis: starts the local Redis when it is installed and stopped. Returns 1 if none.
ensure_redis() {
  port_open 127.0.0.1 6379 && return 0
  command -v redis-server >/dev/null 2>&1 || return 1
  say "starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || return 1
  for _ in $(seq 1 20); do port_open 127.0.0.1 6379 && return 0; sleep 0.25; done
  return 1
}

# --- installing what a script needs, idempotently -------------------------------------------
# Every script installs its tools through these functions, and only when they are missing: from
# Debian's packages (apt-get), PyPI (pip) or crates.io (cargo install), the registries a
# development machine and CI reach.

# as_root COMMAND...: runs COMMAND as root, directly or through sudo. Fails when neither works.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 1
  fi
}

# apt_install [APT-GET OPTION...] PACKAGE...: installs Debian packages quietly (the package lists
# are refreshed once per script). Debian's packages may start their own service (nginx on :80,
# prometheus on :9090); nothing here uses those.
APT_LISTS_FRESH=
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$APT_LISTS_FRESH" ]; then
    as_root apt-get update -qq || return 1
    APT_LISTS_FRESH=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ensure_command COMMAND PACKAGE: installs the distribution's PACKAGE when COMMAND is missing.
ensure_command() {
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2 (apt-get) for $1"
  apt_install --no-install-recommends "$2" || die "$1 is missing: install the $2 package (as root)"
  command -v "$1" >/dev/null 2>&1 || die "$1 is still missing after apt-get install $2"
}

# ensure_executable PATH PACKAGE: installs PACKAGE (with its recommended packages) when the
# program PATH is missing; for programs looked up by path rather than on PATH (Chromium).
ensure_executable() {
  [ -x "$1" ] && return 0
  say "installing $2 (apt-get) for $1"
  apt_install "$2" || die "$1 is missing: install the $2 package (as root)"
  [ -x "$1" ] || die "$1 is still missing after apt-get install $2"
}

# ensure_python_module MODULE PIP-PACKAGE DEBIAN-PACKAGE: makes `import MODULE` work for the
# machine's python3: pip first (the user's site when not root), Debian's package when pip may
# not install there (an externally managed Python).
ensure_python_module() {
  python3 -c "import $1" 2>/dev/null && return 0
  say "installing $2 (pip)"
  local user=()
  [ "$(id -u)" = 0 ] || user=(--user)
  python3 -m pip install --quiet "${user[@]}" "$2" >/dev/null 2>&1 || true
  python3 -c "import $1" 2>/dev/null && return 0
  apt_install --no-install-recommends "$3" || true
  python3 -c "import $1" 2>/dev/null || die "$2 is missing (pip install $2, or apt-get install $3)"
}

# ensure_venv_tool VENV COMMAND VERSION REQUIREMENT...: a Python tool pinned at VERSION in a
# virtual environment of its own (created when missing), with REQUIREMENTs pip installs.
ensure_venv_tool() {
  local venv=$1 command=$2 version=$3
  shift 3
  "$venv/bin/$command" --version 2>/dev/null | grep -qF "$version" && return 0
  say "installing $command $version in $venv"
  mkdir -p "$(dirname "$venv")"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$@"
}

# ensure_cargo_tool COMMAND PATTERN CRATE VERSION [CARGO INSTALL OPTION...]: installs CRATE at
# VERSION into ~/.cargo/bin unless `COMMAND --version` already prints PATTERN.
ensure_cargo_tool() {
  local command=$1 pattern=$2 crate=$3 version=$4
  shift 4
  command -v "$command" >/dev/null 2>&1 && "$command" --version 2>/dev/null | grep -qF "$pattern" \
    && return 0
  say "installing $crate $version (cargo install, a few minutes, once)"
  cargo install "$crate" --version "$version" "$@"
}

# seed_copy URL [SERVER]: creates URL's database as a copy of the demo data set. The data set is
# loaded by `server seed` once per server binary and day into a template database
# (mm_seed_<binary hash>_<YYYYMMDD>: the demo history ends today), which later copies reuse, so
# each test script gets a database of its own in a second instead of a minute. Templates of
# other binaries or days, and scratch copies of runs that died, are dropped on the way.
seed_copy() {
  local url=$1 server=${2:-target/debug/server}
  local base=${url%/*} db=${url##*/} template scratch name try
  template="mm_seed_$(sha256sum "$server" | cut -c1-12)_$(date +%Y%m%d)"
  for name in $(psql "$base/postgres" -Atc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'mm\_seed\_%'"); do
    case $name in
      "$template") ;;
      mm_seed_*_*_*) kill -0 "${name##*_}" 2>/dev/null \
        || psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true ;;
      *) psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true ;;
    esac
  done
  if [ -z "$(psql "$base/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$template'")" ]; then
    scratch=${template}_$$
    echo "seeding the demo data once for this server binary and day (template $template)"
    DATABASE_URL=$base/$scratch "$server" seed | tail -n 1
    psql "$base/postgres" -qc "ALTER DATABASE $scratch RENAME TO $template" >/dev/null 2>&1 \
      || psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  for try in 1 2 3 4 5; do
    if psql "$base/postgres" -qc "CREATE DATABASE $db TEMPLATE $template" >/dev/null 2>&1; then
      echo "database $db: a copy of the demo data ($template)"
      return 0
    fi
    sleep 1
  done
  die "cannot copy the demo data template $template into $db"
}
