#!/usr/bin/env bash
# Makes the secrets docker-compose.yml requires, once, with no default anywhere:
#   .env (beside docker-compose.yml, mode 0600)   COFFER_POSTGRES_PASSWORD=<32 hex digits>
#   deploy/compose/secrets/bootstrap_token         the bootstrap admin's Coffer token
# What exists is kept (re-running never changes a password the database already has); remove a
# file to make it again. COFFER_SECRETS_DIR moves the secrets folder (the compose file reads the
# same variable); COFFER_ENV_FILE writes the password elsewhere than .env (then export it yourself).
#
# The folder is 0700 and the token file 0644: Compose hands the file to the server container as a
# bind mount, where the server runs as uid 1000 and must read it; the folder keeps other users of
# this machine out.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECRETS="${COFFER_SECRETS_DIR:-$ROOT/deploy/compose/secrets}"
ENV_FILE="${COFFER_ENV_FILE:-$ROOT/.env}"
say() { printf 'init-secrets: %s\n' "$*" >&2; }
random() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; } # random BYTES → hex digits

umask 077
if grep -qs '^COFFER_POSTGRES_PASSWORD=' "$ENV_FILE"; then
  say "kept COFFER_POSTGRES_PASSWORD in $ENV_FILE"
else
  printf 'COFFER_POSTGRES_PASSWORD=%s\n' "$(random 16)" >>"$ENV_FILE"
  say "wrote COFFER_POSTGRES_PASSWORD to $ENV_FILE"
fi

mkdir -p "$SECRETS"
chmod 0700 "$SECRETS"
if [ -s "$SECRETS/bootstrap_token" ]; then
  say "kept $SECRETS/bootstrap_token"
else
  # A Coffer token: coffer_<12 lower-case letters or digits>_<43 of base64url>.
  tail=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | cut -c1-43)
  printf 'coffer_%s_%s\n' "$(random 6)" "$tail" >"$SECRETS/bootstrap_token"
  say "wrote $SECRETS/bootstrap_token (log in with: coffer login --url http://127.0.0.1:8700 --token \"\$(cat $SECRETS/bootstrap_token)\")"
fi
chmod 0644 "$SECRETS/bootstrap_token"
