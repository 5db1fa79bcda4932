#!/bin/sh
# Installs the mcp-remote test peer (an stdio <-> Streamable HTTP proxy that does the MCP OAuth flow itself:
# discovery, dynamic client registration, PKCE, a browser via $BROWSER, a loopback callback) for
# tests/oauth_e2e/mcp_remote_test.ts. Runs on the system Node 20 (mcp-remote's engines allow it).
#
# Usage:   sh tests/peers/mcp_remote/install.sh
# Target:  $PEERS_DIR/mcp-remote (PEERS_DIR default $HOME/.cache/robot-wtf-peers). Idempotent: a finished install is
#          detected by a marker file and skipped.
# Prints:  the proxy script on the last line ("MCP_REMOTE=...").
set -eu

VERSION=0.15.1
PEERS_DIR=${PEERS_DIR:-${HOME:?HOME is not set}/.cache/robot-wtf-peers}
DIR="$PEERS_DIR/mcp-remote"
MARKER="$DIR/.installed-$VERSION"
PROXY="$DIR/node_modules/mcp-remote/dist/proxy.js"

if [ -f "$MARKER" ] && [ -f "$PROXY" ]; then
  echo "mcp-remote $VERSION already installed"
  echo "MCP_REMOTE=$PROXY"
  exit 0
fi

command -v node >/dev/null || { echo "node (>= 20) is required on PATH" >&2; exit 1; }
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || printf '{ "name": "robot-wtf-mcp-remote", "private": true }\n' > package.json
npm install --no-audit --no-fund --save-exact "mcp-remote@$VERSION"
[ -f "$PROXY" ] || { echo "mcp-remote installed but $PROXY is missing" >&2; exit 1; }
touch "$MARKER"
echo "MCP_REMOTE=$PROXY"
