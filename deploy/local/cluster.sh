#!/usr/bin/env bash
# `make cluster`: the load-balanced topology of deploy/docker-compose.loadbalanced.yml, natively on
# this machine and without a container engine: nginx from the distribution in front of 3 API
# instances and 2 web instances on loopback ports, sharing the local PostgreSQL and Redis.
#
#   deploy/local/cluster.sh up               build, migrate + seed, start everything (idempotent)
#   deploy/local/cluster.sh down             stop exactly what `up` started (pidfiles)
#   deploy/local/cluster.sh status           processes, health and which instance answers
#   deploy/local/cluster.sh stop|start NAME  one instance (api-2, web-1, nginx), SIGTERM / start
#   deploy/local/cluster.sh kill NAME        SIGKILL one instance (failover drills)
#   deploy/local/cluster.sh rolling-restart [api|web]  restart instances one by one behind nginx
#   deploy/local/cluster.sh logs [NAME]      follow the logs
#
# Settings (environment, else the git-ignored .env, else the defaults below):
#   CLUSTER_DIR=.data/cluster     pidfiles, logs, the rendered nginx.conf, the settings of `up`
#   CLUSTER_PROFILE=release       binaries from target/release (built like `make build`) or debug
#   CLUSTER_SKIP_BUILD=           1: use the binaries as they are
#   CLUSTER_API_PORTS="9101 9102 9103"   one API instance per port (api-1, api-2, ...)
#   CLUSTER_WEB_PORTS="9201 9202"        one web instance per port (web-1, web-2, ...)
#   CLUSTER_API_LISTEN=127.0.0.1:9000  CLUSTER_WEB_LISTEN=127.0.0.1:9080
#   CLUSTER_STATUS_LISTEN=127.0.0.1:9001 (nginx stub_status for the exporter)
#   CLUSTER_SEED=1                `server seed` (demo data on an empty database), 0: migrate only
#   CLUSTER_ENV_FILE=.env         read for unset variables; empty: none
#   DATABASE_URL, REDIS_URL, API_TOKEN, CACHE_NAMESPACE, RATE_LIMIT_PER_MINUTE, LOG_LEVEL,
#   DATABASE_POOL_SIZE (default 8 per instance: 5 instances stay well under max_connections)
#   NGINX_API_RATE, NGINX_LIMIT_EXEMPT, NGINX_METRICS_ALLOW, ... nginx's limits per client
#                                 address and allow-lists (deploy/nginx/render.sh), kept for
#                                 later restarts of nginx
# nginx runs as the current user: its pid, temporary files and logs live under CLUSTER_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh
source deploy/local/dotenv.sh
export PATH="$PATH:/usr/sbin:/sbin"

ROOT=$PWD
DIR=$(realpath -m "${CLUSTER_DIR:-.data/cluster}")
STATE=$DIR/cluster.env
RUN=$DIR/run

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

# --- settings ---------------------------------------------------------------------------------

# Variables of the env file that the environment does not set already.
load_env_file() {
  local file=${CLUSTER_ENV_FILE-.env} line key
  [ -n "$file" ] && [ -f "$file" ] || return 0
  dotenv_private "$file"
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]}
    [ -n "${!key+x}" ] && continue
    local value=${BASH_REMATCH[2]}
    value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
    export "$key=$value"
  done <"$file"
}

settings_from_env() {
  PROFILE=${CLUSTER_PROFILE:-release}
  case $PROFILE in release | debug) ;; *) die "CLUSTER_PROFILE is release or debug, not $PROFILE" ;; esac
  API_PORTS=${CLUSTER_API_PORTS:-9101 9102 9103}
  WEB_PORTS=${CLUSTER_WEB_PORTS:-9201 9202}
  API_LISTEN=${CLUSTER_API_LISTEN:-127.0.0.1:9000}
  WEB_LISTEN=${CLUSTER_WEB_LISTEN:-127.0.0.1:9080}
  STATUS_LISTEN=${CLUSTER_STATUS_LISTEN:-127.0.0.1:9001}
  SITE_ROOT=$(realpath -m "${LEPTOS_SITE_ROOT:-target/site}")
  REDIS_URL=${REDIS_URL-redis://127.0.0.1:6379}
  CACHE_NAMESPACE=${CACHE_NAMESPACE:-}
  RATE_LIMIT_PER_MINUTE=${RATE_LIMIT_PER_MINUTE:-}
  DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-8}
  LOG_LEVEL=${LOG_LEVEL:-info}
  local name
  for name in "${NGINX_SETTINGS[@]}"; do printf -v "$name" '%s' "${!name:-}"; done
}

# what render.sh reads besides the addresses; empty: its default
NGINX_SETTINGS=(NGINX_API_RATE NGINX_API_BURST NGINX_WEB_RATE NGINX_WEB_BURST NGINX_LOGIN_RATE
  NGINX_LOGIN_BURST NGINX_CONN_PER_CLIENT NGINX_LIMIT_EXEMPT NGINX_METRICS_ALLOW NGINX_TRUSTED_PROXIES)
SETTINGS=(PROFILE API_PORTS WEB_PORTS API_LISTEN WEB_LISTEN STATUS_LISTEN SITE_ROOT DATABASE_URL
  REDIS_URL API_TOKEN CACHE_NAMESPACE RATE_LIMIT_PER_MINUTE DATABASE_POOL_SIZE LOG_LEVEL
  "${NGINX_SETTINGS[@]}")

save_settings() {
  mkdir -p "$DIR"
  (
    umask 077
    for name in "${SETTINGS[@]}"; do printf '%s=%q\n' "$name" "${!name:-}"; done >"$STATE"
  )
}

load_settings() {
  [ -f "$STATE" ] || die "no cluster in $DIR (start one with: make cluster)"
  # shellcheck disable=SC1090
  source "$STATE"
}

# --- instances --------------------------------------------------------------------------------

api_names() { local i=0 p; for p in $API_PORTS; do i=$((i + 1)); echo "api-$i"; done; }
web_names() { local i=0 p; for p in $WEB_PORTS; do i=$((i + 1)); echo "web-$i"; done; }
instance_names() { api_names; web_names; }

port_of() { # NAME
  local n=${1#*-} ports
  case $1 in api-*) ports=($API_PORTS) ;; web-*) ports=($WEB_PORTS) ;; *) return 1 ;; esac
  [ "$n" -ge 1 ] 2>/dev/null && [ "$n" -le ${#ports[@]} ] || return 1
  echo "${ports[$((n - 1))]}"
}

binary_of() { # NAME
  case $1 in
    api-*) echo "$ROOT/target/$PROFILE/public-api" ;;
    web-*) echo "$ROOT/target/$PROFILE/server" ;;
    nginx) readlink -f "$(command -v nginx)" ;;
    *) return 1 ;;
  esac
}

pidfile() { echo "$RUN/$1.pid"; }

# The pid of NAME when the process recorded at start is still alive: the pidfile holds the pid
# and the executable, so a recycled pid is never mistaken for ours.
running_pid() { # NAME
  local file pid exe actual
  file=$(pidfile "$1")
  [ -f "$file" ] || return 1
  read -r pid exe <"$file" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  actual=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ $actual == "$exe" || $actual == "$exe (deleted)" ]] || return 1
  echo "$pid"
}

# Starts NAME in its own session (it outlives this script) with the environment assignments of
# LAUNCH_ENV, and records its pid and executable.
LAUNCH_ENV=()
launch() { # NAME LOGFILE EXECUTABLE ARGS...
  local name=$1 log=$2 exe pid
  shift 2
  exe=$(readlink -f "$1")
  mkdir -p "$RUN" "$(dirname "$log")"
  setsid env "${LAUNCH_ENV[@]}" "$@" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid $exe" >"$(pidfile "$name")"
}

start_instance() { # NAME
  local name=$1 port bin logdir
  if running_pid "$name" >/dev/null; then
    echo "  $name already running (pid $(running_pid "$name"))"
    return 0
  fi
  port=$(port_of "$name") || die "no instance named $name (instances: $(instance_names | xargs))"
  port_open 127.0.0.1 "$port" && die "port $port of $name is taken by another process"
  bin=$(binary_of "$name")
  [ -x "$bin" ] || die "$bin is missing (build it, or run without CLUSTER_SKIP_BUILD)"
  logdir=$DIR/logs/$name
  # nginx runs on this host: its X-Real-IP names the client (sign-in throttling, rate limits)
  LAUNCH_ENV=(INSTANCE_ID="$name" LOG_DIR="$logdir" LOG_LEVEL="$LOG_LEVEL"
    DATABASE_URL="$DATABASE_URL" DATABASE_POOL_SIZE="$DATABASE_POOL_SIZE" TRUSTED_PROXIES=127.0.0.1)
  case $name in
    api-*)
      LAUNCH_ENV+=(REDIS_URL="$REDIS_URL" API_TOKEN="$API_TOKEN")
      [ -n "$CACHE_NAMESPACE" ] && LAUNCH_ENV+=(CACHE_NAMESPACE="$CACHE_NAMESPACE")
      [ -n "$RATE_LIMIT_PER_MINUTE" ] && LAUNCH_ENV+=(RATE_LIMIT_PER_MINUTE="$RATE_LIMIT_PER_MINUTE")
      launch "$name" "$logdir/stdout.log" "$bin" --host 127.0.0.1 --port "$port" serve
      ;;
    web-*)
      local leptos_env=PROD
      [ "$PROFILE" = debug ] && leptos_env=DEV
      LAUNCH_ENV+=(LEPTOS_SITE_ROOT="$SITE_ROOT" LEPTOS_SITE_PKG_DIR=pkg
        LEPTOS_OUTPUT_NAME=multimagasin LEPTOS_ENV="$leptos_env")
      launch "$name" "$logdir/stdout.log" "$bin" --addr "127.0.0.1:$port" serve
      ;;
  esac
  echo "  $name starting on 127.0.0.1:$port (pid $(read -r p _ <"$(pidfile "$name")"; echo "$p"))"
}

wait_instance() { # NAME
  local port
  port=$(port_of "$1")
  if ! wait_http "http://127.0.0.1:$port/health" 90; then
    warn "$1 did not answer /health on 127.0.0.1:$port; last lines of its output:"
    tail -n 20 "$DIR/logs/$1/stdout.log" >&2 || true
    return 1
  fi
  running_pid "$1" >/dev/null || die "$1 answers but its pidfile does not name it: stop it by hand"
}

render_nginx() {
  local conf=$DIR/nginx/nginx.conf api=() web=() p
  for p in $API_PORTS; do api+=("127.0.0.1:$p"); done
  for p in $WEB_PORTS; do web+=("127.0.0.1:$p"); done
  local settings=() name
  for name in "${NGINX_SETTINGS[@]}"; do settings+=("$name=${!name:-}"); done
  mkdir -p "$DIR/nginx" "$DIR/logs/nginx"
  env "${settings[@]}" API_SERVERS="${api[*]}" WEB_SERVERS="${web[*]}" API_LISTEN=$API_LISTEN \
    WEB_LISTEN=$WEB_LISTEN STATUS_LISTEN=$STATUS_LISTEN \
    deploy/nginx/render.sh deploy/nginx/nginx.conf.template "$conf"
}

nginx_args() { echo "-p $DIR/nginx/ -c $DIR/nginx/nginx.conf -e stderr"; }

start_nginx() {
  if running_pid nginx >/dev/null; then
    echo "  nginx already running (pid $(running_pid nginx))"
    return 0
  fi
  local l
  for l in "$API_LISTEN" "$WEB_LISTEN" "$STATUS_LISTEN"; do
    port_open "${l%:*}" "${l##*:}" && die "$l (for nginx) is taken by another process"
  done
  render_nginx
  # shellcheck disable=SC2046
  nginx $(nginx_args) -t -q 2>>"$DIR/logs/nginx/error.log" \
    || { tail -n 5 "$DIR/logs/nginx/error.log" >&2; die "nginx rejects $DIR/nginx/nginx.conf"; }
  LAUNCH_ENV=()
  # shellcheck disable=SC2046
  launch nginx "$DIR/logs/nginx/error.log" "$(command -v nginx)" $(nginx_args) -g 'daemon off;'
  wait_http "http://$STATUS_LISTEN/nginx-health" 20 \
    || { tail -n 10 "$DIR/logs/nginx/error.log" >&2; die "nginx did not start"; }
  echo "  nginx on $API_LISTEN (API), $WEB_LISTEN (web), $STATUS_LISTEN (stub_status)"
}

# Stops NAME: SIGTERM (graceful: in-flight requests finish; nginx: SIGQUIT) then SIGKILL after
# 15 s, or SIGKILL at once with `kill`.
stop_one() { # NAME [KILL]
  local name=$1 how=${2:-TERM} pid signal=TERM
  pid=$(running_pid "$name") || { rm -f "$(pidfile "$name")"; return 0; }
  [ "$name" = nginx ] && signal=QUIT
  [ "$how" = KILL ] && signal=KILL
  kill "-$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while [ -d "/proc/$pid" ] && running_pid "$name" >/dev/null; do
    if [ $SECONDS -ge "$deadline" ]; then
      warn "$name (pid $pid) still running after 15 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 5))
    fi
    sleep 0.1
  done
  rm -f "$(pidfile "$name")"
  echo "  $name stopped ($signal, pid $pid)"
}

# --- commands ---------------------------------------------------------------------------------

build() {
  [ -n "${CLUSTER_SKIP_BUILD:-}" ] && return 0
  if [ "$PROFILE" = release ]; then
    deploy/local/install-tools.sh
    say "building in release (cargo leptos build --release, cargo build --release -p public-api)"
    cargo leptos build --release
    cargo build --release -p public-api
  else
    say "building the debug binaries (cargo build -p server -p public-api)"
    cargo build -p server -p public-api
  fi
}

cmd_up() {
  load_env_file
  ensure_command nginx nginx
  local running=0 name
  if [ -f "$STATE" ]; then
    load_settings
    for name in nginx $(instance_names); do running_pid "$name" >/dev/null && running=1; done
  fi
  if [ "$running" = 1 ]; then
    say "a cluster is already running from $DIR: starting what is missing"
  else
    settings_from_env
    ensure_postgres
    if ensure_redis; then :; else
      warn "Redis is not available: the API instances answer from PostgreSQL only"
    fi
    if [ -z "${API_TOKEN:-}" ]; then
      API_TOKEN=$(dotenv_new_token)
      dotenv_append .env API_TOKEN "$API_TOKEN"
      say "generated an API token into .env"
    fi
    build
    local server_bin=$ROOT/target/$PROFILE/server
    [ -x "$server_bin" ] || die "$server_bin is missing"
    [ -f "$SITE_ROOT/pkg/multimagasin.wasm" ] \
      || warn "no site in $SITE_ROOT/pkg: pages render but do not hydrate (cargo leptos build)"
    if [ "${CLUSTER_SEED:-1}" = 1 ]; then
      say "preparing the database (server seed)"
      DATABASE_URL=$DATABASE_URL "$server_bin" seed | tail -n 1
    else
      say "preparing the database (server migrate)"
      DATABASE_URL=$DATABASE_URL "$server_bin" migrate | tail -n 1
    fi
    save_settings
  fi
  say "starting $(api_names | wc -l) API and $(web_names | wc -l) web instances"
  for name in $(instance_names); do start_instance "$name"; done
  local failed=0
  for name in $(instance_names); do wait_instance "$name" || failed=1; done
  [ "$failed" = 0 ] || die "some instances did not start (logs in $DIR/logs); make cluster-down stops the others"
  say "starting nginx"
  start_nginx
  echo
  spread
  cat <<TXT

  The cluster is running ($PROFILE binaries, database $(pg_host "$DATABASE_URL"):$(pg_port "$DATABASE_URL")/${DATABASE_URL##*/}).

  Public API ($(api_names | wc -l) instances)   http://$API_LISTEN/api/v1
  API token                  $API_TOKEN
  Web UI ($(web_names | wc -l) instances)       http://$WEB_LISTEN   (demo accounts: see README, password demo)
  nginx stub_status          http://$STATUS_LISTEN/stub_status
  Logs                       $DIR/logs/<instance>/, nginx access log $DIR/nginx/access.log

  make status          what runs and which instance answers
  make cluster-down    stops exactly what was started here
TXT
}

# Which instances answer through nginx: 3 requests per instance.
spread() {
  local n i id
  n=$(($(api_names | wc -l) * 3))
  declare -A seen=()
  for i in $(seq 1 "$n"); do
    id=$(curl -s -m 5 -o /dev/null -D - "http://$API_LISTEN/health" | tr -d '\r' \
      | sed -n 's/^x-instance-id: //Ip' || true)
    seen[${id:-none}]=$((${seen[${id:-none}]:-0} + 1))
  done
  printf '  %d requests through http://%s/health answered by:' "$n" "$API_LISTEN"
  for id in $(printf '%s\n' "${!seen[@]}" | sort); do printf ' %s (%d)' "$id" "${seen[$id]}"; done
  echo
}

cmd_down() {
  if [ ! -f "$STATE" ]; then
    say "no cluster in $DIR"
    return 0
  fi
  load_settings
  say "stopping the cluster of $DIR"
  stop_one nginx
  local file name
  for file in "$RUN"/*.pid; do
    [ -e "$file" ] || continue
    name=$(basename "$file" .pid)
    stop_one "$name" &
  done
  wait
  rm -f "$STATE"
  rmdir "$RUN" 2>/dev/null || true
  say "stopped; logs kept in $DIR/logs"
}

cmd_status() {
  if [ ! -f "$STATE" ]; then
    echo "no cluster in $DIR (make cluster starts one)"
    return 0
  fi
  load_settings
  printf '%-7s %-8s %-22s %-8s %s\n' NAME PID ADDRESS STATE 'HEALTH (HTTP status, dependencies)'
  local name pid addr health
  for name in nginx $(instance_names); do
    if [ "$name" = nginx ]; then
      addr=$API_LISTEN,${WEB_LISTEN##*:}
      health=$(curl -s -m 2 "http://$STATUS_LISTEN/stub_status" | head -n 1 | tr -s ' ' | tr 'A-Z' 'a-z' || true)
    else
      addr=127.0.0.1:$(port_of "$name")
      health=$(curl -s -m 3 -w ' HTTP %{http_code}' "http://$addr/health" || true)
      health="${health##* HTTP } $({ grep -o '"\(database\|redis\|uptime_seconds\)":[^,}]*' <<<"$health" || true; } \
        | tr -d '"' | sed 's/uptime_seconds/uptime/; s/:/=/' | paste -sd' ' -)"
    fi
    if pid=$(running_pid "$name"); then
      printf '%-7s %-8s %-22s %-8s %s\n' "$name" "$pid" "$addr" running "${health:--}"
    else
      printf '%-7s %-8s %-22s %-8s %s\n' "$name" - "$addr" stopped -
    fi
  done
  if running_pid nginx >/dev/null; then
    echo
    spread
  fi
}

# True once nginx routes requests to NAME again: after failures, nginx rests an instance for
# fail_timeout (5 s) before it tries it again, even when it is back sooner.
wait_rejoined() { # NAME
  local listen=$API_LISTEN id deadline=$((SECONDS + 20))
  [[ $1 == web-* ]] && listen=$WEB_LISTEN
  while [ $SECONDS -lt "$deadline" ]; do
    id=$(curl -s -m 2 -o /dev/null -D - "http://$listen/health" | tr -d '\r' | sed -n 's/^x-instance-id: //Ip' || true)
    [ "$id" = "$1" ] && return 0
    sleep 0.2
  done
  return 1
}

# One instance at a time: stop it gracefully (in-flight requests finish), start it, wait until it
# is healthy and nginx sends it requests again, then the next one. Never two down at once, so
# nginx always has live instances to send requests to.
cmd_rolling_restart() { # [api|web]
  load_settings
  local name names
  case ${1:-} in
    api) names=$(api_names) ;;
    web) names=$(web_names) ;;
    '') names=$(instance_names) ;;
    *) die "usage: cluster.sh rolling-restart [api|web]" ;;
  esac
  for name in $names; do
    say "restarting $name"
    stop_one "$name"
    start_instance "$name"
    wait_instance "$name" || die "$name did not come back: the rolling restart stops here"
    if running_pid nginx >/dev/null; then
      wait_rejoined "$name" || die "nginx does not send requests to $name again: the rolling restart stops here"
      echo "  $name healthy and back behind nginx"
    fi
  done
  say "restarted $(echo "$names" | wc -w) instances one by one; nginx kept answering with the others"
}

cmd_logs() {
  load_settings
  local files=()
  if [ $# -gt 0 ]; then
    files=("$DIR/logs/$1"/*)
    [ "$1" = nginx ] && files+=("$DIR/nginx/access.log")
  else
    files=("$DIR"/logs/*/stdout.log "$DIR/logs/nginx/error.log" "$DIR/nginx/access.log")
  fi
  exec tail -n 20 -F "${files[@]}"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  start)
    load_settings
    [ -n "${2:-}" ] || die "usage: cluster.sh start NAME"
    if [ "$2" = nginx ]; then start_nginx; else start_instance "$2" && wait_instance "$2"; fi
    ;;
  stop) load_settings; stop_one "${2:?usage: cluster.sh stop NAME}" ;;
  kill) load_settings; stop_one "${2:?usage: cluster.sh kill NAME}" KILL ;;
  restart)
    load_settings
    stop_one "${2:?usage: cluster.sh restart NAME}"
    if [ "$2" = nginx ]; then start_nginx; else start_instance "$2" && wait_instance "$2"; fi
    ;;
  rolling-restart) shift; cmd_rolling_restart "$@" ;;
  logs) shift; cmd_logs "$@" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
