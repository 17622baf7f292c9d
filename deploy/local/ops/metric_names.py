#!/usr/bin/env python3
"""Every metric an alert rule or a dashboard panel names must be exported by the binaries.

    metric_names.py --rules DIR --dashboards DIR METRICS_FILE...

METRICS_FILE are /metrics scrapes (Prometheus text format) of the running api and web
instances. Metrics of the exporters and of Prometheus itself are listed in EXTERNAL and are
not looked for in the scrapes. `metric_names.py --self-test` checks the PromQL reader.
"""

import argparse
import glob
import json
import os
import re
import sys

import yaml

# Metrics that come from elsewhere than our binaries: the exporters (nginx, Redis, PostgreSQL)
# and Prometheus' own `up`.
EXTERNAL_PREFIXES = ("nginx_", "redis_", "pg_")
EXTERNAL_NAMES = {"up"}

KEYWORDS = {
    "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
    "group_left", "group_right", "inf", "nan", "atan2",
}

STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
BRACES = re.compile(r"\{[^{}]*\}")
BRACKETS = re.compile(r"\[[^\[\]]*\]")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
DURATION = re.compile(r"(?<![\w.])\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?!\w)")
VARIABLE = re.compile(r"\$\{?\w+\}?")
TOKEN = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_:][A-Za-z0-9_:]*")


def promql_metric_names(expr):
    """Metric names in a PromQL expression (functions, keywords, labels and durations left out)."""
    text = STRING.sub('""', expr)
    text = BRACES.sub("", text)
    text = BRACKETS.sub("", text)
    text = GROUPING.sub("", text)
    text = VARIABLE.sub("", text)
    text = DURATION.sub("", text)
    names = set()
    for m in TOKEN.finditer(text):
        token = m.group(0)
        if token[0].isdigit() or token.lower() in KEYWORDS:
            continue
        if re.match(r"\s*\(", text[m.end():]):
            continue  # a function or an aggregation
        names.add(token)
    return names


def rule_expressions(directory):
    for path in sorted(glob.glob(os.path.join(directory, "*.yml")) + glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                name = rule.get("alert") or rule.get("record")
                yield f"{os.path.basename(path)}: {name}", rule["expr"]


def dashboard_expressions(directory):
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)

        def panels(items):
            for p in items:
                yield p
                yield from panels(p.get("panels", []))

        for panel in panels(doc.get("panels", [])):
            for target in panel.get("targets", []):
                if target.get("expr"):
                    yield f"{os.path.basename(path)}: {panel.get('title')}", target["expr"]
        for var in doc.get("templating", {}).get("list", []):
            query = var.get("query")
            if isinstance(query, dict):
                query = query.get("query")
            if var.get("type") != "query" or not isinstance(query, str):
                continue
            where = f"{os.path.basename(path)}: variable {var.get('name')}"
            m = re.match(r"\s*label_values\((.*),[^,]*\)\s*$", query, re.S)
            if m:  # label_values(selector, label); label_values(label) names no metric
                yield where, m.group(1)
            m = re.match(r"\s*query_result\((.*)\)\s*$", query, re.S)
            if m:
                yield where, m.group(1)


def exported_names(paths):
    names = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


def is_external(name):
    return name in EXTERNAL_NAMES or name.startswith(EXTERNAL_PREFIXES)


def self_test():
    cases = {
        'sum by (job) (rate(axum_http_requests_total{status=~"5.."}[5m])) / sum by (job) (rate(axum_http_requests_total[5m])) > 0.02':
            {"axum_http_requests_total"},
        'histogram_quantile(0.95, sum by (le, endpoint) (rate(axum_http_requests_duration_seconds_bucket{job="$job", endpoint!~"/metrics|/health"}[$__rate_interval])))':
            {"axum_http_requests_duration_seconds_bucket"},
        'max by (job, instance) (db_pool_connections{state="active"}) / on (job, instance) max by (job, instance) (db_pool_max_connections) > 0.9':
            {"db_pool_connections", "db_pool_max_connections"},
        'sum(rate(x_total[5m] offset 1h)) by (a) * 1e3 and on() vector(1) unless y': {"x_total", "y"},
        'nginx_up == 0 or up{job="nginx"} == 0': {"nginx_up", "up"},
        'sum(increase(sales_recorded_total[$__range]))': {"sales_recorded_total"},
        'cache_hit_ratio': {"cache_hit_ratio"},
        'label_replace(foo, "dst", "$1", "src", "(.*)")': {"foo"},
    }
    for expr, expected in cases.items():
        got = promql_metric_names(expr)
        assert got == expected, f"{expr}\n  expected {sorted(expected)}\n  got      {sorted(got)}"
    print(f"  ok    the PromQL reader finds the metric names of {len(cases)} sample expressions")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules")
    parser.add_argument("--dashboards")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("metrics", nargs="*")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return 0

    used = {}  # name -> where
    sources = list(rule_expressions(args.rules)) + list(dashboard_expressions(args.dashboards))
    for where, expr in sources:
        for name in promql_metric_names(expr):
            used.setdefault(name, []).append(where)
    exported = exported_names(args.metrics)
    ours = sorted(n for n in used if not is_external(n))
    external = sorted(n for n in used if is_external(n))
    missing = [n for n in ours if n not in exported]
    for name in missing:
        print(f"  FAIL  {name} is used by {', '.join(sorted(set(used[name])))} but no binary exports it")
    print(f"  {'ok  ' if not missing else 'FAIL'}  {len(ours) - len(missing)} of {len(ours)} metric names used by "
          f"{len(sources)} rule and panel expressions are exported by the running binaries: {', '.join(ours)}")
    print(f"        (exporter metrics not looked for: {', '.join(external)})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
