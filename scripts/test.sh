#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL. With CI=true a missing PostgreSQL fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { .tools/bin/uv run --frozen --no-sync "$@"; }

export CALAIM_TEST_POSTGRES_URL="${CALAIM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

echo "== ruff"
run ruff check .

echo "== mypy"
run mypy calaim config identification

echo "== migrations are up to date"
run python manage.py makemigrations --check --dry-run >/dev/null

echo "== tests on SQLite"
env -u DATABASE_URL timeout 1800 .venv/bin/python -m pytest -q -p no:cacheprovider "$@"

if run python scripts/postgres_ready.py; then
  echo "== tests on PostgreSQL ($CALAIM_TEST_POSTGRES_URL)"
  # Engine-independent tests (the identification engine) already ran above.
  DATABASE_URL="$CALAIM_TEST_POSTGRES_URL" timeout 1200 .venv/bin/python -m pytest -q -p no:cacheprovider \
    --ignore=tests/identification "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $CALAIM_TEST_POSTGRES_URL and CI=true: failing." >&2
  exit 1
else
  echo "PostgreSQL not reachable at $CALAIM_TEST_POSTGRES_URL: skipped locally (CI=true makes this fatal)." >&2
fi
