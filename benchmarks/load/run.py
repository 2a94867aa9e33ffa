"""The load run: gunicorn and the task worker in production mode on PostgreSQL, 50 clients for 10 minutes.

Usage: .venv/bin/python benchmarks/load/run.py [--users 50] [--duration 10m] [--members 30000]
       [--database-url postgres://postgres@127.0.0.1:5432/calaim_load] [--keep-database] [--out DIR]
A smoke run: --users 10 --duration 1m --members 5000.

Steps, each as docs/deploy.md has them: (re)create the database, `migrate`, `collectstatic`, load the demo data
(`demo --no-serve`), start `gunicorn -c config/gunicorn.conf.py config.wsgi` and the worker (`calaim_worker`) with
production settings behind a (simulated) TLS proxy, wait for /healthz, then run locust headless
(benchmarks/load/locustfile.py: every role's reads and writes through the API, page reads with a session that
passed the second factor). When the clients stop, the worker is given time to drain its queue; then every write
answered 2xx is looked up in the database, and the tasks are checked: none left to run, none failed, no notice
unsent, no background effect recorded twice. Prints p50/p95 per request kind and exits 1 on any error.

Why locust: its headless runner gives per-request-kind counts, failures and percentiles out of the box, runs 50
users on gevent in one process (cheap next to the server on a small machine), and the workload reads as plain
Python classes, one per role.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402

from benchmarks.load.harness import (  # noqa: E402
    PYTHON,
    app_env,
    django_script,
    manage,
    start_web,
    start_worker,
    stop,
    wait_ready,
    worker_command,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/calaim_load"


@dataclass(frozen=True)
class Outcome:
    errors: int  # requests not answered as expected
    writes_lost: int  # writes answered 2xx and not in the database
    tasks_ok: bool  # every task ran, none failed, none applied its effect twice

    @property
    def clean(self) -> bool:
        return self.errors == 0 and self.writes_lost == 0 and self.tasks_ok


@dataclass
class Stack:
    """The running service: what a fault injector may kill, and how systemd would bring the worker back."""

    env: dict[str, str]
    base_url: str
    out: Path
    web: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    worker_cmd: list[str]
    events: list[dict[str, Any]] = field(default_factory=list)

    def restart_worker(self) -> None:
        self.worker = start_worker(self.env, self.out / "worker.log", self.worker_cmd)

    def note(self, what: str, **figures: Any) -> None:
        event = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "event": what, **figures}
        self.events.append(event)
        print(f"  [{event['at']}] {what} {figures if figures else ''}", flush=True)


def database_recreate(url: str) -> None:
    """Drop and create the run's database, owned by the URL's user, through the server's maintenance database."""
    conf = dj_database_url.parse(url)
    admin = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"], "dbname": "postgres"}
    if conf["PASSWORD"]:
        admin["password"] = conf["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as conn:
        name = psycopg.sql.Identifier(conf["NAME"])
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))


def set_up(args: argparse.Namespace, env: dict[str, str]) -> None:
    steps: list[tuple[str, Callable[[], object]]] = []
    if not args.keep_database:
        steps.append(("database recreated", lambda: database_recreate(args.database_url)))
    steps += [
        ("migrate", lambda: manage(env, "migrate", "-v", "0")),
        ("collectstatic", lambda: manage(env, "collectstatic", "--noinput", "-v", "0")),
        ("demo data", lambda: manage(env, "demo", "--no-serve", "--members", str(args.members))),
        ("clients prepared", lambda: prepare(env, args.out)),
    ]
    for label, step in steps:
        started = time.monotonic()
        step()
        print(f"  {label}: {time.monotonic() - started:.0f}s", flush=True)


def prepare(env: dict[str, str], out: Path) -> None:
    django_script(env, f"from benchmarks.load.prepare import main; main({str(out / 'config.json')!r})")
    config = json.loads((out / "config.json").read_text())
    print(
        f"  {len(config['ecm_candidates'])} members for ECM referrals, {len(config['cs_candidates'])} for "
        f"Community Supports, {len(config['tokens'])} tokens, {len(config['page_users'])} page users",
        flush=True,
    )


def run_locust(args: argparse.Namespace, base_url: str) -> int:
    command = [
        PYTHON, "-m", "locust", "-f", str(ROOT / "benchmarks" / "load" / "locustfile.py"), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.duration,
        "--host", base_url, "--csv", str(args.out / "locust"), "--only-summary", "--stop-timeout", "60",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        "LOAD_CONFIG": str(args.out / "config.json"),
        "LOAD_WRITES": str(args.out / "writes.jsonl"),
        "LOAD_RETRIES": str(args.out / "retries.jsonl"),
    }
    with (args.out / "locust.log").open("w") as log:
        done = subprocess.run(command, cwd=ROOT, env={**_base_env(), **env}, stdout=log, stderr=subprocess.STDOUT)
    return done.returncode


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("CALAIM_", "DJANGO_")) and k != "DATABASE_URL"}


def drain(env: dict[str, str], since: dt.datetime | None, timeout: float) -> float:
    """Wait until no task (enqueued since SINCE) is due or running; return how long that took."""
    started = time.monotonic()
    after = f"enqueued_at__gte={since.isoformat()!r}" if since else ""
    code = (
        "from django.utils import timezone\nfrom django_tasks_db.models import DBTaskResult\n"
        f"rows = DBTaskResult.objects.filter({after})\n"
        "print(rows.filter(status='READY', run_after__lte=timezone.now()).count() + "
        "rows.filter(status='RUNNING').count())\n"
    )
    while time.monotonic() - started < timeout:
        if int(django_script(env, code).split()[-1]) == 0:
            return time.monotonic() - started
        time.sleep(5)
    return float("nan")


def latencies(out: Path) -> list[dict[str, Any]]:
    rows = []
    with (out / "locust_stats.csv").open() as stats:
        for row in csv.DictReader(stats):
            rows.append(
                {
                    "kind": row["Name"] if row["Name"] != "Aggregated" else "all requests",
                    "count": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                }
            )
    return rows


def report(rows: list[dict[str, Any]], verified: dict[str, Any], duration: float, retried: int) -> Outcome:
    print(f"\n{'request kind':<34}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for row in rows:
        print(f"{row['kind']:<34}{row['count']:>8}{row['errors']:>8}{row['p50']:>9.0f}{row['p95']:>9.0f}")
    total = rows[-1]
    rate = total["count"] / duration
    print(f"\n{total['count']} requests in {duration:.0f}s ({rate:.1f}/s), {total['errors']} errors")
    print(f"{retried} sent again after their kept-alive connection closed before any answer (as a browser does)")
    lost = 0
    print("\nwrites answered 2xx, then found in the database:")
    for kind, counts in verified["writes"].items():
        lost += counts["acknowledged"] - counts["found"]
        print(f"  {kind:<20}{counts['found']:>6} of {counts['acknowledged']}")
    tasks = verified["tasks"]
    print(f"\ntasks: {tasks['tasks_by_status']}; due but not run: {tasks['tasks_due_not_run']}")
    print(f"  by task: {tasks['tasks_by_path']}")
    print(
        f"  notices: {tasks['notices_created']} created, {tasks['notices_sent']} sent, {tasks['notices_unsent']} "
        f"unsent, {tasks['notice_sends_audited']} sends audited; tasks picked up by more than one worker "
        f"{tasks['tasks_run_by_more_than_one_worker']}; background effects applied twice: "
        f"{len(tasks['background_effects_applied_twice'])}"
    )
    tasks_ok = (
        tasks["tasks_due_not_run"] == 0
        and tasks["tasks_by_status"].get("FAILED", 0) == 0
        and tasks["tasks_by_status"].get("RUNNING", 0) == 0
        and tasks["notices_unsent"] == 0
        and tasks["notices_sent"] == tasks["notice_sends_audited"]
        and not tasks["background_effects_applied_twice"]
    )
    return Outcome(errors=total["errors"], writes_lost=lost, tasks_ok=tasks_ok)


def run(args: argparse.Namespace, during: Callable[[Stack], None] | None = None, **worker_env: str) -> Outcome:
    """Set up, serve, load (with DURING running beside the clients, for faults), drain, verify."""
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "writes.jsonl").write_text("")
    (args.out / "retries.jsonl").write_text("")
    env = app_env(
        args.database_url,
        args.out / "var",
        production=True,
        CALAIM_STATIC_ROOT=str(args.out / "static"),
        # The sweep that sends any notice whose own task was lost runs every 30 s rather than 5 minutes, so a run
        # of minutes shows it at work.
        CALAIM_WORKER_NOTICE_SWEEP_SECONDS="30",
        **worker_env,
    )
    print(f"Setting up {args.database_url} in production mode ({args.members} demo members)", flush=True)
    set_up(args, env)
    base_url = f"http://127.0.0.1:{args.port}"
    stack = Stack(
        env=env,
        base_url=base_url,
        out=args.out,
        web=start_web(env, f"127.0.0.1:{args.port}", args.out / "web.log", workers=args.web_workers),
        worker=start_worker(env, args.out / "worker.log", worker_command(env)),
        worker_cmd=worker_command(env),
    )
    try:
        stack.note("started", ready_after_s=round(wait_ready(f"{base_url}/healthz", timeout=180), 1))
        # The demo data owes notices; the worker sends them before the clients start, so the run measures a
        # steady state rather than a backlog.
        stack.note("demo's queue drained", seconds=round(drain(env, None, timeout=args.drain_timeout), 1))
        since = dt.datetime.now(dt.UTC)
        print(f"Load: {args.users} clients for {args.duration}", flush=True)
        injector = threading.Thread(target=during, args=(stack,), daemon=True) if during else None
        if injector:
            injector.start()
        started = time.monotonic()
        run_locust(args, base_url)
        duration = time.monotonic() - started
        if injector:
            injector.join(timeout=600)
        stack.note("clients stopped; draining the task queue")
        stack.note("queue drained", seconds=round(drain(env, since, timeout=args.drain_timeout), 1))
    finally:
        stop(stack.web)
        stop(stack.worker)
    code = f"from benchmarks.load.verify import main; main({str(args.out / 'writes.jsonl')!r}, {since.isoformat()!r})"
    verified = json.loads(django_script(env, code).strip().splitlines()[-1])
    rows = latencies(args.out)
    (args.out / "summary.json").write_text(
        json.dumps({"latencies": rows, "verified": verified, "events": stack.events}, indent=1)
    )
    retried = len((args.out / "retries.jsonl").read_text().splitlines())
    return report(rows, verified, duration, retried)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    p.add_argument("--keep-database", action="store_true", help="Do not drop and recreate the database first.")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--spawn-rate", type=float, default=5)
    p.add_argument("--duration", default="10m", help="locust's --run-time: 90s, 10m, 1h")
    p.add_argument("--members", type=int, default=30000, help="demo members (more members, more referrals to make)")
    p.add_argument("--port", type=int, default=8800)
    p.add_argument("--web-workers", type=int, default=None, help="gunicorn workers (default: the config file's)")
    p.add_argument("--drain-timeout", type=float, default=600)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / ".cache" / "load")
    return p


def main() -> None:
    args = parser().parse_args()
    outcome = run(args)
    print("\nOK" if outcome.clean else f"\nFAILED: {outcome}")
    sys.exit(0 if outcome.clean else 1)


if __name__ == "__main__":
    main()
