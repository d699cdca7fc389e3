#!/usr/bin/env bash
# Starts the portal on fresh SQLite files, waits for it, and runs the
# Playwright tests in packages/app/e2e-tests with the system's Chromium.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM_PATH" ]; then
  echo "Chromium not found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi

# Ports default to the usual ones; set E2E_APP_PORT / E2E_BACKEND_PORT to run
# beside a portal that is already serving them.
APP_PORT="${E2E_APP_PORT:-3000}"
BACKEND_PORT="${E2E_BACKEND_PORT:-7007}"
export PLAYWRIGHT_URL="http://localhost:$APP_PORT"
export BACKEND_URL="http://localhost:$BACKEND_PORT"

DATA_DIR="$(mktemp -d)"
LOG="$ROOT/e2e-test-report/portal.log"
mkdir -p "$ROOT/e2e-test-report"
# A throwaway database directory, so every run starts from the examples.
cat > "$DATA_DIR/app-config.e2e.yaml" <<YAML
app:
  baseUrl: $PLAYWRIGHT_URL
backend:
  baseUrl: $BACKEND_URL
  listen:
    port: $BACKEND_PORT
  cors:
    origin: $PLAYWRIGHT_URL
  database:
    client: better-sqlite3
    connection:
      directory: $DATA_DIR/sqlite
YAML

setsid node "$YARN_RELEASE" start --config "$ROOT/app-config.yaml" --config "$DATA_DIR/app-config.e2e.yaml" > "$LOG" 2>&1 &
PORTAL_PID=$!
cleanup() {
  # The portal runs in its own process group: stop all of it.
  kill -- -"$PORTAL_PID" 2>/dev/null || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

wait_for() {
  local url=$1 name=$2
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$PORTAL_PID" 2>/dev/null; then
      echo "The portal exited while starting; see $LOG" >&2; tail -50 "$LOG" >&2; exit 1
    fi
    sleep 1
  done
  echo "$name did not come up at $url within 4 minutes; see $LOG" >&2
  tail -50 "$LOG" >&2
  exit 1
}
wait_for "$BACKEND_URL/.backstage/health/v1/readiness" backend
wait_for "$PLAYWRIGHT_URL" frontend

yarn playwright test "$@"
