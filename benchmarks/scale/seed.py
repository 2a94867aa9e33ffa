"""Build a plan-sized PostgreSQL database for the scale benchmark (benchmarks/scale/run.py), fast.

Usage: nice -n 10 .venv/bin/python benchmarks/scale/seed.py
       [--database-url postgres://postgres@127.0.0.1:5432/calaim_scale] [--members 1000000] [--referrals 50000]
       [--enrollments 10000] [--audit-events 5000000] [--phi-reads 1000000] [--demo-members 3000] [--seed 2026]

Steps (each timed):
1. (re)create the database and run `manage.py demo --no-serve`: migrations, the reference data
   (`load_reference`), the demo network and logins, and a few thousand members whose referrals go through the real
   workflows in every state (clocks, decisions, enrollments, care plans, tasks, notices, Community Supports, audit);
2. copy the records of the demo members who have any (benchmarks/scale/clone.py) onto look-alike members until
   the referral and enrollment volumes are reached: those with an authorization, enrollment or Community Supports
   request as often as the enrollments need, those with a referral only as often as the referrals need;
3. the rest of the members, drawn as the demo draws them with a real roster's names (population.py), by COPY;
4. the roster loads' audit events and the PHI read log up to their volumes (history.py), then VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.load.harness import app_env, manage  # noqa: E402
from benchmarks.load.run import database_recreate  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/calaim_scale"
# How far back each copy of a template member is moved, per copy number: referral-only copies spread over months,
# the others by minutes (their clocks and queues stay as the demo made them).
LIGHT_SHIFT_SECONDS = 9 * 3600
HEAVY_SHIFT_SECONDS = 5 * 60
T = TypeVar("T")


def timed(label: str, step: Callable[[], T]) -> T:
    started = time.monotonic()
    result = step()
    print(f"  {label}: {time.monotonic() - started:.0f}s", flush=True)
    return result


def _django(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, CALAIM_MODE="development", CALAIM_DEBUG="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _templates(args: argparse.Namespace) -> tuple[dict[Any, int], dict[Any, int]]:
    """Copies per template member, and each one's time shift per copy, to reach the volumes asked for."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            WITH heavy AS (SELECT member_id FROM ecm_enrollment UNION SELECT member_id FROM community_supports_csrequest
                           UNION SELECT member_id FROM authorizations_authorizationrequest),
                 light AS (SELECT member_id FROM referrals_referral EXCEPT SELECT member_id FROM heavy)
            SELECT 'heavy', member_id, (SELECT count(*) FROM referrals_referral r WHERE r.member_id = h.member_id),
                   (SELECT count(*) FROM ecm_enrollment e WHERE e.member_id = h.member_id) FROM heavy h
            UNION ALL
            SELECT 'light', member_id, (SELECT count(*) FROM referrals_referral r WHERE r.member_id = l.member_id), 0
            FROM light l
        """)
        rows = cursor.fetchall()
    enrollments = sum(row[3] for row in rows)
    heavy_referrals = sum(row[2] for row in rows if row[0] == "heavy")
    light_referrals = sum(row[2] for row in rows if row[0] == "light")
    heavy_copies = max(0, round(args.enrollments / max(enrollments, 1)) - 1)
    referrals_left = args.referrals - heavy_referrals * (heavy_copies + 1) - light_referrals
    light_copies = max(0, round(referrals_left / max(light_referrals, 1)))
    print(
        f"  demo: {enrollments} enrollments, {heavy_referrals + light_referrals} referrals; "
        f"{heavy_copies} copies of {sum(r[0] == 'heavy' for r in rows)} members with authorizations, enrollments or "
        f"CS requests, {light_copies} of {sum(r[0] == 'light' for r in rows)} members with a referral only",
        flush=True,
    )
    copies = {row[1]: heavy_copies if row[0] == "heavy" else light_copies for row in rows}
    shifts = {row[1]: HEAVY_SHIFT_SECONDS if row[0] == "heavy" else LIGHT_SHIFT_SECONDS for row in rows}
    return {k: v for k, v in copies.items() if v}, shifts


def _copy_records(args: argparse.Namespace, roster: Any) -> dict[str, int]:
    from django.db import transaction

    from benchmarks.scale.clone import clone_members_write, records_copy

    copies, shifts = _templates(args)
    with transaction.atomic():
        mapping = roster.copies_create(copies)
        clone_members_write(mapping, shifts)
        written: dict[str, int] = records_copy()
    written["members_member"] = len(mapping)
    return written


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


TABLES = (
    "members_member", "members_enrollmentspan", "members_memberprogram", "referrals_referral", "referrals_loopevent",
    "authorizations_authorizationrequest", "ecm_enrollment", "ecm_eligibilitydetermination", "careplans_task",
    "careplans_outreachattempt", "careplans_careplan", "community_supports_csrequest", "notices_notice",
    "core_auditevent", "core_phiread",
)  # fmt: skip


def seed(args: argparse.Namespace) -> None:
    started = time.monotonic()
    env = app_env(args.database_url, ROOT / "var" / "scale", production=False)
    print(f"Seeding {args.database_url}", flush=True)
    if not args.keep_database:
        timed("database recreated", lambda: database_recreate(args.database_url))
    demo = ("demo", "--no-serve", "--members", str(args.demo_members), "--seed", str(args.seed))
    timed("demo (migrate, reference data, network, logins, workflows)", lambda: manage(env, *demo, timeout=3600))
    _django(args.database_url)
    from benchmarks.scale.history import phi_reads_create, roster_events_create
    from benchmarks.scale.population import Roster
    from calaim.core.clock import plan_today

    roster = Roster(args.seed, plan_today())
    copied = timed("records copied onto look-alike members", lambda: _copy_records(args, roster))
    print("    " + ", ".join(f"{table} {rows:,}" for table, rows in copied.items() if rows), flush=True)
    rest = args.members - _count("members_member")
    timed(f"{rest:,} members by COPY", lambda: roster.members_create(rest))
    events = args.audit_events - _count("core_auditevent")
    timed(f"{events:,} roster audit events", lambda: roster_events_create(events))
    reads = args.phi_reads - _count("core_phiread")
    timed(f"{reads:,} PHI read log rows", lambda: phi_reads_create(reads))
    timed("VACUUM ANALYZE", _vacuum)
    print(f"\nSeeded in {time.monotonic() - started:.0f}s:")
    for table in TABLES:
        print(f"  {table:<40}{_count(table):>12,}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    p.add_argument("--keep-database", action="store_true", help="Add to the database instead of recreating it.")
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--referrals", type=int, default=50_000)
    p.add_argument("--enrollments", type=int, default=10_000)
    p.add_argument("--audit-events", type=int, default=5_000_000)
    p.add_argument("--phi-reads", type=int, default=1_000_000)
    p.add_argument("--demo-members", type=int, default=3000)
    p.add_argument("--seed", type=int, default=2026)
    return p


if __name__ == "__main__":
    seed(parser().parse_args())
