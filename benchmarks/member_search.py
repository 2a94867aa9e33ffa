"""Benchmark of member search (the staff app's lookup) over a synthetic population of 100,000 members.

Usage: .venv/bin/python benchmarks/member_search.py [--members 100000] [--queries 200]
       [--database-url postgres://postgres@127.0.0.1:5432/dashsearch]

The members live in a throwaway database made the way Django's test runner makes one (an SQLite file in a
temporary folder by default; for PostgreSQL, test_<name> beside the named database), migrated, filled with
bulk_create and dropped at the end. Each query runs what the search page runs: member_search in the caller's
scope, in its index's order, the first page of 25 and its count (no further than 1,000 past the page).
Figures are per query, in milliseconds, for plan staff (a whole plan in scope) and for provider staff (the
members assigned to their organization).
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
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = dt.date(2026, 6, 30)
PAGE_SIZE = 25


def _setup_django(database_url: str | None, sqlite_path: Path) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{sqlite_path}"
    # A benchmark on a throwaway database: the development settings (production needs a secret key and hosts).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_dev")
    import django
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # a file, not the test runner's :memory:
        settings.DATABASES["default"]["TEST"] = {"NAME": str(sqlite_path)}
    django.setup()


def _population(count: int, seed: int) -> dict[str, Any]:
    """Plans, one ECM provider with a caseload, one user of each side, and `count` members, all in bulk."""
    from calaim.accounts.models import Role, User
    from calaim.authorizations.models import AuthorizationRequest
    from calaim.demo.population import PLAN_COUNTIES, _age, _birth_date, _cin, _identity
    from calaim.ecm.models import Enrollment
    from calaim.members.models import Member
    from calaim.network.models import Organization
    from calaim.plans.models import County, Plan
    from calaim.plans.reference import reference_load
    from calaim.referrals.models import Referral

    reference_load()
    rng = Random(seed)
    plans = {p.code: p for p in Plan.objects.all()}
    counties = {c.name: c for c in County.objects.all()}
    hpsj = Organization.objects.create(name="Health Plan of San Joaquin", kind="plan", plan=plans["HPSJ"])
    provider = Organization.objects.create(name="Bench ECM Provider", kind="ecm_provider")
    plan_user = User.objects.create(username="bench.ms", role=Role.MEMBER_SERVICES, organization=hpsj)
    provider_user = User.objects.create(username="bench.cm", role=Role.PROVIDER_CARE_MANAGER, organization=provider)
    taken: set[str] = set()
    members = []
    for _ in range(count):
        plan, county, _share = rng.choices(PLAN_COUNTIES, weights=[share for *_, share in PLAN_COUNTIES])[0]
        fields = {"cin": _cin(rng, taken), **_identity(rng, county)}
        fields["birth_date"] = _birth_date(rng, _age(rng), AS_OF)
        members.append(Member(plan=plans[plan], county=counties[county], **fields))
    Member.objects.bulk_create(members, batch_size=2000)
    # About 2% of HPSJ's members are in the provider's caseload (an Enrollment needs a referral and an authorization).
    caseload = [m for m in members if m.plan_id == plans["HPSJ"].pk and rng.random() < 0.02]
    now = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                member=m,
                source_type="pcp",
                form="ecm_adult",
                submitted_by=plan_user,
                referrer_name="Bench",
                member_aware=True,
                attested_by="Bench",
                attested_on=AS_OF,
                received_at=now,
                status="assigned",
                status_changed_at=now,
            )
            for m in caseload
        ],
        batch_size=2000,
    )
    authorizations = AuthorizationRequest.objects.bulk_create(
        [
            AuthorizationRequest(
                member=r.member,
                referral=r,
                received_at=now,
                due_at=now,
                ceiling_at=now,
                status="approved",
                decided_at=now,
                settings_version="bench",
            )
            for r in referrals
        ],
        batch_size=2000,
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                member=a.member,
                referral=a.referral,
                authorization=a,
                provider=provider,
                assignment_method="automatic",
                assigned_at=now,
            )
            for a in authorizations
        ],
        batch_size=2000,
    )
    hpsj_members = [m for m in members if m.plan_id == plans["HPSJ"].pk]
    return {"plan": (plan_user, hpsj_members), "provider": (provider_user, caseload)}


QUERY_KINDS: dict[str, Callable[[Any], str]] = {
    "CIN exact": lambda m: m.cin,
    "CIN prefix (5 digits)": lambda m: m.cin[:5],
    "last name prefix (3 letters)": lambda m: m.last_name[:3].lower(),
    "last name (whole)": lambda m: m.last_name,
    "last, first (prefix)": lambda m: f"{m.last_name}, {m.first_name[:2]}",
    "first last": lambda m: f"{m.first_name} {m.last_name}",
    "birth date ISO": lambda m: m.birth_date.isoformat(),
    "birth date MM/DD/YYYY": lambda m: m.birth_date.strftime("%m/%d/%Y"),
}


def _run_search(user: Any, query: str) -> int:
    """What the search page does: the scoped search in its index's order, its first page and its (bounded) count."""
    from calaim.access.scopes import member_search
    from calaim.core.paging import page_of

    return page_of(member_search(user, query, related=("county",)), 1, PAGE_SIZE).count


def _measure(user: Any, sample: list[Any], kind: str, queries: int, rng: Random) -> tuple[float, float, float]:
    make = QUERY_KINDS[kind]
    times, found = [], []
    for _ in range(queries):
        query = make(rng.choice(sample))
        start = time.perf_counter()
        found.append(_run_search(user, query))
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1]
    return statistics.median(times), p95, statistics.mean(found)


def _plans(user: Any, sample: list[Any]) -> None:
    from calaim.access.scopes import member_search
    from calaim.core.paging import QueryChain

    print("\nQuery plans (plan staff):")
    for kind, make in QUERY_KINDS.items():
        found = member_search(user, make(sample[0]))
        plan = (found.parts[0] if isinstance(found, QueryChain) else found).explain()
        print(f"-- {kind}: {make(sample[0])!r}\n   " + plan.replace("\n", "\n   "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="Queries per search kind and caller.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/dashsearch; default SQLite.")
    parser.add_argument("--explain", action="store_true", help="Print each kind's query plan.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="member-search-") as folder:
        _setup_django(args.database_url, Path(folder) / "bench.sqlite3")
        from django.db import connection

        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            _bench(args, connection)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _bench(args: argparse.Namespace, connection: Any) -> None:
    start = time.perf_counter()
    callers = _population(args.members, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: {args.members:,} members, "
        f"{len(callers['provider'][1]):,} in the provider's caseload, built in {time.perf_counter() - start:.1f}s"
    )
    rng = Random(args.seed)
    for name, (user, sample) in callers.items():
        _run_search(user, "warm up")
        print(f"\n{name} staff ({args.queries} queries per kind): median ms, p95 ms, mean members found")
        for kind in QUERY_KINDS:
            median, p95, found = _measure(user, sample, kind, args.queries, rng)
            print(f"  {kind:<30} {median:7.2f} {p95:7.2f} {found:9.1f}")
    if args.explain:
        _plans(callers["plan"][0], callers["plan"][1])


if __name__ == "__main__":
    main()
