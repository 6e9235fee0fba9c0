#!/usr/bin/env bash
# Each connector in connectors/ is its own package with its own pinned dependencies (a shop's
# Oscar and Django, not Andon's): install it into its own venv and run its tests, which start
# real shop processes on SQLite and, when PG_URL or 127.0.0.1:5432 answers, PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(pwd)/.venv/bin/python
UV=$(pwd)/.venv/bin/uv
for pkg in connectors/*/; do
  [ -f "$pkg/pyproject.toml" ] || continue
  echo "=== connector $(basename "$pkg") ==="
  venv="$pkg/.venv"
  stamp="$venv/.installed"
  if [ ! -x "$venv/bin/python" ]; then
    UV_PYTHON_DOWNLOADS=never "$UV" venv -q --python "$PY" "$venv"
  fi
  if [ ! -f "$stamp" ] || [ "$pkg/pyproject.toml" -nt "$stamp" ]; then
    UV_PYTHON_DOWNLOADS=never "$UV" pip install -q -p "$venv/bin/python" -e "$pkg[test]"
    touch "$stamp"
  fi
  (cd "$pkg" && .venv/bin/python -m pytest -q -p no:cacheprovider tests)
done
