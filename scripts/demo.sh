#!/usr/bin/env bash
# Install Fengqiao into .venv and start the demo (SQLite, seeded data) at http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh ""
exec .venv/bin/fengqiao demo "$@"
