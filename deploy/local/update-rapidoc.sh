#!/usr/bin/env bash
# Refreshes the RapiDoc bundle that the API embeds for /docs (a back office may have no
# internet, so the page never loads it from a CDN). Usage: deploy/local/update-rapidoc.sh [version]
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${1:-9.3.8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "rapidoc@$version" --silent >/dev/null && tar xzf rapidoc-*.tgz)
cp "$tmp/package/dist/rapidoc-min.js" public-api/assets/rapidoc-min.js
cp "$tmp"/package/LICENSE* public-api/assets/rapidoc-LICENSE.txt
echo "RapiDoc $version embedded in public-api/assets/"
