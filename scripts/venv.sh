# Sourced by demo.sh and test.sh: make .venv (Python 3.11 preferred) and install the project with the
# extras named in $1 (e.g. "" or "[test]").
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${1:-}"
