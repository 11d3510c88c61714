#!/usr/bin/env bash
# Runs a command after making sure the project's npm dependencies are installed and current, so the
# README's commands work straight after cloning. Usage: scripts/with-deps.sh [--test] <command...>
# --test also makes sure the system packages the test suite needs are present (PostgreSQL server
# binaries, Java and Maven for the time-skipping server, Chromium for the browser test), installing
# them with apt-get when root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test" ]; then
  shift
  need=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || [ -n "${TEST_POSTGRES_URL:-}" ] || need+=(postgresql)
  command -v java >/dev/null || [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] || need+=(default-jre-headless)
  command -v mvn >/dev/null || [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] || need+=(maven)
  [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM_PATH:-}" ] || need+=(chromium)   # the dashboard's browser test
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing ${need[*]} (apt-get)" >&2
      DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "the tests need: ${need[*]} (Debian/Ubuntu: sudo apt-get install ${need[*]}), or set TEST_POSTGRES_URL / TEMPORAL_TEST_SERVER_PATH / CHROMIUM_PATH" >&2
      exit 1
    fi
  fi
fi

# node_modules/.package-lock.json is npm's record of what is installed; reinstall when the lockfile is newer.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
exec "$@"
