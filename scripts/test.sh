#!/usr/bin/env bash
# The whole test suite: lint, then every test on the embedded SQLite and on a real PostgreSQL.
# PostgreSQL: the server on 127.0.0.1:5432 if one answers, else a throwaway cluster started
# here from /usr/lib/postgresql/*/bin. In CI (CI=true) a missing PostgreSQL is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
source scripts/lib/postgres.sh
source scripts/lib/browser.sh

.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "ruff format: run .venv/bin/ruff format ." >&2; exit 1; }
# Import contracts (pyproject [tool.importlinter]); the report only when one breaks.
contracts=$(.venv/bin/lint-imports --no-cache --no-logo 2>&1) || { echo "$contracts"; exit 1; }
echo "import contracts: $(echo "$contracts" | tail -n 1)"
# Types (pyproject [tool.mypy], django-stubs): the whole andon package.
types=$(.venv/bin/mypy 2>&1) || { echo "$types"; exit 1; }
echo "types: $(echo "$types" | tail -n 1)"

postgres_setup || {
  if [ "${CI:-}" = "true" ]; then echo "FATAL: no PostgreSQL could be found or started" >&2; exit 1; fi
  echo "WARNING: no PostgreSQL; running on SQLite only" >&2; PG_URL=""
}
browser_ensure || {
  if [ "${CI:-}" = "true" ]; then echo "FATAL: Chromium is needed for the browser tests" >&2; exit 1; fi
  echo "WARNING: no Chromium; the browser tests will be skipped" >&2
}
# The README's curl walk-through is a test too: without curl it is skipped, in CI it fails.
command -v curl >/dev/null || {
  if [ "${CI:-}" = "true" ]; then echo "FATAL: curl is needed for the README's walk-through" >&2; exit 1; fi
  echo "WARNING: no curl; the README's walk-through test will be skipped" >&2
}

run() {  # pytest exits 5 when nothing ran: that is a failure here too.
  local label=$1; shift
  echo "=== tests on $label ==="
  "$@" .venv/bin/pytest -q -p no:cacheprovider "${PYTEST_ARGS[@]}"
}
PYTEST_ARGS=("$@")
# The two cores work side by side: the SQLite phase (then the connectors, on a whole run) in
# the background, writing to a log shown when it ends; the PostgreSQL phase in the foreground.
# Neither shares a database, a port or a file with the other.
logs=$(mktemp -d /tmp/andon-test.XXXXXX)
(
  run "SQLite" env -u DATABASE_URL
  # The connectors (connectors/*), in their own venvs, when the whole suite runs.
  if [ ${#PYTEST_ARGS[@]} -eq 0 ]; then
    PG_URL="$PG_URL" scripts/test-connectors.sh
  fi
) >"$logs/sqlite.log" 2>&1 &
background=$!
status=0
if [ -n "$PG_URL" ]; then
  run "PostgreSQL" env DATABASE_URL="$PG_URL" || status=$?
fi
wait "$background" || status=$?
cat "$logs/sqlite.log"
rm -rf "$logs"
exit "$status"
