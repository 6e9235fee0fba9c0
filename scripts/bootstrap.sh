#!/usr/bin/env bash
# Makes .venv with everything the product and its tests need. Quiet and quick when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.andon-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check uv
  # uv: ~2 s instead of pip's ~17 s; never let it download a Python of its own.
  UV_PYTHON_DOWNLOADS=never .venv/bin/uv pip install -q -p .venv/bin/python -e ".[dev]"
  touch "$stamp"
fi
