#!/usr/bin/env bash
# Writes a minimal Debian bookworm root filesystem (mmdebstrap, variant minbase: dpkg + apt) to
# stdout as a tar stream, for `docker import`. Called by scripts/ci/build-images.sh; the other
# images start FROM the result (local/debian:bookworm), so no container registry is needed.
#
#   docker/debian/build.sh MIRROR SECURITY_MIRROR | docker import - local/debian:bookworm
#
# Docs, man pages and translations are kept out (dpkg path-exclude, also for later apt installs);
# recommends are off; the package lists are dropped at the end (each Dockerfile runs apt-get update).
set -euo pipefail
MIRROR=$1
SECURITY_MIRROR=$2

# shellcheck disable=SC2016 # the hooks' $1 is expanded by mmdebstrap, not here
exec mmdebstrap --variant=minbase --quiet \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --aptopt='APT::Install-Recommends "false"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
  bookworm - \
  "deb $MIRROR bookworm main" \
  "deb $MIRROR bookworm-updates main" \
  "deb $SECURITY_MIRROR bookworm-security main"
