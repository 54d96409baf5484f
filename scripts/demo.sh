#!/usr/bin/env bash
# `./dev demo`: a short, real tour of the coffer command on the embedded store (a SQLite file with
# encrypted values), in a temporary data directory that is removed afterwards — so it is safe to
# run again and leaves your own secrets alone. Each step prints the command, then its output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/packages/cli/dist/bin.js"
[ -f "$BIN" ] || { echo "demo: $BIN is missing; run ./dev build first (./dev demo does)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/coffer-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# Only this demo's settings: nothing from your environment's COFFER_* variables applies here.
for variable in $(env | sed -n 's/^\(COFFER_[A-Z0-9_]*\)=.*/\1/p'); do unset "$variable"; done
export COFFER_DATA_DIR="$WORK/data" COFFER_USER=alice

coffer() { node "$BIN" "$@"; }

bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'
[ -t 1 ] || { bold='' dim='' off=''; }
say() { printf '\n%s# %s%s\n' "$dim" "$*" "$off"; }
# Prints a command as you would type it, then runs it. A failing step is shown with its exit code
# (some steps show an error on purpose) and the tour goes on.
step() {
  printf '%s$ %s%s\n' "$bold" "$*" "$off"
  local status=0
  eval "$*" || status=$?
  if [ "$status" -ne 0 ]; then printf '%s(exit %s)%s\n' "$dim" "$status" "$off"; fi
}

say "Coffer keeps secrets in a store chosen at deploy time; by default an encrypted SQLite file."
say "This tour uses a throw-away data directory: COFFER_DATA_DIR=$COFFER_DATA_DIR, user alice."
step 'coffer store info'

say "Create a secret from flags; @file reads a value from a file. Output names keys, never values."
step 'printf "fake-password-1\n" > password.txt'
step 'coffer secret create db --username=app --password=@password.txt'

say "Or from a YAML (or JSON) file."
step 'printf "publishable_key: pk_test_fake\nsecret_key: sk_test_fake\n" > stripe.yaml'
step 'coffer secret create payments/stripe --values @stripe.yaml'

say "A private secret and a public one may share a name; you see your private one first."
step 'coffer secret create api --token=fake-public-token'
step 'coffer secret create api --token=fake-private-token --private'
step 'coffer secret list'
step 'coffer secret get api --key token'
step 'coffer secret get api --key token --private false'
step 'COFFER_USER=bob coffer secret get api --key token'

say "Reading values is asking for them: get prints them."
step 'coffer secret get db'

say "Update merges new values into the old; every change bumps the version."
step 'coffer secret update db --password=fake-password-2 --host=db.internal'

say "Configuration can point at secrets with {{name.key}}; validate checks names and keys without reading values."
step 'printf "database:\n  url: postgres://{{db.username}}:{{db.password}}@{{db.host}}/app\n" > app.yaml'
step 'coffer secret validate app.yaml'
step 'coffer secret resolve app.yaml'
step 'printf "database:\n  password: \"{{db.pasword}}\"\n" > typo.yaml'
step 'coffer secret validate typo.yaml'

say "Run a program with a secret's keys as environment variables (USERNAME, PASSWORD, HOST)."
step "coffer run -s db -- sh -c 'echo \"connecting to \$HOST as \$USERNAME with a \${#PASSWORD}-character password\"'"

say "The store's encryption key can be rotated online; the values stay readable."
step 'coffer store rotate-key'
step 'coffer secret get db --key password'

say "Done. Everything above lived in $WORK and is being removed now."
