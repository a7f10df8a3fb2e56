#!/usr/bin/env bash
# Run the whole suite on SQLite, then on PostgreSQL where one answers; say which ran.
# KIZUNA_REQUIRE_POSTGRESQL=1 (set by .ci/run under CI) makes a missing PostgreSQL a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${KIZUNA_TEST_POSTGRESQL_URL:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/kizuna}}"
case "$PG_URL" in postgres*) ;; *) PG_URL="postgresql://postgres@127.0.0.1:5432/kizuna" ;; esac

ran=()
status=0

echo "=== Test suite on SQLite ==="
if env -u DATABASE_URL KIZUNA_VAR_DIR="$PWD/var/test" $PY -m pytest "$@"; then
  ran+=("SQLite: passed")
else
  rc=$?; status=1; ran+=("SQLite: FAILED (exit $rc)")
fi

if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                    password=u.password, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL at {u.hostname}:{u.port or 5432} does not answer: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "=== Test suite on PostgreSQL ($PG_URL) ==="
  if DATABASE_URL="$PG_URL" KIZUNA_VAR_DIR="$PWD/var/test" $PY -m pytest "$@"; then
    ran+=("PostgreSQL: passed")
  else
    rc=$?; status=1; ran+=("PostgreSQL: FAILED (exit $rc)")
  fi
else
  if [ "${KIZUNA_REQUIRE_POSTGRESQL:-0}" = "1" ]; then
    status=1; ran+=("PostgreSQL: REQUIRED but not reachable")
  else
    ran+=("PostgreSQL: skipped (not reachable; set DATABASE_URL or start it on 127.0.0.1:5432)")
  fi
fi

CHROMIUM="${KIZUNA_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  browser="Browser tests (tests/e2e, Playwright + $CHROMIUM): ran with the suite on each database above"
else
  browser="Browser tests (tests/e2e): SKIPPED, $CHROMIUM is missing; install Debian's chromium: apt-get install -y chromium"
fi

echo
echo "=== Databases exercised ==="
printf '  %s\n' "${ran[@]}"
echo "  $browser"
exit $status
