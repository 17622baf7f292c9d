#!/usr/bin/env bash
# `make up`, `make down`, `make logs`, `make images`: the compose stacks of deploy/, when a container
# engine with the compose plugin is available; otherwise says so and points to `make cluster`,
# which runs the same topology natively.
#
#   deploy/local/compose.sh up|down|logs|ps|images [STACK]
#   STACK: single (default, deploy/docker-compose.yml), loadbalanced, monitoring (loadbalanced +
#          the monitoring overlay)
#   TLS=1: adds deploy/docker-compose.tls.yml (HTTPS; certificate and key in deploy/tls/)
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

action=${1:?usage: compose.sh up|down|logs|ps|images [single|loadbalanced|monitoring]}
stack=${2:-${STACK:-single}}
case $stack in
  single) files=(-f deploy/docker-compose.yml) ;;
  loadbalanced) files=(-f deploy/docker-compose.loadbalanced.yml) ;;
  monitoring) files=(-f deploy/docker-compose.loadbalanced.yml -f deploy/docker-compose.monitoring.yml) ;;
  *) die "STACK is single, loadbalanced or monitoring, not $stack" ;;
esac
if [ "${TLS:-0}" = 1 ]; then
  if [ "$action" = up ] && { [ ! -f deploy/tls/fullchain.pem ] || [ ! -f deploy/tls/privkey.pem ]; }; then
    die "TLS=1 needs deploy/tls/fullchain.pem and deploy/tls/privkey.pem (deploy/README.md, HTTPS)"
  fi
  files+=(-f deploy/docker-compose.tls.yml)
fi

if ! command -v docker >/dev/null 2>&1 || ! docker compose version >/dev/null 2>&1; then
  die "no container engine with the compose plugin here (docker compose).
The same topology runs natively: make cluster (nginx, 3 API and 2 web instances), make status,
make cluster-down. The compose files are checked structurally by deploy/local/ops-test.sh."
fi
if ! docker info >/dev/null 2>&1; then
  die "docker compose is installed but no Docker engine answers (docker info): start it, or use make cluster"
fi
if [ "$action" != images ] && [ ! -f .env ]; then
  die "no .env: copy .env.example to .env and replace every change-me (make run's generated .env lacks the compose secrets)"
fi

compose=(docker compose --env-file .env "${files[@]}")
case $action in
  up)
    "${compose[@]}" up -d --build
    "${compose[@]}" ps
    ;;
  down) "${compose[@]}" down ;;
  logs) "${compose[@]}" logs -f --tail=100 ;;
  ps) "${compose[@]}" ps ;;
  images)
    docker build -f deploy/docker/Dockerfile.server -t "${IMAGE_REGISTRY:-multimagasin}/server:${IMAGE_TAG:-latest}" .
    docker build -f deploy/docker/Dockerfile.api -t "${IMAGE_REGISTRY:-multimagasin}/api:${IMAGE_TAG:-latest}" .
    ;;
  *) die "unknown action $action" ;;
esac
