"""What the PHI read log adds to a request: a realistic member record page and 50-row lists, with and without it.

Usage: .venv/bin/python benchmarks/phi_log.py [--members 2000] [--runs 200] [--log-rows 0]
       [--database-url postgres://postgres@127.0.0.1:5432/calaim_phi]

The data lives in a throwaway database made the way Django's test runner makes one (an SQLite file in a temporary
folder by default; for PostgreSQL, test_<name> beside the named database), filled with the demo population (a
network, logins, members in every lifecycle state) and dropped at the end; `--log-rows` first fills the log with
that many reads. Each request goes through the whole Django stack (Django's test client, no network): the web
member record page of the member with the longest record, as plan intake with a verified second factor; the API's
member list and authorization queue, 50 rows each, as plan intake with a token.

"With" is the app as configured; "without" is the same process with the log's middleware left out and its
post_init receivers disconnected. The two alternate run by run (ABBA), so drift in the machine falls on both alike.
Figures are medians in milliseconds over `--runs` requests each, their difference, and the median of the
differences between the two requests of each run (with the middle half of them), which a busy machine disturbs least.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PHI_MIDDLEWARE = "calaim.core.middleware.PhiReadLogMiddleware"


def _setup_django(database_url: str | None, sqlite_path: Path) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{sqlite_path}"
    os.environ["CALAIM_MODE"] = "development"
    os.environ["CALAIM_DEBUG"] = "0"  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # a file, not the test runner's :memory:
        settings.DATABASES["default"]["TEST"] = {"NAME": str(sqlite_path)}
    django.setup()


def _population(members: int) -> None:
    """The demo's data, as `manage.py demo` makes it: members, then referrals in every state, a year of history and
    Community Supports requests, each driven through the workflows."""
    from calaim.core.clock import plan_today
    from calaim.demo.cs_lifecycle import demo_cs_create
    from calaim.demo.history import demo_history_create
    from calaim.demo.lifecycle import demo_lifecycle_create
    from calaim.demo.population import demo_population_create
    from calaim.workflows.reference import reference_data_load

    reference_data_load()
    demo_population_create(seed=2026, members=members, as_of=plan_today())
    demo_lifecycle_create(seed=2026)
    demo_history_create(seed=2026)
    demo_cs_create(seed=2026)


def _fill_log(rows: int) -> None:
    """`rows` earlier reads by a handful of users of random members, over the last year."""
    from random import Random

    from django.utils import timezone

    from calaim.accounts.models import User
    from calaim.core.models import PhiRead
    from calaim.members.models import Member

    rng = Random(2026)
    members = list(Member.objects.values_list("pk", "plan_id"))
    users = list(User.objects.values_list("pk", "username")[:40])
    now = timezone.now()
    batch: list[PhiRead] = []
    for n in range(rows):
        member_id, plan_id = rng.choice(members)
        user_id, username = rng.choice(users)
        batch.append(
            PhiRead(
                at=now - dt.timedelta(seconds=rng.randrange(365 * 86400)),
                request_id=f"{n:032x}",
                user_id=user_id,
                user_label=username,
                user_role="plan_intake",
                member_id=member_id,
                plan_id=plan_id,
                view="web:member",
                method="GET",
                path=f"/members/{member_id}/",
                ip="10.0.0.1",
                status=200,
            )
        )
        if len(batch) == 5000:
            PhiRead.objects.bulk_create(batch)
            batch = []
    PhiRead.objects.bulk_create(batch)


def _longest_record() -> Any:
    """The HPSJ member with the most on record: audit events, then tasks and outreach."""
    from django.db.models import Count

    from calaim.members.models import Member

    return (
        Member.objects.filter(plan__code="HPSJ")
        .annotate(n_events=Count("audit_events", distinct=True), n_tasks=Count("tasks", distinct=True))
        .order_by("-n_events", "-n_tasks")
        .first()
    )


def _clients(log_on: bool) -> tuple[Any, dict[str, str]]:
    """A browser verified with TOTP as hpsj.intake, and the token headers for the API; the middleware chain is
    fixed at the client's first request, so each mode gets its own client."""
    from django.conf import settings
    from django.test import Client, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from calaim.accounts.models import ApiToken, User

    user = User.objects.get(username="hpsj.intake")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    middleware = [m for m in settings.MIDDLEWARE if log_on or m != PHI_MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        client.get("/")  # loads this client's middleware chain while the override holds
    _, raw = ApiToken.issue(user=user, name=f"bench-{log_on}")
    return client, {"Authorization": f"Bearer {raw}"}


def _receivers(connected: bool) -> None:
    from django.db.models.signals import post_init

    from calaim.members.models import Member
    from calaim.members.signals import member_links, phi_read_log_connect

    if connected:
        phi_read_log_connect()
        return
    post_init.disconnect(sender=Member, dispatch_uid="phi_read_log:member")
    for model in member_links():
        post_init.disconnect(sender=model, dispatch_uid=f"phi_read_log:{model._meta.label_lower}")


Request = Callable[[Any, dict[str, str]], Any]


def _requests(member_id: Any) -> dict[str, Request]:
    return {
        "member record page (web)": lambda c, h: c.get(f"/members/{member_id}/"),
        "member list, 50 rows (API)": lambda c, h: c.get("/api/members", {"limit": 50}, headers=h),
        "authorization queue, 50 rows (API)": lambda c, h: c.get("/api/authorizations", {"limit": 50}, headers=h),
    }


def _time(request: Request, client: Any, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    response = request(client, headers)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return elapsed


def _bench(args: argparse.Namespace, connection: Any) -> None:
    from calaim.core.models import PhiRead
    from calaim.members.models import Member

    started = time.perf_counter()
    _population(args.members)
    if args.log_rows:
        _fill_log(args.log_rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    member = _longest_record()
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: {Member.objects.count():,} members, "
        f"{PhiRead.objects.count():,} reads already logged, built in {time.perf_counter() - started:.1f}s"
    )
    clients = {True: _clients(True), False: _clients(False)}
    for name, request in _requests(member.pk).items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for warm in (True, False):
            _receivers(warm)
            for _ in range(5):
                _time(request, *clients[warm])
        logged_before = PhiRead.objects.count()
        for run in range(args.runs):
            order = (True, False) if run % 4 in (0, 3) else (False, True)  # ABBA
            for log_on in order:
                _receivers(log_on)
                times[log_on].append(_time(request, *clients[log_on]))
        _receivers(True)
        rows = (PhiRead.objects.count() - logged_before) / args.runs
        with_log, without = statistics.median(times[True]), statistics.median(times[False])
        # Each run's two requests were made one after the other: their difference cancels what the machine did
        # meanwhile, so the median of those differences is the steadier figure on a busy machine.
        paired = sorted(a - b for a, b in zip(times[True], times[False], strict=True))
        quartiles = statistics.quantiles(paired, n=4)
        print(
            f"  {name:<36} with {with_log:7.2f} ms   without {without:7.2f} ms   "
            f"difference of medians {with_log - without:+6.2f} ms   median paired difference "
            f"{statistics.median(paired):+6.2f} ms (middle half {quartiles[0]:+.2f} to {quartiles[2]:+.2f})   "
            f"{rows:.0f} rows written a request"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2000, help="Demo population size (the demo's).")
    parser.add_argument("--runs", type=int, default=200, help="Requests of each kind, with and without the log.")
    parser.add_argument("--log-rows", type=int, default=0, help="Reads already in the log before timing.")
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/calaim_phi; default SQLite.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="phi-log-") as folder:
        _setup_django(args.database_url, Path(folder) / "bench.sqlite3")
        from django.db import connection
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host and a fast, local email backend
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            _bench(args, connection)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
