#!/bin/sh
# Renders nginx.conf.template for one deployment (POSIX sh and awk, so it runs in the nginx
# container as well as on the host):
#
#   API_SERVERS="127.0.0.1:9101 127.0.0.1:9102" WEB_SERVERS="127.0.0.1:9201" \
#   API_LISTEN=127.0.0.1:9000 WEB_LISTEN=127.0.0.1:9080 STATUS_LISTEN=127.0.0.1:9001 \
#     deploy/nginx/render.sh deploy/nginx/nginx.conf.template out/nginx.conf
#
# Required: API_SERVERS, WEB_SERVERS (addresses, space- or comma-separated), API_LISTEN,
# WEB_LISTEN, STATUS_LISTEN. Optional, with their defaults:
#   NGINX_API_RATE=100       requests per second per client address to the API (then 429)
#   NGINX_API_BURST=200      requests above the rate accepted at once before the 429s
#   NGINX_WEB_RATE=30        the same for the web UI (pages, server functions, files)
#   NGINX_WEB_BURST=120
#   NGINX_LOGIN_RATE=10      sign-in attempts (POST /api/login) per MINUTE per client address
#   NGINX_LOGIN_BURST=5
#   NGINX_CONN_PER_CLIENT=100  requests in progress at once per client address, per site
#   NGINX_LIMIT_EXEMPT=      addresses/CIDRs never limited (a load generator, a trusted network)
#   NGINX_METRICS_ALLOW=     addresses/CIDRs that may read /metrics through nginx (nobody: 403)
#   NGINX_TRUSTED_PROXIES=   addresses/CIDRs of proxies in front of nginx whose X-Forwarded-For
#                            names the client (a cloud load balancer); nobody by default
#   NGINX_TLS_CERT=, NGINX_TLS_KEY=   certificate chain and key (PEM files): both set turns TLS
#                            on for the API and web listeners, with HSTS; neither leaves it off
#   NGINX_REDIRECT_LISTEN=   with TLS, an extra plain-HTTP listener (port 80) that redirects to
#                            the web UI over https
#   NGINX_HTTPS_PORT=443     the public https port of the web UI, for that redirect
#
# A template line holding @API_SERVER@ (or @WEB_SERVER@, @TRUSTED_PROXY@, @LIMIT_EXEMPT@,
# @METRICS_ALLOW@) is written once per entry, with the rest of the line unchanged; an empty list
# writes none. Every value is checked against a strict character set, so nothing but addresses,
# numbers and file paths ever reaches the configuration.
set -eu

template=${1:?usage: render.sh TEMPLATE OUTPUT}
output=${2:?usage: render.sh TEMPLATE OUTPUT}

fail() { echo "render.sh: $*" >&2; exit 2; }
check() { # name value: an address is host:port, port, or [v6]:port; nothing nginx would parse
  case $2 in
    '' ) fail "$1 is empty" ;;
    *[!A-Za-z0-9.:_\[\]-]* ) fail "$1 has an invalid address: '$2'" ;;
  esac
}
check_cidr() { # name value: an IPv4/IPv6 address or CIDR
  case $2 in
    '' | *[!0-9A-Fa-f.:/]* ) fail "$1 has an invalid address or CIDR: '$2'" ;;
  esac
}
check_number() { # name value: a positive integer
  case $2 in
    '' | *[!0-9]* | 0 ) fail "$1 must be a positive integer, not '$2'" ;;
  esac
}
check_path() { # name value: an absolute file path
  case $2 in
    /*) ;;
    *) fail "$1 must be an absolute path, not '$2'" ;;
  esac
  case $2 in
    *[!A-Za-z0-9./_-]* ) fail "$1 has characters nginx would parse: '$2'" ;;
  esac
  [ -r "$2" ] || fail "$1: cannot read $2"
}
list() { echo "$1" | tr ',' ' '; }

for name in API_LISTEN WEB_LISTEN STATUS_LISTEN; do
  eval "value=\${$name:-}"
  check "$name" "$value"
done
api_servers=$(list "${API_SERVERS:-}")
web_servers=$(list "${WEB_SERVERS:-}")
[ -n "$api_servers" ] || fail "API_SERVERS is empty"
[ -n "$web_servers" ] || fail "WEB_SERVERS is empty"
for a in $api_servers; do check API_SERVERS "$a"; done
for a in $web_servers; do check WEB_SERVERS "$a"; done

api_rate=${NGINX_API_RATE:-100}
api_burst=${NGINX_API_BURST:-200}
web_rate=${NGINX_WEB_RATE:-30}
web_burst=${NGINX_WEB_BURST:-120}
login_rate=${NGINX_LOGIN_RATE:-10}
login_burst=${NGINX_LOGIN_BURST:-5}
conn=${NGINX_CONN_PER_CLIENT:-100}
check_number NGINX_API_RATE "$api_rate"
check_number NGINX_API_BURST "$api_burst"
check_number NGINX_WEB_RATE "$web_rate"
check_number NGINX_WEB_BURST "$web_burst"
check_number NGINX_LOGIN_RATE "$login_rate"
check_number NGINX_LOGIN_BURST "$login_burst"
check_number NGINX_CONN_PER_CLIENT "$conn"
# seconds until the next sign-in attempt is allowed (Retry-After of the login 429)
login_retry=$(( (60 + login_rate - 1) / login_rate ))

trusted=$(list "${NGINX_TRUSTED_PROXIES:-}")
exempt=$(list "${NGINX_LIMIT_EXEMPT:-}")
metrics=$(list "${NGINX_METRICS_ALLOW:-}")
for a in $trusted; do check_cidr NGINX_TRUSTED_PROXIES "$a"; done
for a in $exempt; do check_cidr NGINX_LIMIT_EXEMPT "$a"; done
for a in $metrics; do check_cidr NGINX_METRICS_ALLOW "$a"; done

tls=0 ssl="" cert="" key="" redirect="" https_suffix=""
if [ -n "${NGINX_TLS_CERT:-}${NGINX_TLS_KEY:-}" ]; then
  cert=${NGINX_TLS_CERT:-} key=${NGINX_TLS_KEY:-}
  [ -n "$cert" ] && [ -n "$key" ] || fail "TLS needs both NGINX_TLS_CERT and NGINX_TLS_KEY"
  check_path NGINX_TLS_CERT "$cert"
  check_path NGINX_TLS_KEY "$key"
  tls=1 ssl=ssl
  redirect=${NGINX_REDIRECT_LISTEN:-}
  [ -z "$redirect" ] || check NGINX_REDIRECT_LISTEN "$redirect"
  https_port=${NGINX_HTTPS_PORT:-443}
  check_number NGINX_HTTPS_PORT "$https_port"
  [ "$https_port" = 443 ] || https_suffix=":$https_port"
fi

tmp="$output.tmp.$$"
awk -v api="$api_servers" -v web="$web_servers" \
    -v api_listen="$API_LISTEN" -v web_listen="$WEB_LISTEN" -v status_listen="$STATUS_LISTEN" \
    -v trusted="$trusted" -v exempt="$exempt" -v metrics="$metrics" \
    -v api_rate="$api_rate" -v api_burst="$api_burst" -v web_rate="$web_rate" \
    -v web_burst="$web_burst" -v login_rate="$login_rate" -v login_burst="$login_burst" \
    -v login_retry="$login_retry" -v conn="$conn" \
    -v tls="$tls" -v ssl="$ssl" -v cert="$cert" -v key="$key" -v redirect="$redirect" \
    -v https_suffix="$https_suffix" '
  function each(line, marker, addrs,    n, i, parts, out) {
    n = split(addrs, parts, " ")
    for (i = 1; i <= n; i++) { out = line; gsub(marker, parts[i], out); print out }
  }
  /^[[:space:]]*#/ { print; next }
  /^@TLS@/ { if (!tls) next; sub(/^@TLS@/, "") }
  /^@REDIRECT@/ { if (!tls || redirect == "") next; sub(/^@REDIRECT@/, "") }
  /@API_SERVER@/ { each($0, "@API_SERVER@", api); next }
  /@WEB_SERVER@/ { each($0, "@WEB_SERVER@", web); next }
  /@TRUSTED_PROXY@/ { each($0, "@TRUSTED_PROXY@", trusted); next }
  /@LIMIT_EXEMPT@/ { each($0, "@LIMIT_EXEMPT@", exempt); next }
  /@METRICS_ALLOW@/ { each($0, "@METRICS_ALLOW@", metrics); next }
  {
    gsub("@API_LISTEN@", api_listen); gsub("@WEB_LISTEN@", web_listen)
    gsub("@STATUS_LISTEN@", status_listen)
    gsub(" @SSL@", ssl == "" ? "" : " " ssl)
    gsub("@API_RATE@", api_rate); gsub("@API_BURST@", api_burst)
    gsub("@WEB_RATE@", web_rate); gsub("@WEB_BURST@", web_burst)
    gsub("@LOGIN_RATE@", login_rate); gsub("@LOGIN_BURST@", login_burst)
    gsub("@LOGIN_RETRY@", login_retry); gsub("@CONN_PER_CLIENT@", conn)
    gsub("@TLS_CERT@", cert); gsub("@TLS_KEY@", key)
    gsub("@REDIRECT_LISTEN@", redirect); gsub("@HTTPS_PORT_SUFFIX@", https_suffix)
    print
  }
' "$template" > "$tmp"
if grep -n '@[A-Z_]*@' "$tmp" | grep -v '^[0-9]*:[[:space:]]*#' >&2; then
  rm -f "$tmp"
  fail "placeholders left unfilled (above)"
fi
mv "$tmp" "$output"
