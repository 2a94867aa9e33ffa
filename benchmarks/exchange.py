"""Benchmark of the provider files and the QIMR at plan scale on PostgreSQL (issue 13, item 9).

Usage: nice -n 10 .venv/bin/python benchmarks/exchange.py [--repeat 3] [--members 10000] [--rtf-rows 100000]
       [--source calaim_scale] [--server postgres://postgres@127.0.0.1:5432] [--keep]

It copies the scale run's database (benchmarks/scale/seed.py: 1,000,000 members, 50,000 referrals, 10,000
enrollments, 5,000,000 audit events) into `calaim_bench_exchange` (`CREATE DATABASE ... TEMPLATE`, dropped at the
end unless --keep), migrates it, and gives HPSJ one ECM provider per repeat, each assigned `--members` members of
its own (a referral, an approved authorization and an enrollment each, copied from one of the plan's enrollments;
untimed set-up). Then, per repeat, in turns:

- MIF: `exchange_export_create` of the provider's Member Information File for this month, as CSV (the file made,
  hashed and recorded); target <= 5 s for 10,000 members;
- RTF: a Return Transmission File of `--rtf-rows` rows for the provider (ten closed-loop status updates per member
  on distinct dates, with the member's ECM status and start date, acuity, Lead Care Manager, milestones and
  encounter counts on the first row of each), timed from `exchange_load_create` to the end of
  `exchange_load_run` (hash, read, check every row, apply in one transaction, commit); target <= 30 s. Its
  baseline: the reader alone on the same file (parsing and header matching, no checks against the database), so
  the ratio says what the checks and writes cost over reading;
- the same RTF again with one byte changed (a corrected resubmission with nothing new): every row checked and found
  on record;
- QIMR: `qimr_build` and `qimr_save` of the plan's report for this quarter over the whole database; target <= 60 s.

Prints each figure's median over the repeats, its runs, and the targets.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "calaim_bench_exchange"
PLAN = "HPSJ"
STATUS_STEPS = ("Pending", "Accepted", *(["Outreach Initiated"] * 8))


def database_copy(server: str, source: str, target: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        # A template must have no other session: the scale run's server is not running while this one is.
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def database_drop(server: str, target: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def django_setup(url: str, data_dir: Path) -> None:
    os.environ.update(DATABASE_URL=url, CALAIM_MODE="development", CALAIM_DEBUG="0", CALAIM_DATA_DIR=str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)


def npi_for(index: int) -> str:
    from calaim.roster.reader_values import npi_check_digit

    first_nine = f"19{index:07d}"
    return first_nine + npi_check_digit(first_nine)


def provider_with_members(index: int, members: int) -> tuple[Any, list[tuple[str, dt.date]]]:
    """A new ECM provider contracting with the plan, and `members` members assigned to it (CIN, assignment day):
    each a copy of one of the plan's enrollments with its referral and approved authorization."""
    from django.db import transaction
    from django.db.models import Exists, OuterRef, Q

    from calaim.authorizations.models import AuthorizationKind, AuthorizationRequest, AuthorizationStatus
    from calaim.ecm.models import Enrollment, EnrollmentStatus
    from calaim.members.models import EnrollmentSpan, Member
    from calaim.network.models import Contract, Organization, OrganizationKind, Program
    from calaim.plans.models import Plan
    from calaim.referrals.models import LoopEvent, Referral, ReferralStatus

    plan = Plan.objects.get(code=PLAN)
    template = (
        Enrollment.objects.filter(member__plan=plan, status=EnrollmentStatus.ASSIGNED)
        .select_related("referral", "authorization")
        .first()
    )
    assert template is not None, "the source database has no assigned enrollment to copy (run the scale seed)"
    assigned_at = dt.datetime(2026, 10, 5, 17, 0, tzinfo=dt.UTC)
    chosen = list(
        Member.objects.filter(plan=plan, ecm_enrollments=None, referrals=None, birth_date__year__lt=2004)
        .filter(  # in the plan all this month, as the files' checks require
            Exists(
                EnrollmentSpan.objects.filter(
                    Q(end_date__isnull=True) | Q(end_date__gte=dt.date(2026, 12, 31)),
                    member=OuterRef("pk"),
                    plan=plan,
                    start_date__lte=dt.date(2026, 10, 1),
                )
            )
        )
        .order_by("cin")
        .values_list("pk", "cin")[index * members : (index + 1) * members]
    )
    with transaction.atomic():
        provider = Organization.objects.create(
            name=f"Bench ECM Group {index + 1}",
            kind=OrganizationKind.ECM_PROVIDER,
            npi=npi_for(index),
            tin=f"9{index:08d}",
            phone="+12095550100",
        )
        contract = Contract.objects.create(
            plan=plan,
            organization=provider,
            program=Program.ECM,
            pof_codes=["A1", "A3"],
            languages=["en", "es"],
            capacity=members * 2,
            start_date=dt.date(2026, 1, 1),
        )
        contract.counties.set(Contract.objects.filter(plan=plan).first().counties.all())  # type: ignore[union-attr]
        referrals, authorizations, enrollments, events = [], [], [], []
        for member_id, _cin in chosen:
            referral = _copy(
                template.referral,
                member_id=member_id,
                status=ReferralStatus.ASSIGNED,
                received_at=assigned_at - dt.timedelta(days=4),
                status_changed_at=assigned_at,
                idempotency_key="",
                request_fingerprint="",
                linked_to_id=None,
            )
            authorization = _copy(
                template.authorization,
                member_id=member_id,
                referral_id=referral.pk,
                kind=AuthorizationKind.INITIAL,
                status=AuthorizationStatus.APPROVED,
                received_at=assigned_at - dt.timedelta(days=4),
                decided_at=assigned_at - dt.timedelta(days=1),
                period_start=dt.date(2026, 10, 1),
                period_end=dt.date(2027, 9, 30),
                renews_id=None,
            )
            referrals.append(referral)
            authorizations.append(authorization)
            enrollments.append(
                _copy(
                    template,
                    member_id=member_id,
                    referral_id=referral.pk,
                    authorization_id=authorization.pk,
                    provider_id=provider.pk,
                    status=EnrollmentStatus.ASSIGNED,
                    assigned_at=assigned_at,
                    enrolled_on=None,
                    ended_on=None,
                    lead_care_manager_id=None,
                    previous_id=None,
                )
            )
            events.append(
                LoopEvent(
                    referral_id=referral.pk,
                    program=Program.ECM,
                    status=ReferralStatus.ASSIGNED,
                    status_label="Assigned to an ECM provider",
                    loop_status="Accepted",
                    at=assigned_at,
                )
            )
        Referral.objects.bulk_create(referrals, batch_size=2000)
        AuthorizationRequest.objects.bulk_create(authorizations, batch_size=2000)
        Enrollment.objects.bulk_create(enrollments, batch_size=2000)
        LoopEvent.objects.bulk_create(events, batch_size=2000)
    return provider, [(cin, assigned_at.date()) for _pk, cin in chosen]


def _copy(row: Any, **changes: Any) -> Any:
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    values.update(changes, id=uuid.uuid4())
    return type(row)(**values)


def rtf_write(path: Path, provider: Any, members: list[tuple[str, dt.date]], rows: int, produced: dt.date) -> int:
    """The provider's RTF: per member, ten closed-loop updates on distinct days after the assignment, the member's
    enrollment, report and counts on the first; `rows` rows in all (members cycled)."""
    from calaim.exchange.columns import RTF_COLUMNS

    per_member = len(STATUS_STEPS)
    written = 0
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(RTF_COLUMNS)
        for number in range(rows):
            cin, assigned = members[(number // per_member) % len(members)]
            step = number % per_member
            day = assigned + dt.timedelta(days=1 + step)
            row = dict.fromkeys(RTF_COLUMNS, "")
            row.update(
                {
                    "Primary Payer (MCP) Identifier": PLAN,
                    "Member Client Index Number (CIN)": cin,
                    "ECM Provider Name": provider.name,
                    "ECM Provider National Provider Identifier (NPI)": provider.npi,
                    "Member Information Return Transmission File Production Date": f"{produced:%m/%d/%Y}",
                    "Member Information File Reporting Period": f"{produced:%Y-%m}",
                    "Referral Status": STATUS_STEPS[step],
                    "Date of Referral Status Update": f"{day:%m/%d/%Y}",
                }
            )
            if step == 0:
                start = assigned + dt.timedelta(days=3)
                row.update(
                    {
                        "Member ECM Status": "Enrolled",
                        "ECM Enrollment Start Date": f"{start:%m/%d/%Y}",
                        "Member Acuity Level": "High",
                        "ECM Lead Care Manager Name": "Rosa Diaz",
                        "ECM Lead Care Manager Name Phone Number": "(209) 555-0147",
                        "ECM Lead Care Manager Email": "rdiaz@bench.example",
                        "Date Assessment Started": f"{start:%m/%d/%Y}",
                        "Date of Most Recent Encounter with Member": f"{produced - dt.timedelta(days=2):%m/%d/%Y}",
                        "In Person": "2",
                        "Telephonic/Video": "3",
                    }
                )
            out.writerow([row[c] for c in RTF_COLUMNS])
            written += 1
    return written


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def run_once(index: int, args: argparse.Namespace, work: Path) -> dict[str, float]:
    from calaim.core.clock import plan_today
    from calaim.exchange.exports import exchange_export_create
    from calaim.exchange.models import FileKind, LoadSource, LoadStatus
    from calaim.exchange.qimr import qimr_build, qimr_save, quarter_parse
    from calaim.exchange.reader import table_read
    from calaim.exchange.services import exchange_load_create, exchange_load_run
    from calaim.plans.models import Plan

    plan = Plan.objects.get(code=PLAN)
    provider, members = provider_with_members(index, args.members)
    today = plan_today()
    figures: dict[str, float] = {}

    seconds, export = timed(
        lambda: exchange_export_create(
            actor=None,
            plan=plan,
            provider=provider,
            kind=FileKind.MIF,
            period=f"{today:%Y-%m}",
            file_format="csv",
            source=LoadSource.COMMAND,
            actor_label="benchmark",
        )
    )
    figures["mif"], figures["mif_rows"] = seconds, export.rows

    rtf = work / f"RTF_{provider.npi}.csv"
    figures["rtf_rows"] = rtf_write(rtf, provider, members, args.rtf_rows, today)
    figures["read"], _table = timed(lambda: table_read(rtf, kind=FileKind.RTF))

    def load(path: Path) -> Any:
        created = exchange_load_create(
            actor=None,
            plan=plan,
            provider=provider,
            kind=FileKind.RTF,
            path=path,
            file_name=path.name,
            source=LoadSource.COMMAND,
            actor_label="benchmark",
        )
        return exchange_load_run(created)

    figures["rtf"], done = timed(lambda: load(rtf))
    if done.status != LoadStatus.APPLIED:
        reasons = done.counts.get("rejected_by_reason", {})
        raise SystemExit(f"the RTF load ended {done.status}: {done.message}\n{reasons}\n{done.errors[:3]}")
    again = work / f"RTF_{provider.npi}_again.csv"
    again.write_bytes(rtf.read_bytes() + b"\n")
    figures["rtf_again"], done = timed(lambda: load(again))
    if done.status != LoadStatus.NOTHING_NEW:
        raise SystemExit(f"the resubmission ended {done.status}, not nothing_new: {done.counts}")

    quarter = quarter_parse(f"{today.year}Q{(today.month - 1) // 3 + 1}")
    figures["qimr"], _size = timed(lambda: qimr_save(qimr_build(plan=plan, quarter=quarter), work / "qimr.xlsx"))
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--members", type=int, default=10_000)
    p.add_argument("--rtf-rows", type=int, default=100_000)
    p.add_argument("--source", default="calaim_scale", help="the scale run's database (benchmarks/scale/seed.py)")
    p.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--keep", action="store_true", help="keep calaim_bench_exchange afterwards")
    args = p.parse_args()

    started = time.perf_counter()
    database_copy(args.server, args.source, DATABASE)
    print(f"copied {args.source} into {DATABASE}: {time.perf_counter() - started:.0f}s", flush=True)
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="calaim-bench-exchange-") as tmp:
        work = Path(tmp)
        django_setup(f"{args.server}/{DATABASE}", work / "data")
        try:
            for index in range(args.repeat):
                figures = run_once(index, args, work)
                runs.append(figures)
                print(f"run {index + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()), flush=True)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                database_drop(args.server, DATABASE)
    report(runs, args)


def report(runs: list[dict[str, float]], args: argparse.Namespace) -> None:
    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def each(key: str) -> str:
        return ", ".join(f"{run[key]:.2f}" for run in runs)

    rows = [
        (f"MIF export, {int(median('mif_rows')):,} members (CSV)", "mif", 5.0),
        (f"RTF import, {int(median('rtf_rows')):,} rows (read, check, apply)", "rtf", 30.0),
        ("  baseline: the reader alone on the same file", "read", None),
        ("RTF resubmitted, nothing new (every row checked)", "rtf_again", None),
        (f"QIMR of {PLAN} for this quarter (build and write)", "qimr", 60.0),
    ]
    print(f"\n{'step':<58}{'median s':>10}  {'runs':<24}{'target':>8}  met")
    for label, key, target in rows:
        met = "" if target is None else ("yes" if median(key) <= target else "NO")
        target_text = "" if target is None else f"<= {target:.0f} s"
        print(f"{label:<58}{median(key):>10.2f}  {each(key):<24}{target_text:>8}  {met}")
    print(f"\nRTF import / reader alone: {median('rtf') / median('read'):.1f}x (medians of {len(runs)} runs)")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
