"""Closed-loop monitoring as the web app and the API give it: scoped to the caller's plan, the table as CSV rows,
and the open loops older than the configured age one by one (member-level, so each read is on the PHI read log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.clock import local_date, plan_today
from calaim.core.phi import note_members
from calaim.exchange.monitoring import (
    LOOP_CLOSED,
    NOT_ASSIGNED,
    LoopFilters,
    LoopMonitoring,
    LoopRow,
    loop_monitoring,
    loop_subjects,
    open_loop_age_days,
)
from calaim.exchange.report_policies import report_plan_of
from calaim.network.models import Organization, Program

OPEN_LOOPS_PAGE = 200
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_OPEN_LOOP_FIELDS = (
    "pk", "member_id", "member__cin", "member__first_name", "member__last_name", "referrer_name", "referrer_key",
    "provider_key", "received_at", "loop_status", "status",
)  # fmt: skip


def loop_monitoring_for(user: User, filters: LoopFilters) -> LoopMonitoring:
    """The caller's plan's monitoring table (403 for a role that may not see it; no plan: 404)."""
    return loop_monitoring(report_plan_of(user), filters)


@dataclass(frozen=True)
class OpenLoop:
    program: str
    subject_id: Any
    member_id: Any
    member_cin: str
    member_name: str
    referrer: str
    provider: str
    received_on: dt.date
    age_days: int
    loop_status: str
    status: str


def open_loops_for(user: User, filters: LoopFilters, limit: int | None = OPEN_LOOPS_PAGE) -> tuple[int, list[OpenLoop]]:
    """The caller's plan's open loops older than its configured age, oldest first (at most `limit`), and how many
    there are; the members listed are noted on the PHI read log."""
    plan = report_plan_of(user)
    old_before = timezone.now() - dt.timedelta(days=open_loop_age_days(plan, plan_today()))
    rows: list[tuple[str, dict[str, Any]]] = []
    total = 0
    for program in filters.programs:
        subjects = loop_subjects(plan, program, filters).filter(~Q(loop_status=LOOP_CLOSED), received_at__lt=old_before)
        total += subjects.count()
        found = subjects.order_by("received_at").values(*_OPEN_LOOP_FIELDS)
        rows += [(program, row) for row in (found[:limit] if limit is not None else found)]
    rows.sort(key=lambda item: item[1]["received_at"])
    rows = rows[:limit] if limit is not None else rows
    ids = {row[key] for _, row in rows for key in ("referrer_key", "provider_key") if row[key] is not None}
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    loops = [_open_loop(program, row, names) for program, row in rows]
    note_members(loop.member_id for loop in loops)
    return total, loops


def _open_loop(program: str, row: dict[str, Any], names: dict[Any, str]) -> OpenLoop:
    received = local_date(row["received_at"])
    return OpenLoop(
        program=program,
        subject_id=row["pk"],
        member_id=row["member_id"],
        member_cin=row["member__cin"],
        member_name=f"{row['member__last_name']}, {row['member__first_name']}",
        referrer=names.get(row["referrer_key"], row["referrer_name"]),
        provider=names.get(row["provider_key"], NOT_ASSIGNED),
        received_on=received,
        age_days=(plan_today() - received).days,
        loop_status=row["loop_status"],
        status=row["status"],
    )


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (a referrer named "=HYPERLINK(...)") is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def monitoring_csv_rows(monitoring: LoopMonitoring) -> Iterator[list[object]]:
    """The table as CSV: a header, one line per row, then the totals."""
    entity = "referring_entity" if monitoring.filters.group == "referrer" else "provider"
    yield [
        "program", entity, "referrals", "open", f"open_over_{monitoring.open_age_days}_days", "closed",
        *[f"closed_{_slug(reason)}" for reason in monitoring.closure_reasons],
        *[f"avg_days_to_{_slug(status)}" for status in monitoring.statuses],
        *[f"reached_{_slug(status)}" for status in monitoring.statuses],
        "member_notices_sent", "referrer_notices_sent",
    ]  # fmt: skip
    for row in [*monitoring.rows, monitoring.totals]:
        yield [_cell(value) for value in _csv_values(row, monitoring)]


def _csv_values(row: LoopRow, monitoring: LoopMonitoring) -> list[object]:
    program = Program(row.program).name if row.program else "all"
    waits = [row.days_to_status.get(s) for s in monitoring.statuses]
    return [
        program, row.entity, row.referrals, row.open, row.open_over_age, row.closed,
        *[row.closure_reasons.get(reason, 0) for reason in monitoring.closure_reasons],
        *["" if wait is None else wait for wait in waits],
        *[row.reached_status.get(s, 0) for s in monitoring.statuses],
        row.member_notices, row.referrer_notices,
    ]  # fmt: skip


def open_loops_csv_rows(loops: list[OpenLoop]) -> Iterator[list[object]]:
    yield ["program", "member_cin", "member_name", "referring_entity", "provider", "received_on", "age_days",
           "referral_status", "calaim_status"]  # fmt: skip
    for loop in loops:
        values = [Program(loop.program).name, loop.member_cin, loop.member_name, loop.referrer, loop.provider,
                  loop.received_on.isoformat(), loop.age_days, loop.loop_status, loop.status]  # fmt: skip
        yield [_cell(value) for value in values]


def _slug(text: str) -> str:
    return "_".join(text.lower().replace("/", " ").split())
