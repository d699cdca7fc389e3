#!/usr/bin/env bash
# Runs every test: type check, lint, every package's unit tests (SQLite, and
# PostgreSQL when reachable), then the end-to-end tests in Chromium against a
# freshly started portal. Exits non-zero if anything fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_install

step() { printf '\n==> %s\n' "$*"; }

# PostgreSQL for the database tests: use the configured connection string, or
# a local server that accepts the postgres user without a password.
PG_VAR=BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
if [ -z "${!PG_VAR:-}" ] && [ "${OPS_TEST_POSTGRES:-auto}" != "off" ]; then
  if node -e '
    const { Client } = require("pg");
    const c = new Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres", connectionTimeoutMillis: 2000 });
    c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
  ' 2>/dev/null; then
    export "$PG_VAR=postgresql://postgres@127.0.0.1:5432"
  fi
fi
if [ -n "${!PG_VAR:-}" ]; then
  echo "Database tests run on SQLite and PostgreSQL (${PG_VAR})."
else
  echo "Database tests run on SQLite only: no PostgreSQL configured (set ${PG_VAR})."
fi
export BACKSTAGE_TEST_DISABLE_DOCKER=1
if python3 -c 'import moto.server' 2>/dev/null; then
  echo "AWS gateway tests also run against moto (python3 -m moto.server)."
elif [ "${OPS_TEST_MOTO:-}" = "required" ]; then
  echo "OPS_TEST_MOTO=required but python3 cannot import moto; install it (pip install 'moto[server]') or unset OPS_TEST_MOTO." >&2
  exit 1
else
  echo "AWS gateway tests against moto are skipped: python3 cannot import moto."
fi

# The replica test (packages/backend/src/replicas) runs two backends on this
# PostgreSQL and Redis (OPS_TEST_REDIS_CONNECTION_STRING, default
# redis://127.0.0.1:6379). The unit tests run with CI=true; outside CI the
# test is still skipped, with a message, when either service does not answer.
if [ -z "${CI:-}" ]; then
  export OPS_TEST_REPLICAS="${OPS_TEST_REPLICAS:-auto}"
fi

step "Type check"
yarn tsc

step "Lint"
yarn backstage-cli repo lint

step "Unit tests"
CI=true yarn backstage-cli repo test

step "End-to-end tests in Chromium"
bash "$ROOT/scripts/e2e.sh"
