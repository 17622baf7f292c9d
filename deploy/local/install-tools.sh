#!/usr/bin/env bash
# Installs, offline and idempotently, the tools the build needs: the wasm target, cargo-leptos,
# wasm-bindgen-cli (at the exact version pinned in Cargo.toml) and a wasm-opt that understands
# reference types (crates.io wasm-opt 0.116; Debian's binaryen 108 breaks hydration).
# Reuses what is already in ~/.cargo/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_OPT_VERSION=0.116.1
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "install-tools: could not read the pinned wasm-bindgen version from Cargo.toml" >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"

have_version() { # command, expected version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  echo "install-tools: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! have_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  echo "install-tools: installing cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes, once)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  echo "install-tools: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! have_version wasm-opt "version 116"; then
  echo "install-tools: installing wasm-opt $WASM_OPT_VERSION (a few minutes, once)"
  cargo install wasm-opt --locked --version "$WASM_OPT_VERSION"
fi
echo "install-tools: cargo-leptos, wasm-bindgen $WASM_BINDGEN_VERSION and wasm-opt are ready"
