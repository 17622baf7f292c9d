#!/usr/bin/env bash
# Installs, offline and idempotently, the tools the build needs: the wasm target, cargo-leptos,
# wasm-bindgen-cli (at the exact version pinned in Cargo.toml) and a wasm-opt that understands
# reference types (crates.io wasm-opt 0.116; Debian's binaryen 108 breaks hydration).
# Reuses what is already in ~/.cargo/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

CARGO_LEPTOS_VERSION=0.3.10
WASM_OPT_VERSION=0.116.1
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
[ -n "$WASM_BINDGEN_VERSION" ] \
  || die "install-tools: could not read the pinned wasm-bindgen version from Cargo.toml"

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "install-tools: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

ensure_cargo_tool cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos "$CARGO_LEPTOS_VERSION" \
  --locked --features no_downloads
ensure_cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli "$WASM_BINDGEN_VERSION" \
  --force
ensure_cargo_tool wasm-opt "version 116" wasm-opt "$WASM_OPT_VERSION" --locked
echo "install-tools: cargo-leptos, wasm-bindgen $WASM_BINDGEN_VERSION and wasm-opt are ready"
