#!/usr/bin/env bash
# Each connector in connectors/ is its own package with its own pinned dependencies (a shop's
# Oscar and Django, a desk's django-helpdesk, not Andon's): install each into its own venv,
# then run their tests, which start real processes (Andon, the shop, the desk) on SQLite and,
# when PG_URL or 127.0.0.1:5432 answers, PostgreSQL. Every venv is built before any test
# runs: the end-to-end test in django-helpdesk-andon starts the Oscar shop with the Oscar
# connector's venv. The databases every test starts from (Andon loaded with `andon demo
# --small`, the shop migrated and seeded, the desk migrated) are built once here, side by
# side, and copied per test (connectors/testkit/andon_e2e.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(pwd)/.venv/bin/python
UV=$(pwd)/.venv/bin/uv
started=$(date +%s)
pkgs=()
for pkg in connectors/*/; do
  [ -f "$pkg/pyproject.toml" ] || continue
  pkgs+=("$pkg")
  venv="$pkg/.venv"
  stamp="$venv/.installed"
  if [ ! -x "$venv/bin/python" ]; then
    UV_PYTHON_DOWNLOADS=never "$UV" venv -q --python "$PY" "$venv"
  fi
  if [ ! -f "$stamp" ] || [ "$pkg/pyproject.toml" -nt "$stamp" ]; then
    UV_PYTHON_DOWNLOADS=never "$UV" pip install -q -p "$venv/bin/python" -e "$pkg[test]"
    touch "$stamp"
  fi
done

work=$(mktemp -d -t andon-connectors.XXXXXX)
cleanup() {
  [ -f "$work/templates.json" ] && "$PY" connectors/testkit/andon_e2e.py drop "$work/templates.json" || true
  rm -rf "$work"
}
trap cleanup EXIT
"$PY" connectors/testkit/andon_e2e.py build "$work" > "$work/templates.json.tmp"
mv "$work/templates.json.tmp" "$work/templates.json"
export ANDON_E2E_TEMPLATES="$work/templates.json"
echo "connector databases built in $(( $(date +%s) - started )) s"

# The suites run side by side (each test mostly waits on its processes): their outputs are
# printed when both are done; each has its own pytest temporary directory.
pids=()
for pkg in "${pkgs[@]}"; do
  name=$(basename "$pkg")
  (cd "$pkg" && .venv/bin/python -m pytest -q -p no:cacheprovider --basetemp "$work/tmp-$name" tests) \
    > "$work/$name.out" 2>&1 &
  pids+=("$!")
done
rc=0
for i in "${!pkgs[@]}"; do
  name=$(basename "${pkgs[$i]}")
  wait "${pids[$i]}" || rc=1
  echo "=== connector $name ==="
  cat "$work/$name.out"
done
echo "connector tests: $(( $(date +%s) - started )) s"
exit "$rc"
