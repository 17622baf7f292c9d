# The local .env (git-ignored) holds secrets, so only its owner may read it. Sourced by run.sh
# and cluster.sh (bash); tested by ops-test.sh.
#
#   dotenv_private FILE              narrows FILE to mode 600 when others may read or write it
#   dotenv_append FILE NAME VALUE    appends NAME=VALUE, creating FILE with mode 600
#   dotenv_new_token                 prints a random API token (48 hex digits; the API refuses
#                                    one under 32 characters or a placeholder)

dotenv_private() {
  [ -f "$1" ] || return 0
  if [ -n "$(find "$1" -maxdepth 0 -perm /077)" ]; then
    chmod 600 "$1"
    echo "==> $1 was readable by others: now mode 600" >&2
  fi
}

dotenv_append() {
  (umask 077 && printf '%s=%s\n' "$2" "$3" >>"$1")
  dotenv_private "$1"
}

dotenv_new_token() {
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
}
