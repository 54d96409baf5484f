#!/usr/bin/env bash
# Installs the programs some tests drive besides Node.js and Docker, from the Debian mirror:
# zsh and fish (the completion tests source `coffer completion zsh|fish` in them), python3 (the
# pseudo-terminal driver of the CLI's interactive tests) and chromium (the dashboard's end-to-end
# tests drive Debian's Chromium at /usr/bin/chromium through playwright-core; no browser is ever
# downloaded), and docker-compose (Debian's Compose 1.29, which runs docker-compose.yml's profiles
# in scripts/test/compose-smoke.test.ts: Debian's docker.io has no `docker compose` plugin, and no
# package on the npm registry carries the Compose v2 binary). Idempotent: what is there is left
# alone.
#
#   scripts/ci/install-test-tools.sh
#
# Exit status: 0 when every program is on the PATH at the end, 1 otherwise.
set -euo pipefail

say() { printf 'install-test-tools: %s\n' "$*" >&2; }

missing=()
for program in zsh fish python3 chromium docker-compose; do
  command -v "$program" >/dev/null || missing+=("$program")
done
if [ "${#missing[@]}" = 0 ]; then
  say "zsh, fish, python3, chromium and docker-compose are installed; nothing to do"
  exit 0
fi
say "installing ${missing[*]} (apt)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for program in "${missing[@]}"; do
  command -v "$program" >/dev/null || { say "error: $program is still missing"; exit 1; }
done
say "installed ${missing[*]}"
