#!/usr/bin/env bash
# Builds the container image of one of Coffer's programs from this checkout.
#   scripts/build-image.sh server    [image]   (default coffer/server:dev)
#   scripts/build-image.sh emulators [image]   (default coffer/emulators:dev)
#   COFFER_IMAGE_BASE=local/node:24 …          (default: the official node:24 image)
# Steps: build the workspace, `pnpm deploy` the package with its production dependencies into a
# staging folder (.tools/images/<package>/app), then `docker build` its Dockerfile there with the
# base image as a build argument.
# docker/coffer/Dockerfile builds the same programs from a clone with nothing but Docker (the
# workspace is installed and built inside the image); docker-compose.yml uses that one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGE="${1:?usage: scripts/build-image.sh <server|emulators> [image]}"
IMAGE="${2:-coffer/$PACKAGE:dev}"
BASE="${COFFER_IMAGE_BASE:-node:24-bookworm-slim}"
DOCKERFILE="$ROOT/packages/$PACKAGE/Dockerfile"
STAGE="$ROOT/.tools/images/$PACKAGE"

[ -f "$DOCKERFILE" ] || { echo "build-image: packages/$PACKAGE has no Dockerfile" >&2; exit 2; }
command -v docker >/dev/null || { echo "build-image: docker is not installed" >&2; exit 1; }
"$ROOT/dev" build
rm -rf "$STAGE"
mkdir -p "$STAGE"
"$ROOT/dev" pnpm --silent --filter "@coffer/$PACKAGE" deploy --prod --legacy "$STAGE/app" >/dev/null
# The server serves the web dashboard's built files at /ui (COFFER_SERVER_DASHBOARD_DIR in its
# Dockerfile); the dashboard is a package of its own, not one of the server's dependencies.
if [ "$PACKAGE" = server ]; then cp -r "$ROOT/packages/dashboard/dist" "$STAGE/app/dashboard"; fi
cp "$DOCKERFILE" "$STAGE/Dockerfile"
docker build --quiet --build-arg "BASE_IMAGE=$BASE" --tag "$IMAGE" "$STAGE" >/dev/null
echo "build-image: built $IMAGE from packages/$PACKAGE (base $BASE, $(du -sh "$STAGE/app" | cut -f1) of app)"
