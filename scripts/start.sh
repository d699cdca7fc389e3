#!/usr/bin/env bash
# Starts the portal for local use: backend on :7007, frontend on :3000,
# embedded SQLite under .data/, the example org, components and change types
# loaded, demo sign-in on, AWS served by the sandbox.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_install
exec node "$YARN_RELEASE" start
