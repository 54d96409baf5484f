#!/usr/bin/env bash
# Builds the local container images the tests use, from Debian packages only (no container
# registry is needed or contacted):
#
#   local/debian:bookworm  minimal Debian (mmdebstrap), the base of the others     docker/debian/
#   local/postgres:15      PostgreSQL 15, entrypoint like the official image        docker/postgres/
#   local/mariadb:10.11    MariaDB 10.11 standing in for MySQL                      docker/mariadb/
#   local/node:24          the project's Node.js (.tools/) for emulator containers   docker/node/
#   local/ryuk:1           Testcontainers' reaper, re-implemented                   docker/ryuk/
#
# Usage: scripts/ci/build-images.sh [--no-cache] [--rebuild]
#   --no-cache  neither load nor write .ci/cache/images-*.tar.zst
#   --rebuild   build every image again, even when an up-to-date one exists
#
# Idempotent. Each image carries the label coffer.recipe = a hash of its recipe folder (and of its
# parent's recipe, and for local/node of the Node.js version), so an image is rebuilt only when
# it is missing or its recipe changed. Before building, the newest .ci/cache/images-*.tar.zst is
# loaded if there is one (about 5x faster than building); after building, all images are saved
# there again (`docker save | zstd`), one file holding all of them so the shared base layers are
# stored once. Apt downloads come from the mirrors this machine's apt sources name.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DOCKER_DIR="$ROOT/docker"
CACHE_DIR="${COFFER_IMAGE_CACHE_DIR:-$ROOT/.ci/cache}"
USE_CACHE=1
REBUILD=0
for arg in "$@"; do
  case "$arg" in
    --no-cache) USE_CACHE=0 ;;
    --rebuild) REBUILD=1 ;;
    *) printf 'usage: %s [--no-cache] [--rebuild]\n' "$0" >&2; exit 2 ;;
  esac
done

say() { printf 'build-images: %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

timeout 10 docker info >/dev/null 2>&1 || fail "no Docker engine answers (run scripts/ci/install-docker.sh)"

# Build order: parents first.
NAMES=(debian postgres mariadb node ryuk)
declare -A TAG=(
  [debian]=local/debian:bookworm
  [postgres]=local/postgres:15
  [mariadb]=local/mariadb:10.11
  [node]=local/node:24
  [ryuk]=local/ryuk:1
)
declare -A PARENT=([postgres]=debian [mariadb]=debian [node]=debian [ryuk]=node)

# --- the Node.js that goes into local/node:24 -----------------------------------------------------
# The pinned one from .tools (downloaded by ./dev if missing), never whatever node is on PATH.
NODE_EXE="$(COFFER_DEV_DOWNLOAD_NODE=1 "$ROOT/dev" node -p 'process.execPath')"
NODE_VERSION="$("$NODE_EXE" --version)"

# --- recipe hashes --------------------------------------------------------------------------------
declare -A HASH
recipe_hash() { # recipe_hash NAME: hash of the recipe folder, the parent's hash and inputs from outside
  local name=$1 parent=${PARENT[$1]:-}
  {
    if [ -n "$parent" ]; then printf 'parent %s\n' "${HASH[$parent]}"; fi
    if [ "$name" = node ]; then printf 'node %s\n' "$NODE_VERSION"; fi
    (cd "$DOCKER_DIR/$name" && find . -type f | LC_ALL=C sort | while read -r f; do
      printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-64)"
      if [ -x "$f" ]; then printf '%s executable\n' "$f"; fi
    done)
  } | sha256sum | cut -c1-16
}
for name in "${NAMES[@]}"; do HASH[$name]="$(recipe_hash "$name")"; done
SET_HASH="$(for name in "${NAMES[@]}"; do printf '%s\n' "${HASH[$name]}"; done | sha256sum | cut -c1-16)"

up_to_date() { # up_to_date NAME: the tag exists and was built from the current recipe
  [ "$(docker image inspect -f '{{index .Config.Labels "coffer.recipe"}}' "${TAG[$1]}" 2>/dev/null)" = "${HASH[$1]}" ]
}
stale_images() {
  local name
  for name in "${NAMES[@]}"; do
    if [ "$REBUILD" = 1 ] || ! up_to_date "$name"; then printf '%s ' "$name"; fi
  done
}
size_of() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%d MB", $1 / 1000000}'; }

stale="$(stale_images)"
if [ -z "$stale" ]; then
  say "all images up to date: $(for n in "${NAMES[@]}"; do printf '%s ' "${TAG[$n]}"; done)"
  exit 0
fi

# --- load the cache -------------------------------------------------------------------------------
# images-<hash>.txt beside each archive lists the recipes inside, so an archive that holds none of
# the missing recipes is not loaded for nothing.
cache_helps() { # cache_helps MANIFEST: does it hold the current recipe of a stale image?
  local name
  for name in $stale; do
    grep -qx "$name ${HASH[$name]}" "$1" 2>/dev/null && return 0
  done
  return 1
}
if [ "$USE_CACHE" = 1 ] && [ "$REBUILD" = 0 ]; then
  # shellcheck disable=SC2012 # our own file names: images-<hex>.tar.zst
  cached="$(ls -t "$CACHE_DIR"/images-*.tar.zst 2>/dev/null | head -n 1 || true)"
  if [ -n "$cached" ] && ! cache_helps "${cached%.tar.zst}.txt"; then
    say "the cache $(basename "$cached") holds none of the needed recipes; building"
  elif [ -n "$cached" ]; then
    say "loading $(basename "$cached") ($(du -h "$cached" | cut -f1)) for: $stale"
    start=$SECONDS
    if zstd -dcq "$cached" | docker load -q >/dev/null; then
      say "loaded in $((SECONDS - start)) s"
    else
      say "warning: could not load $cached; building instead"
    fi
    stale="$(stale_images)"
  fi
fi

# --- build ----------------------------------------------------------------------------------------
apt_mirrors() { # prints "DEBIAN_MIRROR SECURITY_MIRROR" from this machine's apt sources
  local uris debian security
  uris="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' |
    tr ' ' '\n' | sed 's:/*$::')" || true
  debian="$(grep -m1 '/debian$' <<<"$uris" || true)"
  security="$(grep -m1 '/debian-security$' <<<"$uris" || true)"
  debian="${COFFER_DEBIAN_MIRROR:-${debian:-http://deb.debian.org/debian}}"
  security="${COFFER_DEBIAN_SECURITY_MIRROR:-${security:-${debian%/debian}/debian-security}}"
  printf '%s %s\n' "$debian" "$security"
}

LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

build_debian() {
  local mirror security
  read -r mirror security < <(apt_mirrors)
  command -v mmdebstrap >/dev/null || fail "mmdebstrap is missing (scripts/ci/install-docker.sh installs it)"
  say "  mirrors: $mirror, $security"
  if ! "$DOCKER_DIR/debian/build.sh" "$mirror" "$security" 2>"$LOG_DIR/debian.log" |
    docker import -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' -c "LABEL coffer.recipe=${HASH[debian]}" \
      - "${TAG[debian]}" >/dev/null; then
    tail -n 30 "$LOG_DIR/debian.log" >&2
    docker image rm -f "${TAG[debian]}" >/dev/null 2>&1 || true # never keep a half-written base
    return 1
  fi
}

build_dockerfile() { # build_dockerfile NAME CONTEXT
  local name=$1 context=$2
  # --network host: RUN apt-get reaches the mirror even when dockerd runs without iptables/NAT.
  if ! docker build --network host --label "coffer.recipe=${HASH[$name]}" -t "${TAG[$name]}" "$context" \
    >"$LOG_DIR/$name.log" 2>&1; then
    tail -n 30 "$LOG_DIR/$name.log" >&2
    return 1
  fi
}

build_one() {
  local name=$1 context
  case "$name" in
    debian) build_debian ;;
    node)
      context="$LOG_DIR/node-context"
      mkdir -p "$context"
      cp -a "$DOCKER_DIR/node/." "$context/"
      cp "$NODE_EXE" "$context/node"
      build_dockerfile node "$context"
      rm -rf "$context"
      ;;
    *) build_dockerfile "$name" "$DOCKER_DIR/$name" ;;
  esac
}

built=0
for name in "${NAMES[@]}"; do
  case " $stale " in *" $name "*) ;; *) continue ;; esac
  say "building ${TAG[$name]} (recipe ${HASH[$name]})"
  start=$SECONDS
  build_one "$name" || fail "building ${TAG[$name]} failed (log above)"
  say "built ${TAG[$name]} in $((SECONDS - start)) s ($(size_of "${TAG[$name]}"))"
  built=$((built + 1))
done
# Older builds of the same tags are now dangling; drop them.
docker image prune -f --filter label=coffer.recipe >/dev/null 2>&1 || true

# --- save the cache -------------------------------------------------------------------------------
if [ "$built" -gt 0 ] && [ "$USE_CACHE" = 1 ]; then
  mkdir -p "$CACHE_DIR"
  file="$CACHE_DIR/images-$SET_HASH.tar.zst"
  say "saving all images to ${file#"$ROOT"/}"
  start=$SECONDS
  tags=()
  for name in "${NAMES[@]}"; do tags+=("${TAG[$name]}"); done
  if docker save "${tags[@]}" | zstd -T0 -3 -q -f -o "$file.part"; then
    mv -f "$file.part" "$file"
    for name in "${NAMES[@]}"; do printf '%s %s\n' "$name" "${HASH[$name]}"; done >"${file%.tar.zst}.txt"
    find "$CACHE_DIR" -maxdepth 1 -name 'images-*' ! -name "images-$SET_HASH.*" -delete
    say "saved in $((SECONDS - start)) s ($(du -h "$file" | cut -f1))"
  else
    rm -f "$file.part"
    say "warning: could not write the image cache (the images themselves are fine)"
  fi
fi
say "images ready: $(for n in "${NAMES[@]}"; do printf '%s ' "${TAG[$n]}"; done)"
