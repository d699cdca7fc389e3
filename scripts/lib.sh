# Shared by the scripts in this folder: finds yarn and installs dependencies.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Yarn 4 is committed under .yarn/releases (see packageManager in
# package.json), so Node is the only prerequisite.
YARN_RELEASE="$(ls "$ROOT"/.yarn/releases/yarn-*.cjs | head -n 1)"
yarn() { node "$YARN_RELEASE" "$@"; }

# Native modules (better-sqlite3, isolated-vm) build from source; use the
# system's Node headers when they are installed rather than downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi

ensure_install() {
  if [ -n "${CI:-}" ]; then
    yarn install --immutable
  else
    yarn install
  fi
}
