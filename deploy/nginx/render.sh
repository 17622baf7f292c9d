#!/bin/sh
# Renders nginx.conf.template with the addresses of one deployment (POSIX sh and awk, so it runs
# in the nginx container as well as on the host):
#
#   API_SERVERS="127.0.0.1:9101 127.0.0.1:9102" WEB_SERVERS="127.0.0.1:9201" \
#   API_LISTEN=127.0.0.1:9000 WEB_LISTEN=127.0.0.1:9080 STATUS_LISTEN=127.0.0.1:9001 \
#     deploy/nginx/render.sh deploy/nginx/nginx.conf.template out/nginx.conf
#
# A template line holding @API_SERVER@ (or @WEB_SERVER@) is written once per address, with the
# rest of the line (max_fails, fail_timeout) unchanged. Nothing but addresses is substituted.
set -eu

template=${1:?usage: render.sh TEMPLATE OUTPUT}
output=${2:?usage: render.sh TEMPLATE OUTPUT}

check() { # name value: an address is host:port, port, or [v6]:port; nothing nginx would parse
  case $2 in
    '' ) echo "render.sh: $1 is empty" >&2; exit 2 ;;
    *[!A-Za-z0-9.:_\[\]-]* ) echo "render.sh: $1 has an invalid address: '$2'" >&2; exit 2 ;;
  esac
}
list() { echo "$1" | tr ',' ' '; }

for name in API_LISTEN WEB_LISTEN STATUS_LISTEN; do
  eval "value=\${$name:-}"
  check "$name" "$value"
done
api_servers=$(list "${API_SERVERS:-}")
web_servers=$(list "${WEB_SERVERS:-}")
[ -n "$api_servers" ] || { echo "render.sh: API_SERVERS is empty" >&2; exit 2; }
[ -n "$web_servers" ] || { echo "render.sh: WEB_SERVERS is empty" >&2; exit 2; }
for a in $api_servers; do check API_SERVERS "$a"; done
for a in $web_servers; do check WEB_SERVERS "$a"; done

tmp="$output.tmp.$$"
awk -v api="$api_servers" -v web="$web_servers" \
    -v api_listen="$API_LISTEN" -v web_listen="$WEB_LISTEN" -v status_listen="$STATUS_LISTEN" '
  function each(line, marker, addrs,    n, i, parts, out) {
    n = split(addrs, parts, " ")
    for (i = 1; i <= n; i++) { out = line; gsub(marker, parts[i], out); print out }
  }
  /^[[:space:]]*#/ { print; next }
  /@API_SERVER@/ { each($0, "@API_SERVER@", api); next }
  /@WEB_SERVER@/ { each($0, "@WEB_SERVER@", web); next }
  {
    gsub("@API_LISTEN@", api_listen); gsub("@WEB_LISTEN@", web_listen)
    gsub("@STATUS_LISTEN@", status_listen)
    print
  }
' "$template" > "$tmp"
if grep -n '@[A-Z_]*@' "$tmp" | grep -v '^[0-9]*:[[:space:]]*#' >&2; then
  rm -f "$tmp"
  echo "render.sh: placeholders left unfilled (above)" >&2
  exit 2
fi
mv "$tmp" "$output"
