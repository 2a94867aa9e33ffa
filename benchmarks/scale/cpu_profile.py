"""Where one endpoint of the scale run spends its CPU: cProfile over repeated requests through Django's test client.

Usage: .venv/bin/python benchmarks/scale/cpu_profile.py NAME [--requests 30] [--sort cumulative|tottime] [--top 40]
       [--config benchmarks/.cache/scale/config.json]
NAME is an endpoint name of run.py (e.g. "page: member record"); the config is the one run.py prepared (sessions,
tokens, members). Against the same database as run.py (--database-url). The first request warms the caches and is
not profiled. Prints the time per request and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name")
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--sort", default="cumulative")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--queries", action="store_true", help="print one request's queries with their times instead")
    p.add_argument("--callees", default="", help="print what functions matching this name call")
    p.add_argument("--config", default=str(ROOT / "benchmarks/.cache/scale/config.json"))
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/calaim_scale")
    args = p.parse_args()
    from benchmarks.load.harness import app_env

    out = Path(args.config).parent  # run.py's --out: its production settings (secret key) read the sessions it made
    os.environ.clear()
    os.environ.update(app_env(args.database_url, out / "var", production=True, CALAIM_STATIC_ROOT=str(out / "static")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from benchmarks.scale.prepare import _ask, _client, _session
    from benchmarks.scale.run import endpoints
    from calaim.accounts.models import User

    with open(args.config) as f:
        config = json.load(f)
    endpoint = next(e for e in endpoints(config) if e["name"] == args.name)
    if endpoint.get("session"):  # a fresh session of the same user, signed with this process's key
        role = endpoint["session"]
        config["sessions"][role] = _session(User.objects.get(username=config["users"][role]))
    client, headers = _client(config, endpoint)
    status = _ask(client, headers, endpoint, 0)
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            status = _ask(client, headers, endpoint, 1)
        for query in queries:
            print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        print(f"status {status}, {len(queries)} queries")
        return
    profiler = cProfile.Profile()
    started, cpu = time.monotonic(), time.process_time()
    profiler.enable()
    for index in range(1, args.requests + 1):
        status = _ask(client, headers, endpoint, index)
    profiler.disable()
    wall, used = time.monotonic() - started, time.process_time() - cpu
    per_request, cpu_per_request = wall / args.requests * 1000, used / args.requests * 1000
    print(f"{args.name}: status {status}, {per_request:.1f} ms a request ({cpu_per_request:.1f} ms CPU, profiled)")
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    if args.callees:
        stats.print_callees(args.callees)
    else:
        stats.print_stats(args.top)


if __name__ == "__main__":
    main()
