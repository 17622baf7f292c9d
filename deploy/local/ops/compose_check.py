#!/usr/bin/env python3
"""Structural checks of the compose files, the Dockerfiles and what they refer to, without a
container engine (`docker compose config` is not available everywhere):

  - every service has an image or a build whose Dockerfile exists; third-party images are pinned;
  - Dockerfiles are multi-stage, run as a non-root user, have a HEALTHCHECK and EXPOSE their port;
  - ports parse, no host port is published twice, the container port is the one the service uses;
  - depends_on targets exist, a service waited for as healthy has a health check, a one-shot
    waited for as completed never restarts, every app waits for the migrations;
  - every ${VARIABLE} of the compose files is listed in .env.example (required ones uncommented);
  - nginx's upstream hosts are the API and web services, and every instance is behind nginx;
  - Prometheus scrapes exactly the instances and exporters the stack runs;
  - named volumes are declared and bind-mounted files exist;
  - production never seeds: the migrate service runs `migrate` and nothing names `seed`;
  - the secrets are required (`${NAME:?...}`, never a default) and reach the services that check
    them (API_TOKEN the API, ADMIN_PASSWORD the web UI);
  - only nginx is published (monitoring on the host's loopback only); Prometheus scrapes the
    instances directly, never /metrics through nginx (which refuses it);
  - the TLS overlay mounts the certificate, turns TLS on in nginx and publishes the redirect port;
    the web instances take SECURE_COOKIES from .env.

    compose_check.py            (from anywhere; paths are relative to the repository)
"""

import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
STACKS = {
    "one node": ["docker-compose.yml"],
    "one node + TLS": ["docker-compose.yml", "docker-compose.tls.yml"],
    "load-balanced": ["docker-compose.loadbalanced.yml"],
    "load-balanced + TLS": ["docker-compose.loadbalanced.yml", "docker-compose.tls.yml"],
    "load-balanced + monitoring": ["docker-compose.loadbalanced.yml", "docker-compose.monitoring.yml"],
}
# instances behind nginx: at least (API, web)
MIN_INSTANCES = {"docker-compose.yml": (1, 1), "docker-compose.loadbalanced.yml": (3, 2)}
# what must come from .env, never with a default, and which image checks it at start
SECRETS = {"POSTGRES_PASSWORD": None, "API_TOKEN": "deploy/docker/Dockerfile.api",
           "ADMIN_PASSWORD": "deploy/docker/Dockerfile.server", "GRAFANA_ADMIN_PASSWORD": None}
# the port each of our images listens on
APP_PORTS = {"deploy/docker/Dockerfile.server": 8080, "deploy/docker/Dockerfile.api": 8000}
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")

failures = 0


def check(ok, what, detail=""):
    global failures
    if ok:
        print(f"  ok    {what}")
    else:
        failures += 1
        print(f"  FAIL  {what}{': ' + str(detail) if detail else ''}")


def env_example():
    active, listed = {}, set()
    with open(os.path.join(ROOT, ".env.example"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
            if m:
                listed.add(m.group(2))
                if not m.group(1):
                    active[m.group(2)] = m.group(3).strip()
    return active, listed


def substitute(value, env):
    """Interpolates like compose: ${X:-default}, ${X:?error}, ${X}; $$ is a literal $."""
    def one(m):
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if name in env and env[name] != "":
            return env[name]
        if op in (":-", "-"):
            return arg
        return ""
    return VARIABLE.sub(one, value).replace("$$", "$")


def walk_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from walk_strings(k)
            yield from walk_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_strings(v)


def merge_service(base, override):
    """Like compose: ports appended, volumes replaced by container path, mappings merged by
    key (environment, depends_on...), anything else replaced."""
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if key == "ports" and isinstance(old, list):
            out[key] = old + list(value)
        elif key == "volumes" and isinstance(old, list):
            target = lambda v: str(v).split(":")[1] if ":" in str(v) else str(v)
            kept = [v for v in old if target(v) not in {target(n) for n in value}]
            out[key] = kept + list(value)
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = dict(old, **value)
        else:
            out[key] = value
    return out


def load(files):
    merged = {"services": {}, "volumes": {}}
    raw = []
    for name in files:
        path = os.path.join(DEPLOY, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        doc = yaml.safe_load(text)
        raw.append((name, text, doc))
        for service, spec in (doc.get("services") or {}).items():
            merged["services"][service] = merge_service(merged["services"].get(service, {}), spec)
        merged["volumes"].update(doc.get("volumes") or {})
    return merged, raw


def dockerfile_facts(path):
    with open(path, encoding="utf-8") as f:
        lines = [l.strip() for l in f if l.strip() and not l.strip().startswith("#")]
    stages = [i for i, l in enumerate(lines) if l.upper().startswith("FROM ")]
    final = lines[stages[-1]:] if stages else []
    users = [l.split(None, 1)[1] for l in final if l.upper().startswith("USER ")]
    return {
        "stages": len(stages),
        "user": users[-1] if users else None,
        "healthcheck": any(l.upper().startswith("HEALTHCHECK ") for l in final),
        "expose": [int(p.split("/")[0]) for l in final if l.upper().startswith("EXPOSE ") for p in l.split()[1:]],
    }


def service_dockerfile(spec):
    build = spec.get("build")
    if not build:
        return None
    if isinstance(build, str):
        build = {"context": build}
    context = os.path.normpath(os.path.join(DEPLOY, build.get("context", ".")))
    return os.path.relpath(os.path.join(context, build.get("dockerfile", "Dockerfile")), ROOT)


def port_mapping(entry, env):
    text = substitute(str(entry), env)
    m = re.fullmatch(r"(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):(\d+)(?:/(tcp|udp))?", text)
    return (m.group(1) or "0.0.0.0", int(m.group(2)), int(m.group(3))) if m else None


def check_stack(title, files, env_active, env_listed):
    print(f"- {title}: {' + '.join(files)}")
    stack, raw = load(files)
    services = stack["services"]
    check(bool(services), f"{len(services)} services: {', '.join(services)}")

    # variables
    used, required = set(), set()
    for name, text, _ in raw:
        for m in VARIABLE.finditer(text):
            used.add(m.group(1))
            if m.group(2) in (":?", "?"):
                required.add(m.group(1))
    missing = sorted(used - env_listed)
    check(not missing, f"the {len(used)} variables the files use are listed in .env.example", missing)
    unset = sorted(v for v in required if v not in env_active)
    check(not unset, f"the required ones ({', '.join(sorted(required))}) have a placeholder in .env.example", unset)

    # images, builds, Dockerfiles
    problems = []
    own = {}
    for name, spec in services.items():
        dockerfile = service_dockerfile(spec)
        image = substitute(spec.get("image", ""), env_active)
        if dockerfile:
            if not os.path.isfile(os.path.join(ROOT, dockerfile)):
                problems.append(f"{name}: {dockerfile} missing")
            own[name] = dockerfile
        elif not image:
            problems.append(f"{name}: neither image nor build")
        elif ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
            problems.append(f"{name}: third-party image {image} is not pinned to a version")
    check(not problems, "every service has a pinned image or a build from an existing Dockerfile", problems)
    for dockerfile in sorted(set(own.values())):
        facts = dockerfile_facts(os.path.join(ROOT, dockerfile))
        port = APP_PORTS.get(dockerfile)
        check(facts["stages"] >= 2 and facts["user"] not in (None, "root", "0", "0:0") and facts["healthcheck"]
              and port in facts["expose"],
              f"{dockerfile}: {facts['stages']} stages, runs as {facts['user']}, HEALTHCHECK, EXPOSE {port}", facts)

    # ports
    published, problems = {}, []
    for name, spec in services.items():
        for entry in spec.get("ports", []) or []:
            mapping = port_mapping(entry, env_active)
            if not mapping:
                problems.append(f"{name}: cannot read port {entry!r}")
                continue
            host_ip, host, container = mapping
            if (host_ip, host) in published:
                problems.append(f"host port {host} published by {published[(host_ip, host)]} and {name}")
            published[(host_ip, host)] = name
            expected = APP_PORTS.get(own.get(name))
            if expected and container != expected:
                problems.append(f"{name} listens on {expected}, not {container}")
    check(not problems, f"published ports are well-formed and distinct: "
          + ", ".join(f"{s} {h}" for (_, h), s in sorted(published.items(), key=lambda x: x[0][1])), problems)

    # health checks and dependencies
    problems = []
    for name, spec in services.items():
        deps = spec.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for target, how in deps.items():
            condition = (how or {}).get("condition", "service_started")
            if target not in services:
                problems.append(f"{name} depends on {target}, which does not exist")
                continue
            tspec = services[target]
            if condition == "service_healthy":
                has = "healthcheck" in tspec or (own.get(target) and dockerfile_facts(os.path.join(ROOT, own[target]))["healthcheck"])
                if not has:
                    problems.append(f"{name} waits for {target} to be healthy but {target} has no health check")
            elif condition == "service_completed_successfully":
                if str(tspec.get("restart", "no")) != "no":
                    problems.append(f"{name} waits for {target} to complete but {target} restarts ({tspec.get('restart')})")
            elif condition != "service_started":
                problems.append(f"{name}: unknown condition {condition}")
    check(not problems, "depends_on targets exist; healthy/completed conditions fit their targets", problems)

    long_running = [n for n, s in services.items() if str(s.get("restart", "no")) != "no"
                    and n not in ("backup",) and not n.endswith("-exporter")]
    no_health = [n for n in long_running if "healthcheck" not in services[n]]
    check(not no_health, f"every long-running service has a health check ({len(long_running)} services)", no_health)

    apps = [n for n in own if n != "migrate"]
    if "migrate" in services:
        m = services["migrate"]
        waits = [n for n in apps
                 if ((services[n].get("depends_on") or {}).get("migrate") or {}).get("condition") == "service_completed_successfully"]
        check(sorted(waits) == sorted(apps) and str(m.get("restart")) == "no"
              and "postgres" in (m.get("depends_on") or {}),
              f"migrations run once (restart: no) after PostgreSQL is healthy, before {', '.join(sorted(apps))}",
              sorted(set(apps) - set(waits)))

    # instances
    ids = {}
    for name in apps:
        env = services[name].get("environment") or {}
        ids[name] = env.get("INSTANCE_ID")
    dup = [i for i in ids.values() if list(ids.values()).count(i) > 1]
    check(all(ids.values()) and not dup, f"every instance has its own INSTANCE_ID: "
          + ", ".join(f"{k}={v}" for k, v in sorted(ids.items())), ids)

    if "redis" in services:
        cmd = " ".join(services["redis"].get("command") or [])
        check("--maxmemory" in cmd and "allkeys-lru" in cmd and services["redis"]["image"].startswith("redis:7"),
              "Redis 7 with maxmemory and allkeys-lru", cmd)
    if "postgres" in services:
        version = re.match(r"postgres:(\d+)", services["postgres"]["image"])
        check(version and int(version.group(1)) >= 15, f"PostgreSQL {version.group(1) if version else '?'} (15 or later)")

    # nginx upstreams
    api_services = sorted(n for n in apps if own[n].endswith("Dockerfile.api"))
    web_services = sorted(n for n in apps if own[n].endswith("Dockerfile.server"))
    if "nginx" in services:
        env = services["nginx"].get("environment") or {}
        for var, members, port in (("API_SERVERS", api_services, 8000), ("WEB_SERVERS", web_services, 8080)):
            addrs = str(env.get(var, "")).replace(",", " ").split()
            hosts = [a.rsplit(":", 1)[0] for a in addrs]
            ports = {int(a.rsplit(":", 1)[1]) for a in addrs if ":" in a}
            check(sorted(hosts) == members and ports == {port},
                  f"nginx {var} = {' '.join(addrs)}: exactly the {len(members)} services, on their port {port}",
                  (hosts, members, ports))
        template = os.path.join(DEPLOY, "nginx", "nginx.conf.template")
        mounts = [v for v in services["nginx"].get("volumes", []) if v.startswith("./nginx:")]
        check(os.path.isfile(template) and mounts, "nginx mounts deploy/nginx (the template and render.sh)")
        want_api, want_web = MIN_INSTANCES[files[0]]
        check(len(api_services) >= want_api and len(web_services) >= want_web,
              f"{len(api_services)} API and {len(web_services)} web instances behind nginx")

    # Prometheus targets
    if "prometheus" in services:
        with open(os.path.join(ROOT, "observability", "prometheus", "prometheus.yml"), encoding="utf-8") as f:
            prom = yaml.safe_load(f)
        targets = {}
        for job in prom["scrape_configs"]:
            for sc in job.get("static_configs", []):
                for t in sc.get("targets", []):
                    targets.setdefault(job["job_name"], []).append(t.rsplit(":", 1)[0])
        hosts = {h for hs in targets.values() for h in hs if h != "localhost"}
        unknown = sorted(hosts - set(services))
        check(not unknown, f"Prometheus scrapes only services of the stack ({len(hosts)} targets)", unknown)
        check(sorted(targets.get("api", [])) == api_services and sorted(targets.get("web", [])) == web_services,
              "Prometheus scrapes every API and web instance", targets)
        exporters = sorted(n for n in services if n.endswith("-exporter"))
        check(exporters and all(e in hosts for e in exporters), f"Prometheus scrapes the exporters: {', '.join(exporters)}")

    # volumes and bind mounts
    problems = []
    for name, spec in services.items():
        for v in spec.get("volumes", []) or []:
            source = str(v).split(":", 1)[0]
            if source.startswith((".", "/")):
                path = os.path.normpath(os.path.join(DEPLOY, source))
                if not os.path.exists(path) and not source.endswith(("secrets", "tls")):
                    problems.append(f"{name}: {source} does not exist")
            elif source not in stack["volumes"]:
                problems.append(f"{name}: volume {source} is not declared")
    check(not problems, "named volumes are declared and bind-mounted paths exist", problems)
    check_security(files, services, raw, own, api_services, web_services, env_active)


def check_security(files, services, raw, own, api_services, web_services, env_active):
    """What the security review asked of the deployment files."""
    # never the demo data
    seeding = sorted({n for n, spec in services.items() for text in walk_strings(spec)
                      if re.search(r"\bseed\b", text, re.I)})
    migrate = services.get("migrate", {}).get("command")
    check(migrate == ["migrate"] and not seeding and not any("MIGRATE_COMMAND" in t for _, t, _ in raw),
          "the migrate service runs `migrate` only; no service can seed the demo data", (migrate, seeding))

    # secrets required, never defaulted, where the binaries check them
    problems = []
    for name, text, _ in raw:
        for m in VARIABLE.finditer(text):
            if m.group(1) in SECRETS and m.group(2) not in (":?", "?"):
                problems.append(f"{name}: ${{{m.group(1)}}} is not required (${{{m.group(1)}:?...}})")
    for secret, dockerfile in SECRETS.items():
        for service in (n for n, d in own.items() if d == dockerfile and n != "migrate"):
            value = str((services[service].get("environment") or {}).get(secret, ""))
            if not value.startswith("${" + secret + ":?"):
                problems.append(f"{service} does not get {secret} from .env ({value!r})")
    check(not problems, "secrets are required from .env, never defaulted, and reach the instances that check "
          "them at start (API_TOKEN: API, ADMIN_PASSWORD: web UI)", problems)

    # only nginx is published; Prometheus never reads through it
    exposed = []
    for name, spec in services.items():
        for entry in spec.get("ports", []) or []:
            mapping = port_mapping(entry, env_active)
            if mapping and mapping[0] != "127.0.0.1" and name != "nginx":
                exposed.append(f"{name}: {entry}")
    check(not exposed, "only nginx is published (anything else on the host's loopback only), so /metrics "
          "and the instances are never reached from outside but through nginx", exposed)
    if "prometheus" in services:
        with open(os.path.join(ROOT, "observability", "prometheus", "prometheus.yml"), encoding="utf-8") as f:
            prom = yaml.safe_load(f)
        through = [t for job in prom["scrape_configs"] for sc in job.get("static_configs", [])
                   for t in sc.get("targets", []) if t.rsplit(":", 1)[0] == "nginx"]
        check(not through, "Prometheus reads /metrics from the instances, never through nginx", through)

    # HTTPS
    web_env = [services[n].get("environment") or {} for n in web_services]
    check(web_env and all(str(e.get("SECURE_COOKIES", "")).startswith("${SECURE_COOKIES") for e in web_env),
          "the web instances take SECURE_COOKIES from .env (true behind HTTPS)")
    if "docker-compose.tls.yml" in files:
        nginx = services["nginx"]
        env = nginx.get("environment") or {}
        mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in nginx.get("volumes", [])}
        cert, key = str(env.get("NGINX_TLS_CERT", "")), str(env.get("NGINX_TLS_KEY", ""))
        mounted = [p for p in (cert, key) if os.path.dirname(p) in mounts]
        redirect = [port_mapping(p, env_active) for p in nginx.get("ports", [])]
        check(len(mounted) == 2 and mounts.get(os.path.dirname(cert)) == "./tls"
              and any(m and m[2] == int(env.get("NGINX_REDIRECT_LISTEN", 0)) for m in redirect),
              "TLS: nginx gets the certificate and key mounted from deploy/tls/ and publishes the HTTP redirect "
              f"port ({env.get('NGINX_REDIRECT_LISTEN')})", (cert, key, mounts, redirect))


def main():
    env_active, env_listed = env_example()
    for title, files in STACKS.items():
        check_stack(title, files, env_active, env_listed)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
