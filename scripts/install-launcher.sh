#!/usr/bin/env bash
# Writes the `coffer` launcher: PREFIX/bin/coffer, a small sh script that runs this checkout's
# built command (packages/cli/dist/bin.js) with the given Node.js, from the caller's working
# directory. `./dev install` calls it after building, with the Node.js that ./dev uses (Node 24
# from .tools/ when the system's is older); the CLI tests call it once per run (test/install.ts).
#
#   scripts/install-launcher.sh PREFIX NODE
#
# Why a launcher rather than a link to bin.js: bin.js starts with `#!/usr/bin/env node`, which
# picks whatever `node` is first on the PATH — on many machines an older one than Coffer needs.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 PREFIX NODE" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$1"
NODE="$2"
BIN="$ROOT/packages/cli/dist/bin.js"

[ -x "$NODE" ] || { echo "install-launcher: $NODE is not an executable Node.js" >&2; exit 1; }
[ -f "$BIN" ] || { echo "install-launcher: $BIN is missing: run ./dev build first" >&2; exit 1; }
case "$PREFIX" in /*) ;; *) PREFIX="$PWD/$PREFIX" ;; esac

# Quoted for sh: every ' becomes '\''.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

mkdir -p "$PREFIX/bin"
target="$PREFIX/bin/coffer"
tmp="$(mktemp "$PREFIX/bin/.coffer.XXXXXX")"
cat >"$tmp" <<LAUNCHER
#!/bin/sh
# The coffer command, installed by \`./dev install\` from the Coffer checkout in $ROOT.
# It runs in your working directory with the Node.js below, whatever \`node\` is on your PATH.
# After updating the checkout run \`./dev build\` there; after moving it, \`./dev install\` again.
node=$(quote "$NODE")
bin=$(quote "$BIN")
if [ ! -x "\$node" ] || [ ! -f "\$bin" ]; then
  echo "coffer: this launcher (\$0) points at \$bin and \$node, and one of them is gone. Run ./dev install again in your Coffer checkout." >&2
  exit 6
fi
exec "\$node" -- "\$bin" "\$@"
LAUNCHER
chmod 755 "$tmp"
mv -f "$tmp" "$target" # atomic: a coffer running meanwhile never sees half a file
printf '%s\n' "$target"
