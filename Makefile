# Multi-Magasin: the two commands of the README, and a few helpers.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help run test build migrate seed clean tools

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Start the whole product locally on demo data (web UI :8080, API :8000)
	@deploy/local/run.sh

test: ## Run every check and test (fmt, clippy native + wasm, nextest, smoke)
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

clean: ## Remove build output and logs
	cargo clean
	rm -rf logs
