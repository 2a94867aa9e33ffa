"""Exit 0 when the test PostgreSQL server accepts connections, 1 otherwise."""

import os
import sys

import psycopg

url = os.environ.get("CALAIM_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
try:
    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("select 1")
except psycopg.Error as exc:
    print(f"PostgreSQL not ready: {exc}", file=sys.stderr)
    sys.exit(1)
