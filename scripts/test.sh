#!/usr/bin/env bash
# Install Fengqiao with its test extras into .venv and run the whole suite:
# once on SQLite, once on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/fengqiao).
# Browser tests drive Debian's Chromium (/usr/bin/chromium), installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh "[test]"

if { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wenquanyi; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "安装 Chromium 与中文字体 / installing Debian's chromium and a CJK font for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
    || echo "chromium not installed; browser tests will be skipped"
fi

PG_URL=${FENGQIAO_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/fengqiao}
status=0
echo "== 测试 / tests on SQLite"
env -u DATABASE_URL .venv/bin/python -m pytest "$@" || status=$?

if .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg, dj_database_url
c = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], password=c["PASSWORD"] or None, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  echo "== 测试 / tests on PostgreSQL ($PG_URL)"
  DATABASE_URL=$PG_URL .venv/bin/python -m pytest "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI"; status=1
fi
exit $status
