#!/usr/bin/env bash
# Install Fengqiao into .venv and start the demo (SQLite, seeded data) at http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/fengqiao demo "$@"
