#!/usr/bin/env bash
# Operations checks (run by `make test`): the deployment files, the observability configuration,
# and the load-balanced topology run for real on this machine.
#
#   1. static      promtool check config / check rules / test rules (alert unit tests), the
#                  compose files and Dockerfiles checked structurally (never seeding, secrets
#                  required, only nginx published, TLS overlay), the PromQL reader, .env mode 600
#   2. nginx       the nginx template on a real nginx with fake instances: GETs retried, POSTs
#                  never re-sent, X-Request-Id, gzip, body limit, stub_status, /metrics refused,
#                  security headers, 429 past the limits per address, trusted proxies, TLS
#   secrets        the binaries refuse to start with a placeholder or short API_TOKEN /
#                  ADMIN_PASSWORD
#   3. cluster     `deploy/local/cluster.sh up` on free ports with a database of its own: nginx,
#                  3 API and 2 web instances (debug binaries), then the failover drills
#                  (deploy/local/ops/failover_test.py) and the metric-name check against the
#                  /metrics of the running instances
#   4. backup      pg-backup.sh and restore-drill.sh on that database
#   5. teardown    `cluster.sh down` stops exactly the processes it started
#
# Uses target/debug/server and target/debug/public-api (built with cargo if missing), the local
# PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432) and Redis (REDIS_URL, else 127.0.0.1:6379); installs nginx, promtool
# (Debian's prometheus package) and PyYAML when missing. Never touches other databases, ports or
# cache keys: everything it creates is named after its pid and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh
export PATH="$PATH:/usr/sbin:/sbin"
started=$SECONDS
failed_steps=()
timings=()

step() { # NAME COMMAND...: runs one step, records its time and result, goes on after a failure
  local name=$1 t0=$SECONDS rc=0
  shift
  say "ops: $name"
  "$@" || rc=$?
  timings+=("$(printf '%-10s %3d s  %s' "$name" $((SECONDS - t0)) "$([ $rc -eq 0 ] && echo ok || echo FAILED)")")
  [ $rc -eq 0 ] || failed_steps+=("$name")
  return 0
}

# --- tools ------------------------------------------------------------------------------------
ensure_command nginx nginx
ensure_command promtool prometheus
ensure_python_module yaml pyyaml python3-yaml

# --- 1. static checks ---------------------------------------------------------------------------
static_checks() {
  local rc=0
  promtool check config observability/prometheus/prometheus.yml >/dev/null \
    && echo "  ok    promtool check config: observability/prometheus/prometheus.yml" \
    || { promtool check config observability/prometheus/prometheus.yml; rc=1; }
  local out
  if out=$(promtool check rules observability/prometheus/rules/*.yml 2>&1); then
    echo "  ok    promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out" | paste -sd, -)"
  else
    echo "$out"; rc=1
  fi
  if out=$(promtool test rules observability/prometheus/tests/*.test.yml 2>&1); then
    echo "  ok    promtool test rules: $(grep -c 'eval_time' observability/prometheus/tests/*.test.yml) alert evaluations as expected (firing and quiet)"
  else
    echo "$out"; rc=1
  fi
  python3 deploy/local/ops/metric_names.py --self-test || rc=1
  python3 - <<'PY' || rc=1
import json, glob, yaml
for path in glob.glob("observability/grafana/dashboards/*.json"):
    d = json.load(open(path))
    assert d["uid"] and d["panels"], path
    for p in d["panels"]:
        for t in p.get("targets", []):
            assert t["datasource"]["uid"] == "prometheus", (path, p["title"])
ds = yaml.safe_load(open("observability/grafana/provisioning/datasources/prometheus.yml"))
assert ds["datasources"][0]["uid"] == "prometheus"
am = yaml.safe_load(open("observability/alertmanager/alertmanager.yml"))
names = {r["name"] for r in am["receivers"]}
def routes(r):
    yield r
    for c in r.get("routes", []):
        yield from routes(c)
assert all(r["receiver"] in names for r in routes(am["route"])), "a route names an unknown receiver"
print(f"  ok    {len(glob.glob('observability/grafana/dashboards/*.json'))} Grafana dashboards use the provisioned datasource; "
      f"alertmanager routes name existing receivers ({', '.join(sorted(names))})")
PY
  python3 deploy/local/ops/compose_check.py || rc=1
  for f in deploy/nginx/render.sh deploy/backup/*.sh; do sh -n "$f" || rc=1; done
  for f in deploy/local/cluster.sh deploy/local/run.sh deploy/local/dotenv.sh; do bash -n "$f" || rc=1; done
  dotenv_checks || rc=1
  return $rc
}

# make run / make cluster: .env holds the API token, so only its owner reads it
dotenv_checks() (
  source deploy/local/dotenv.sh
  dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
  umask 022
  dotenv_append "$dir/new.env" API_TOKEN "$(dotenv_new_token)"
  printf 'LOG_LEVEL=info\n' >"$dir/old.env" && chmod 644 "$dir/old.env"
  dotenv_private "$dir/old.env" 2>/dev/null
  dotenv_append "$dir/old.env" API_TOKEN x
  new=$(stat -c %a "$dir/new.env") old=$(stat -c %a "$dir/old.env")
  token=$(sed -n 's/^API_TOKEN=//p' "$dir/new.env")
  if [ "$new" = 600 ] && [ "$old" = 600 ] && [ ${#token} -ge 32 ]; then
    echo "  ok    .env is created with mode 600 (even under umask 022), an existing 644 one is narrowed to 600; generated token: ${#token} characters"
  else
    echo "  FAIL  .env modes: new $new, existing $old (want 600); token ${#token} characters"
    return 1
  fi
)
step static static_checks

# --- 2. nginx semantics ---------------------------------------------------------------------
step nginx python3 deploy/local/ops/nginx_semantics.py \
  --template deploy/nginx/nginx.conf.template --render deploy/nginx/render.sh

# --- 3. the cluster ---------------------------------------------------------------------------
if [ ! -x target/debug/server ] || [ ! -x target/debug/public-api ]; then
  say "building the debug binaries (cargo build -p server -p public-api)"
  cargo build -p server -p public-api
fi

# --- the binaries refuse weak secrets at start (before any connection) ---------------------------
secrets_checks() {
  local rc=0 out code port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  refused() { # WHAT EXPECTED COMMAND...: the command must exit non-zero at once with EXPECTED
    local what=$1 expected=$2
    shift 2
    code=0
    out=$(timeout 20 env -u API_TOKEN -u ADMIN_PASSWORD LOG_DIR="$(mktemp -d)" "$@" 2>&1 >/dev/null) || code=$?
    if [ "$code" != 0 ] && [ "$code" != 124 ] && grep -q "$expected" <<<"$out"; then
      echo "  ok    $what: exits ($code) with \"$(grep -m1 -o "$expected[^.]*" <<<"$out")\""
    else
      echo "  FAIL  $what: exit $code, output: $(tail -n 2 <<<"$out")"
      rc=1
    fi
  }
  refused "public-api with API_TOKEN=change-me" "API_TOKEN is refused: it is a placeholder" \
    env API_TOKEN=change-me target/debug/public-api --host 127.0.0.1 --port "$port" serve
  refused "public-api with a 20-character API_TOKEN" "API_TOKEN is refused: it has 20 characters" \
    env API_TOKEN=k3f9x2m7q1w8e4r6t5y0 target/debug/public-api --host 127.0.0.1 --port "$port" serve
  refused "server with ADMIN_PASSWORD=password123" "ADMIN_PASSWORD is refused: it is a placeholder" \
    env ADMIN_PASSWORD=password123 target/debug/server --addr "127.0.0.1:$port" serve
  refused "server with a 10-character ADMIN_PASSWORD" "ADMIN_PASSWORD is refused: it has 10 characters" \
    env ADMIN_PASSWORD=Vx7-pq2!Zr target/debug/server --addr "127.0.0.1:$port" serve
  return $rc
}
step secrets secrets_checks

url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=${url%/*}
port_open "$(pg_host "$url")" "$(pg_port "$url")" || start_system_postgres \
  || die "PostgreSQL does not answer at $(pg_host "$url"):$(pg_port "$url")"
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}   # another Redis: REDIS_URL
if [ "$redis_url" = redis://127.0.0.1:6379 ]; then
  ensure_redis || die "Redis is needed on 127.0.0.1:6379 (apt-get install redis-server)"
fi
db=mm_ops_run_$$
namespace="mmops$$:"
work=$(mktemp -d -t multimagasin-ops.XXXXXX)
export CLUSTER_DIR=$work/cluster

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -f "$CLUSTER_DIR/cluster.env" ]; then deploy/local/cluster.sh down >/dev/null 2>&1 || true; fi
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 \
    || warn "could not drop the database $db"
  redis-cli -u "$redis_url" --scan --pattern "$namespace*" 2>/dev/null \
    | xargs -r redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] || [ ${#failed_steps[@]} -gt 0 ]; then
    for f in "$CLUSTER_DIR"/logs/*/stdout.log "$CLUSTER_DIR"/logs/nginx/error.log; do
      [ -s "$f" ] && { echo "--- last lines of $f"; tail -n 15 "$f"; }
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Seeding the demo data takes ~25 s in debug: it is done once per server binary and day into a
# template database (lib.sh's seed_copy, shared with the other scripts), then each run copies it.
prepare_database() {
  # leftovers of runs that died, and the templates of the earlier per-script scheme
  local name
  for name in $(psql "$base/postgres" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'mm_ops_%'"); do
    case $name in
      mm_ops_run_*) kill -0 "${name#mm_ops_run_}" 2>/dev/null \
        || psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true ;;
      mm_ops_tpl_*) psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true ;;
    esac
  done
  seed_copy "$base/$db" | sed 's/^/  /'
  echo "  ok    database $db (demo data: $(psql "$base/$db" -Atc 'SELECT count(*) FROM sales') sales)"
}

free_ports() { python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"; }

# The drills' steady load comes from 127.0.0.1, which nginx's per-address limits must not cut
# (NGINX_LIMIT_EXEMPT); failover_test.py meets those limits from 127.0.0.2.
start_cluster() {
  prepare_database || return 1
  local ports
  read -r -a ports <<<"$(free_ports 8)"
  CLUSTER_PROFILE=debug CLUSTER_SKIP_BUILD=1 CLUSTER_SEED=0 CLUSTER_ENV_FILE= \
    CLUSTER_API_PORTS="${ports[0]} ${ports[1]} ${ports[2]}" CLUSTER_WEB_PORTS="${ports[3]} ${ports[4]}" \
    CLUSTER_API_LISTEN=127.0.0.1:${ports[5]} CLUSTER_WEB_LISTEN=127.0.0.1:${ports[6]} \
    CLUSTER_STATUS_LISTEN=127.0.0.1:${ports[7]} \
    DATABASE_URL=$base/$db REDIS_URL=$redis_url CACHE_NAMESPACE=$namespace \
    API_TOKEN=ops-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n') RATE_LIMIT_PER_MINUTE=0 \
    DATABASE_POOL_SIZE=4 LOG_LEVEL=info NGINX_LIMIT_EXEMPT=127.0.0.1 \
    deploy/local/cluster.sh up 2>&1 | grep -E '^  (api-|web-|nginx on|[0-9]+ requests)'
  [ "${PIPESTATUS[0]}" -eq 0 ]
}
step cluster start_cluster

cluster_checks() {
  [ -f "$CLUSTER_DIR/cluster.env" ] || { echo "  FAIL  no cluster"; return 1; }
  local rc=0
  python3 deploy/local/ops/failover_test.py --metrics-dir "$work/metrics" || rc=1
  say "ops: metric names"
  python3 deploy/local/ops/metric_names.py --rules observability/prometheus/rules \
    --dashboards observability/grafana/dashboards "$work"/metrics/*.prom || rc=1
  return $rc
}
step failover cluster_checks

# --- 4. backup and restore drill ----------------------------------------------------------------
backup_drill() {
  local out rc=0
  DATABASE_URL=$base/$db BACKUP_DIR=$work/backups deploy/backup/pg-backup.sh | sed 's/^/  /' || return 1
  out=$(DATABASE_URL=$base/$db BACKUP_DIR=$work/backups deploy/backup/restore-drill.sh 2>&1) || rc=1
  sed 's/^/  /' <<<"$out"
  # nothing wrote in between: the copy must hold exactly the live rows
  local sales
  sales=$(grep -E 'restore-drill: +sales ' <<<"$out" | awk '{print $4, $6}')
  if [ "$rc" = 0 ] && [ "$(cut -d' ' -f1 <<<"$sales")" = "$(cut -d' ' -f2 <<<"$sales")" ]; then
    echo "  ok    the dump restores into a scratch database with every table and the same $(cut -d' ' -f1 <<<"$sales") sales"
  else
    echo "  FAIL  restore drill"; rc=1
  fi
  return $rc
}
step backup backup_drill

# --- 5. teardown: cluster-down stops exactly what it started ------------------------------------
teardown() {
  [ -f "$CLUSTER_DIR/cluster.env" ] || return 1
  local pids=() f pid exe ports
  for f in "$CLUSTER_DIR"/run/*.pid; do read -r pid exe <"$f"; pids+=("$pid"); done
  ports=$(source "$CLUSTER_DIR/cluster.env"; echo "$API_PORTS $WEB_PORTS ${API_LISTEN##*:} ${WEB_LISTEN##*:} ${STATUS_LISTEN##*:}")
  deploy/local/cluster.sh down >/dev/null
  local alive=() open=() p
  for pid in "${pids[@]}"; do # a zombie waiting for its reaper is not running
    [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && alive+=("$pid")
  done
  for p in $ports; do port_open 127.0.0.1 "$p" && open+=("$p"); done
  if [ ${#alive[@]} -eq 0 ] && [ ${#open[@]} -eq 0 ]; then
    echo "  ok    cluster.sh down stopped the ${#pids[@]} processes it started (nginx, 3 API, 2 web); their ports are free"
  else
    echo "  FAIL  still running: ${alive[*]:-none}; ports still open: ${open[*]:-none}"
    return 1
  fi
}
step teardown teardown

echo
say "ops checks: $((SECONDS - started)) s"
printf '  %s\n' "${timings[@]}"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "ops: FAILED (${failed_steps[*]})"
  exit 1
fi
echo "ops: passed"
