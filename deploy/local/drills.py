#!/usr/bin/env python3
"""Resilience drills, short form (run by deploy/local/drills.sh, Python 3 standard library only).

A private PostgreSQL cluster and a private redis-server (free ports, temp directory) serve one
debug `public-api` and one debug web `server`; the machine's shared PostgreSQL and Redis are never
touched. Each drill prints what it proved, and the script exits non-zero on the first broken
promise:

1. Redis stopped under load: no 5xx, answers equal PostgreSQL's truth, cache hits again once
   Redis is back (no restart of the API).
2. PostgreSQL restarted under load: while it is down, /health and data routes of the API and the
   web server answer 503 with Retry-After (no hang, no panic); both recover on their own.
3. Slow database: a table locked by another session makes the route reading it answer a 503
   problem after DB_STATEMENT_TIMEOUT_MS, not a hang or a 500; the route works once the lock goes.

An API instance killed behind nginx is drilled by deploy/local/ops-test.sh.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "drills-%d-%s" % (os.getpid(), os.urandom(16).hex())  # API_TOKEN: 32+ characters
STATEMENT_TIMEOUT_MS = 1000
# the binaries under test (DRILLS_BIN: another build, e.g. to show a drill failing before a fix)
BIN = os.environ.get("DRILLS_BIN", "target/debug")


class Broken(Exception):
    pass


def say(msg):
    print("\033[1m==>\033[0m %s" % msg, flush=True)


def proved(msg):
    print("  proved: %s" % msg, flush=True)


def check(cond, msg):
    if not cond:
        raise Broken(msg)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def http(method, url, body=None, headers=None, timeout=15):
    """(status, headers, bytes, seconds); status 0 when no HTTP answer came."""
    data = None
    hdrs = {"Authorization": "Bearer " + TOKEN}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read(), time.monotonic() - started
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read(), time.monotonic() - started
    except (urllib.error.URLError, OSError) as e:
        return 0, {}, str(e).encode(), time.monotonic() - started


def header(headers, name):
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


class Env:
    """The private services and the two applications, cleaned up on exit."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="mm-drills-")
        self.procs = {}
        self.bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [
            int(x) if x.isdigit() else 0 for x in p.split("/")])[-1]
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.api_port = free_port()
        self.web_port = free_port()
        self.pgdata = os.path.join(self.tmp, "pg")
        self.db_url = "postgres://postgres@127.0.0.1:%d/multimagasin" % self.pg_port
        self.api = "http://127.0.0.1:%d" % self.api_port
        self.web = "http://127.0.0.1:%d" % self.web_port

    # -- PostgreSQL --------------------------------------------------------------------------
    def pg_init(self):
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
        subprocess.run(self.as_pg + [self.bindir + "/initdb", "-D", self.pgdata, "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL)

    def pg_start(self):
        subprocess.run(self.as_pg + [
            self.bindir + "/pg_ctl", "-D", self.pgdata, "-l", os.path.join(self.tmp, "pg.log"),
            "-w", "-o", "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off" % (self.pg_port, self.tmp), "start"],
            check=True, stdout=subprocess.DEVNULL)

    def pg_stop(self):
        subprocess.run(self.as_pg + [self.bindir + "/pg_ctl", "-D", self.pgdata, "-m", "fast",
                                     "-w", "stop"], check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def psql(self, sql):
        out = subprocess.run(["psql", self.db_url, "-XAtqc", sql], check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    # -- Redis -------------------------------------------------------------------------------
    def redis_start(self):
        self.procs["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.tmp],
            stdout=open(os.path.join(self.tmp, "redis.log"), "ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: port_open(self.redis_port), 10, "redis-server did not start")

    def redis_stop(self):
        proc = self.procs.pop("redis", None)
        if proc:
            proc.kill()
            proc.wait()

    # -- the applications --------------------------------------------------------------------
    def start_apps(self):
        env = dict(os.environ, DATABASE_URL=self.db_url, API_TOKEN=TOKEN,
                   REDIS_URL="redis://127.0.0.1:%d" % self.redis_port,
                   CACHE_NAMESPACE="mm-drills-%d:" % os.getpid(), RATE_LIMIT_PER_MINUTE="0",
                   DB_STATEMENT_TIMEOUT_MS=str(STATEMENT_TIMEOUT_MS),
                   LOG_DIR=os.path.join(self.tmp, "logs"), LOG_LEVEL="warn",
                   LEPTOS_SITE_ROOT="target/site", LEPTOS_SITE_PKG_DIR="pkg",
                   RUST_BACKTRACE="1")
        for name, cmd in [
            ("api", [BIN + "/public-api", "--port", str(self.api_port)]),
            ("web", [BIN + "/server", "--addr", "127.0.0.1:%d" % self.web_port]),
        ]:
            self.procs[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=dict(env, INSTANCE_ID="drills-" + name),
                stdout=open(os.path.join(self.tmp, name + ".out"), "ab"),
                stderr=subprocess.STDOUT)
        for url in (self.api, self.web):
            wait_until(lambda: http("GET", url + "/health")[0] == 200, 60, url + " did not start")

    def apps_alive(self):
        return all(self.procs[n].poll() is None for n in ("api", "web"))

    def panics(self):
        found = []
        for path in glob.glob(os.path.join(self.tmp, "*.out")) + glob.glob(
                os.path.join(self.tmp, "logs", "*")):
            try:
                with open(path, errors="replace") as f:
                    found += [line.strip() for line in f if "panicked" in line]
            except OSError:
                pass
        return found

    def cleanup(self):
        for name in ("api", "web", "redis"):
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if os.path.exists(os.path.join(self.pgdata, "postmaster.pid")):
            self.pg_stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_until(pred, seconds, msg):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.2)
    raise Broken(msg)


class Load(threading.Thread):
    """Calls `requests` (name -> function returning (ok, status, detail)) in a loop, recording
    every outcome with its time, until stopped."""

    def __init__(self, requests, workers=1):
        super().__init__(daemon=True)
        self.requests = requests
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.workers = workers

    def run(self):
        def loop():
            while not self.stopping.is_set():
                for name, fn in self.requests:
                    started = time.monotonic()
                    try:
                        ok, status, detail = fn()
                    except Exception as e:  # a drill's own bug must fail it, not hang it
                        ok, status, detail = False, -1, repr(e)
                    with self.lock:
                        self.results.append((started, time.monotonic() - started, name, ok,
                                             status, detail))
        threads = [threading.Thread(target=loop, daemon=True) for _ in range(self.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def stop(self):
        self.stopping.set()
        self.join(30)

    def between(self, start, end):
        with self.lock:
            return [r for r in self.results if start <= r[0] < end]


def drill_redis(env):
    say("drill 1: Redis stopped under load")
    rows = env.psql("SELECT id || '|' || name || '|' || price FROM products WHERE active "
                    "ORDER BY id LIMIT 6").splitlines()
    truth = {int(i): (n, Decimal(p)) for i, n, p in (r.split("|", 2) for r in rows)}
    check(len(truth) >= 3, "the seeded database has no products")
    stores = int(env.psql("SELECT count(*) FROM stores"))

    def product(pid):
        def call():
            status, _, body, _ = http("GET", "%s/api/v1/products/%d" % (env.api, pid))
            if status != 200:
                return False, status, body[:200]
            p = json.loads(body)
            ok = (p.get("nom"), Decimal(str(p.get("prix")))) == truth[pid]
            return ok, status, "" if ok else "got %s, PostgreSQL says %s" % (p, truth[pid])
        return call

    def store_list():
        status, _, body, _ = http("GET", env.api + "/api/v1/stores")
        if status != 200:
            return False, status, body[:200]
        items = json.loads(body)
        ok = isinstance(items, list) and len(items) == stores
        return ok, status, "" if ok else "store list differs from PostgreSQL: %s" % body[:200]

    def stats():
        return json.loads(http("GET", env.api + "/api/v1/cache/stats")[2])

    for pid in truth:  # warm the cache
        product(pid)()
        product(pid)()
    check(stats()["hits"] > 0, "no cache hit while Redis is up")
    load = Load([("product %d" % p, product(p)) for p in truth] + [("stores", store_list)],
                workers=2)
    load.start()
    time.sleep(1.5)
    down_at = time.monotonic()
    env.redis_stop()
    time.sleep(4)
    health = json.loads(http("GET", env.api + "/health")[2])
    up_at = time.monotonic()
    env.redis_start()
    wait_until(lambda: json.loads(http("GET", env.api + "/health")[2]).get("redis") == "up", 15,
               "the API does not see Redis again")
    hits = stats()["hits"]
    for pid in truth:
        product(pid)()
        product(pid)()
    hits_after = stats()["hits"]
    time.sleep(1)
    load.stop()
    during = load.between(down_at, up_at)
    bad = [r for r in load.results if not r[3]]
    check(not bad, "%d wrong answers, e.g. %s" % (len(bad), bad[:3]))
    check(len(during) >= 10, "too few requests while Redis was down (%d)" % len(during))
    check(health.get("redis") == "down" and health.get("status") == "ok",
          "/health while Redis is down: %s" % health)
    check(hits_after > hits, "no cache hit after Redis came back (%d -> %d)" % (hits, hits_after))
    slowest = max(r[1] for r in during)
    proved("%d requests during the 4 s outage (%d in all): every one 200, equal to PostgreSQL, "
           "slowest %.0f ms" % (len(during), len(load.results), slowest * 1000))
    proved("/health says redis down, status ok, while Redis is stopped")
    proved("cache hits again after Redis returns (+%d hits), API not restarted"
           % (hits_after - hits))


def drill_postgres(env):
    say("drill 2: PostgreSQL restarted under load")
    store = int(env.psql("SELECT min(id) FROM stores"))
    status, headers, _, _ = http("POST", env.web + "/api/login", b"login=gerant1&password=demo",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    cookie = (header(headers, "set-cookie") or "").split(";")[0]
    check(status == 200 and cookie.startswith("mm_session="), "cannot sign in to the web UI")

    def route(name, method, url, body=None, headers=None):
        def call():
            status, hdrs, payload, _ = http(method, url, body, headers, timeout=20)
            ok = status == 200 or (status == 503 and header(hdrs, "retry-after") is not None)
            return ok, status, "" if ok else payload[:200]
        return name, call

    web_fn = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    routes = [
        route("api /health", "GET", env.api + "/health"),
        route("api stock", "GET", "%s/api/v1/stores/%d/stock" % (env.api, store)),
        route("web /health", "GET", env.web + "/health"),
        route("web whoami", "POST", env.web + "/api/whoami", b"", web_fn),
        route("web page /", "GET", env.web + "/", None, {"Cookie": cookie, "Accept": "text/html"}),
    ]
    load = Load(routes, workers=2)
    load.start()
    time.sleep(1)
    down_at = time.monotonic()
    env.pg_stop()
    # every route, while PostgreSQL is down: 503 + Retry-After, quickly
    seen = {}
    for name, call in routes:
        ok, status, detail = call()
        seen[name] = status
        check(status == 503 and ok, "%s while PostgreSQL is down: %s %s" % (name, status, detail))
    time.sleep(2)
    up_at = time.monotonic()
    env.pg_start()
    wait_until(lambda: all(call()[1] == 200 for _, call in routes), 30,
               "the applications did not recover after PostgreSQL restarted")
    recovered = time.monotonic() - up_at
    time.sleep(0.5)
    load.stop()
    bad = [r for r in load.results if not r[3]]
    check(not bad, "%d answers neither 200 nor 503+Retry-After, e.g. %s" % (len(bad), bad[:3]))
    during = load.between(down_at, up_at)
    codes = sorted({r[4] for r in during})
    check(env.apps_alive(), "an application exited")
    check(not env.panics(), "panic in the logs: %s" % env.panics()[:3])
    slowest = max(r[1] for r in during) if during else 0
    proved("while PostgreSQL was down: %s each answered 503 with Retry-After"
           % ", ".join(sorted(seen)))
    proved("%d requests during the outage (status %s, slowest %.1f s), none other than "
           "200 or 503+Retry-After" % (len(during), codes, slowest))
    proved("API and web recovered %.1f s after PostgreSQL was back, same processes, no panic"
           % recovered)


def drill_slow(env):
    say("drill 3: slow database (statement_timeout %d ms, table locked by another session)"
        % STATEMENT_TIMEOUT_MS)
    store = int(env.psql("SELECT min(id) FROM stores"))
    url = "%s/api/v1/stores/%d/stock" % (env.api, store)
    check(http("GET", url)[0] == 200, "stock route fails before the drill")
    locker = subprocess.Popen(
        ["psql", env.db_url, "-Xq", "-c",
         "BEGIN; LOCK TABLE products IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, PGAPPNAME="mm-drill-locker"))
    try:
        wait_until(lambda: env.psql(
            "SELECT count(*) FROM pg_locks WHERE relation = 'products'::regclass "
            "AND mode = 'AccessExclusiveLock' AND granted") == "1", 10, "lock not taken")
        status, headers, body, seconds = http("GET", url, timeout=30)
        problem = json.loads(body) if body.startswith(b"{") else {}
        check(status in (503, 504), "locked table: status %s, %s" % (status, body[:200]))
        check(header(headers, "content-type") == "application/problem+json",
              "locked table: not a problem document")
        check(header(headers, "retry-after") is not None, "locked table: no Retry-After")
        check(seconds < STATEMENT_TIMEOUT_MS / 1000 + 3, "locked table: took %.1f s" % seconds)
        check(env.apps_alive(), "the API exited")
    finally:
        # the server side of the session keeps the lock until it is ended there
        env.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE application_name = 'mm-drill-locker'")
        locker.kill()
        locker.wait()
    wait_until(lambda: http("GET", url)[0] == 200, 15, "stock route did not recover")
    proved("a read stuck behind a lock answered %d %s (problem+json, Retry-After) in %.1f s"
           % (status, problem.get("error_code"), seconds))
    proved("the same route answers 200 as soon as the lock is released")


def main():
    os.chdir(ROOT)
    for tool in ("redis-server", "psql"):
        check(shutil.which(tool), "%s is missing" % tool)
    for binary in (BIN + "/public-api", BIN + "/server"):
        check(os.access(binary, os.X_OK),
              "%s is missing: cargo build -p server -p public-api" % binary)
    started = time.monotonic()
    env = Env()
    try:
        say("private PostgreSQL on :%d, private Redis on :%d" % (env.pg_port, env.redis_port))
        env.pg_init()
        env.pg_start()
        env.redis_start()
        seed = subprocess.run([BIN + "/server", "seed"], cwd=ROOT, capture_output=True,
                              text=True, env=dict(os.environ, DATABASE_URL=env.db_url))
        check(seed.returncode == 0, "seed failed: %s" % seed.stderr[-500:])
        print("  " + seed.stdout.strip().splitlines()[-1], flush=True)
        env.start_apps()
        for drill in (drill_redis, drill_postgres, drill_slow):
            t = time.monotonic()
            drill(env)
            print("  (%.1f s)" % (time.monotonic() - t), flush=True)
        say("drills passed in %.0f s (API instance killed: see deploy/local/ops-test.sh)"
            % (time.monotonic() - started))
        return 0
    except (Broken, subprocess.CalledProcessError) as e:
        print("\033[31mdrill failed:\033[0m %s" % e, file=sys.stderr, flush=True)
        for name in ("api.out", "web.out"):
            path = os.path.join(env.tmp, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-15:]
                print("--- %s (last lines)\n%s" % (name, "".join(tail)), file=sys.stderr)
        return 1
    finally:
        env.cleanup()


if __name__ == "__main__":
    sys.exit(main())
