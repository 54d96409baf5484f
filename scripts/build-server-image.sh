#!/usr/bin/env bash
# Builds the Coffer server image.
#   scripts/build-server-image.sh [image-name]          (default coffer/server:dev)
#   COFFER_SERVER_BASE_IMAGE=local/node:24 …            (default: the official node:24 image)
# Steps: build the workspace, `pnpm deploy` the server with its production dependencies into a
# staging folder (.tools/server-image), then `docker build` with the base image as an argument.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${1:-coffer/server:dev}"
BASE="${COFFER_SERVER_BASE_IMAGE:-node:24-bookworm-slim}"
STAGE="$ROOT/.tools/server-image"

command -v docker >/dev/null || { echo "build-server-image: docker is not installed" >&2; exit 1; }
"$ROOT/dev" build
rm -rf "$STAGE"
mkdir -p "$STAGE"
"$ROOT/dev" pnpm --silent --filter @coffer/server deploy --prod --legacy "$STAGE/app" >/dev/null
cp "$ROOT/packages/server/Dockerfile" "$STAGE/Dockerfile"
docker build --quiet --build-arg "BASE_IMAGE=$BASE" --tag "$IMAGE" "$STAGE" >/dev/null
echo "build-server-image: built $IMAGE (base $BASE, $(du -sh "$STAGE/app" | cut -f1) of app)"
