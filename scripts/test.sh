#!/usr/bin/env bash
# The whole suite on SQLite (with the real-browser tests), then on PostgreSQL. With CI=true a missing PostgreSQL
# or a missing Chromium that cannot be installed fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { .tools/bin/uv run --frozen --no-sync "$@"; }

export CALAIM_MODE="${CALAIM_MODE:-development}"
export CALAIM_TEST_POSTGRES_URL="${CALAIM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

echo "== ruff"
run ruff check .

echo "== mypy"
run mypy calaim config identification

echo "== migrations are up to date"
run python manage.py makemigrations --check --dry-run >/dev/null

echo "== import contracts: the layers, no cycle between calaim's packages, no Django in the rule engines"
run lint-imports --no-cache

echo "== Pango and fonts for the letters, Chromium for the browser tests"
# tests/browser drive Debian's Chromium through Playwright (the Python package is in the locked dev group); the
# letters need Pango and the Noto fonts (scripts/system_packages.sh installs what is missing).
CHROMIUM=/usr/bin/chromium
if ! bash scripts/system_packages.sh --browser && [ "${CI:-}" = "true" ]; then
  echo "System packages for the letters or the browser tests are missing and CI=true: failing." >&2
  exit 1
fi
if [ -x "$CHROMIUM" ]; then
  "$CHROMIUM" --version 2>/dev/null
elif [ "${CI:-}" = "true" ]; then
  echo "$CHROMIUM is missing and could not be installed (apt-get install chromium) and CI=true: failing." >&2
  exit 1
else
  echo "$CHROMIUM is missing and could not be installed: the browser tests (tests/browser) will be SKIPPED." >&2
  echo "Install it with: sudo apt-get install chromium   (CI=true makes this fatal)" >&2
fi

# pytest exits 5 when it collects no tests; `set -e` makes that a failure like any other.
echo "== tests on SQLite, two workers"
env -u DATABASE_URL timeout 1200 .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 -m "not spark" \
  --ignore=tests/identification --ignore=tests/browser --ignore=tests/tour "$@"

echo "== the identification engine, the browser tests and the README tour on SQLite, one at a time (screenshots in test-output/)"
# One worker: Spark and Chromium each want the whole machine.
env -u DATABASE_URL timeout 1800 .venv/bin/python -m pytest -q -p no:cacheprovider tests/identification tests/browser tests/tour "$@"
# An identification run from the web app on Spark (it writes what DuckDB writes), alone for the same reason.
env -u DATABASE_URL timeout 600 .venv/bin/python -m pytest -q -p no:cacheprovider -m spark tests/analytics "$@"

if run python scripts/postgres_ready.py; then
  echo "== tests on PostgreSQL ($CALAIM_TEST_POSTGRES_URL)"
  # Engine-independent tests already ran above: the identification engine, and the browser tests, which
  # check pages, focus and htmx through the same views and services whose every query runs here on PostgreSQL.
  DATABASE_URL="$CALAIM_TEST_POSTGRES_URL" timeout 1200 .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 \
    -m "not spark" --ignore=tests/identification --ignore=tests/browser --ignore=tests/tour "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $CALAIM_TEST_POSTGRES_URL and CI=true: failing." >&2
  exit 1
else
  echo "PostgreSQL not reachable at $CALAIM_TEST_POSTGRES_URL: skipped locally (CI=true makes this fatal)." >&2
fi
