# Multi-Magasin: the two commands of the README, and what operators expect.
.DEFAULT_GOAL := help
SHELL := /bin/bash
# compose stack of up/down/logs: single (one node), loadbalanced, monitoring (loadbalanced + overlay)
STACK ?= single

.PHONY: help run test build migrate seed seed-large bench bench-reports loadtest clean tools up down logs status cluster cluster-down images ops-test

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

run: ## Start the whole product locally on demo data (web UI :8080, API :8000)
	@deploy/local/run.sh

test: ## Run every check and test (fmt, clippy, nextest, smoke, browser, operations)
	@deploy/local/test.sh

tools: ## Install cargo-leptos, wasm-bindgen and wasm-opt if missing
	@deploy/local/install-tools.sh

build: tools ## Build both binaries and the site in release
	cargo leptos build --release
	cargo build --release -p public-api

migrate: ## Create the database if missing and apply migrations (DATABASE_URL)
	cargo run -q -p server -- migrate

seed: ## Migrate, then load the demo data into an empty database (DATABASE_URL)
	cargo run -q -p server -- seed

seed-large: ## Load 100k products and 2M sales into DATABASE_URL (default: database multimagasin_large)
	@deploy/local/seed-large.sh

bench: ## Throughput/latency figures of issue #6 on a release stack (oha + goose), markdown table
	@loadtest/bench.sh

bench-reports: ## Time the 90-day reports and product search on the large data set (loadtest/RESULTS.md)
	@loadtest/bench-reports.sh

loadtest: ## Load test (goose): PROFILE=ci|staged|sales|dashboard (loadtest/README.md)
	@loadtest/run.sh $(or $(PROFILE),ci)

cluster: ## nginx on :9000 (API) and :9080 (web) before 3 API + 2 web instances, natively
	@deploy/local/cluster.sh up

cluster-down: ## Stop exactly what `make cluster` started
	@deploy/local/cluster.sh down

status: ## The cluster's processes and health (and the compose stack's, if any)
	@deploy/local/cluster.sh status
	@if docker compose version >/dev/null 2>&1 && docker info >/dev/null 2>&1 && [ -f .env ]; then \
	  deploy/local/compose.sh ps $(STACK); fi

up: ## Start the compose stack (STACK=single|loadbalanced|monitoring) with docker compose
	@deploy/local/compose.sh up $(STACK)

down: ## Stop the compose stack (STACK=...)
	@deploy/local/compose.sh down $(STACK)

logs: ## Follow the compose stack's logs (STACK=...); the cluster's: deploy/local/cluster.sh logs
	@deploy/local/compose.sh logs $(STACK)

images: ## Build the server and API container images (deploy/docker/)
	@deploy/local/compose.sh images

ops-test: ## Only the operations checks of make test (nginx, failover, alerts, compose files)
	@deploy/local/ops-test.sh

clean: ## Remove build output and logs (stops the cluster first)
	@deploy/local/cluster.sh down
	cargo clean
	rm -rf logs .data/cluster
