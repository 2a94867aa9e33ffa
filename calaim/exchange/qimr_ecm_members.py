"""QIMR Tab 1, ECM Members and Services: one row per member and ECM benefit period overlapping the quarter.

A benefit period runs from the enrollment date to the end of ECM; a member's enrollments that overlap (a change of
provider keeps the enrollment date) or follow one another within `merge_gap_days` are one period [P: a plan's QIMR
code]. The Populations of Focus flagged are those the member qualified under (eligible determinations up to the
quarter's end) that are live in the member's county in the quarter (`PofGoLive`). Encounters are the distinct dates
of contact by mode (the outreach log, in calaim or from an OTF) inside the benefit period and the quarter. The end
date and discontinuation reason (the DHCS code of the reason in force on the end date) are blank while ECM goes on
past the quarter.

Every figure comes from a handful of set-based queries (enrollments, determinations, go-live dates, contact days);
Python only joins their rows, linear in the rows returned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When

from calaim.careplans.models import OutreachAttempt
from calaim.ecm.models import EligibilityDetermination, EligibilityOutcome, Enrollment
from calaim.exchange.qimr_period import Quarter, dhcs_date
from calaim.exchange.qimr_template import TabContext, TabRows
from calaim.plans.models import DiscontinuationReason, PofGoLive

IN_PERSON, TELEPHONIC = "in_person", "telephonic"
_SPAN_FIELDS = (
    "member_id", "enrolled_on", "ended_on", "assigned_at", "discontinuation_reason", "provider__npi", "member__cin",
    "member__last_name", "member__first_name", "member__birth_date", "member__county_id", "member__county__name",
)  # fmt: skip


@dataclass
class Period:
    """One benefit period of one member, and the enrollment that ends it and the latest one in it."""

    start: dt.date
    end: dt.date | None
    ending: dict[str, Any]
    latest: dict[str, Any]
    days: dict[str, set[dt.date]] = field(default_factory=lambda: {IN_PERSON: set(), TELEPHONIC: set()})

    def holds(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def ecm_members_and_services(ctx: TabContext) -> TabRows:
    quarter, options = ctx.quarter, ctx.template.options
    members = _members_in_quarter(ctx)
    periods = _benefit_periods(members, quarter, int(options["merge_gap_days"]))
    _count_contact_days(periods, members, quarter, options)
    pofs = _qualified_pofs(members, quarter)
    live = _live_pofs(ctx)
    reasons = _DhcsReasons(str(options["default_discontinuation_code"]))
    result = TabRows()
    for member_id, member_periods in periods.items():
        for period in member_periods:
            member = period.latest
            ended = period.end if period.end is not None and period.end <= quarter.last_day else None
            record = {
                **ctx.common(member["member__county__name"]),
                "member_cin": member["member__cin"],
                "member_last_name": member["member__last_name"],
                "member_first_name": member["member__first_name"],
                "member_birth_date": dhcs_date(member["member__birth_date"]),
                "benefit_start": dhcs_date(period.start),
                "benefit_end": dhcs_date(ended),
                "discontinuation_reason": reasons.code(period.ending, ended) if ended else "",
                "provider_npi": member["provider__npi"],
                "in_person_encounters": len(period.days[IN_PERSON]),
                "telephonic_encounters": len(period.days[TELEPHONIC]),
            }
            flags = {"pofs": frozenset(pofs.get(member_id, set()) & live.get(member["member__county_id"], set()))}
            result.rows.append(ctx.template.row(record, flags))
            result.member_ids.add(member_id)
    return result


def _members_in_quarter(ctx: TabContext) -> QuerySet[Enrollment, Any]:
    """The plan's members with an ECM benefit overlapping the quarter (as a subquery of their ids)."""
    return (
        Enrollment.objects.filter(
            member__plan_id=ctx.plan.pk, enrolled_on__isnull=False, enrolled_on__lte=ctx.quarter.last_day
        )
        .exclude(ended_on__lt=ctx.quarter.first_day)
        .order_by()
        .values("member_id")
    )


def _benefit_periods(members: QuerySet[Enrollment, Any], quarter: Quarter, gap_days: int) -> dict[Any, list[Period]]:
    """Each member's benefit periods overlapping the quarter, members in CIN order (every enrollment of theirs up
    to the quarter's end is read: a period may have begun long before it)."""
    spans = (
        Enrollment.objects.filter(member_id__in=members, enrolled_on__isnull=False, enrolled_on__lte=quarter.last_day)
        .order_by("member__cin", "enrolled_on", "assigned_at")
        .values(*_SPAN_FIELDS)
    )
    periods: dict[Any, list[Period]] = defaultdict(list)
    for span in spans.iterator(chunk_size=5000):
        own = periods[span["member_id"]]
        last = own[-1] if own else None
        if last is not None and (last.end is None or (span["enrolled_on"] - last.end).days - 1 <= gap_days):
            _extend(last, span)
        else:
            own.append(Period(span["enrolled_on"], span["ended_on"], span, span))
    return {
        member_id: kept
        for member_id, own in periods.items()
        if (kept := [p for p in own if p.end is None or p.end >= quarter.first_day])
    }


def _extend(period: Period, span: dict[str, Any]) -> None:
    if span["assigned_at"] >= period.latest["assigned_at"]:
        period.latest = span
    if period.end is None or span["ended_on"] is None:
        period.end = None
        if span["ended_on"] is None:
            period.ending = span
    elif span["ended_on"] >= period.end:
        period.end, period.ending = span["ended_on"], span


def _count_contact_days(
    periods: dict[Any, list[Period]],
    members: QuerySet[Enrollment, Any],
    quarter: Quarter,
    options: dict[str, Any] | Any,
) -> None:
    """File each member's distinct contact days in the quarter, by mode, under the benefit period holding them."""
    in_person, telephonic = list(options["in_person_methods"]), list(options["telephonic_methods"])
    attempts = OutreachAttempt.objects.filter(
        member_id__in=members,
        attempted_on__gte=quarter.first_day,
        attempted_on__lte=quarter.last_day,
        method__in=in_person + telephonic,
    )
    if not options["count_unsuccessful"]:
        attempts = attempts.filter(reached=True)
    mode = Case(When(method__in=in_person, then=Value(IN_PERSON)), default=Value(TELEPHONIC))
    days = attempts.annotate(mode=mode).order_by().values_list("member_id", "attempted_on", "mode").distinct()
    for member_id, day, kind in days.iterator(chunk_size=5000):
        for period in periods.get(member_id, ()):
            if period.holds(day):
                period.days[kind].add(day)
                break


def _qualified_pofs(members: QuerySet[Enrollment, Any], quarter: Quarter) -> dict[Any, set[str]]:
    """The Populations of Focus each member qualified under, by any eligible determination up to the quarter's end."""
    found: dict[Any, set[str]] = defaultdict(set)
    determinations = EligibilityDetermination.objects.filter(
        member_id__in=members, outcome=EligibilityOutcome.ELIGIBLE, determined_on__lte=quarter.last_day
    ).order_by()
    for member_id, codes in determinations.values_list("member_id", "qualified_pofs").iterator(chunk_size=5000):
        found[member_id].update(str(code) for code in codes or ())
    return found


def _live_pofs(ctx: TabContext) -> dict[int, set[str]]:
    """The POFs live for the plan in each county at some time in the quarter."""
    live: dict[int, set[str]] = defaultdict(set)
    rows = PofGoLive.objects.filter(plan=ctx.plan, effective_from__lte=ctx.quarter.last_day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=ctx.quarter.first_day)
    )
    for county_id, code in rows.values_list("county_id", "pof_code"):
        live[county_id].add(code)
    return live


class _DhcsReasons:
    """The DHCS code of a discontinuation reason in force on a day; the default (catch-all) when none is set."""

    def __init__(self, default: str) -> None:
        self.default = default
        self.rows: dict[str, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
        for row in DiscontinuationReason.objects.values_list("code", "effective_from", "effective_to", "dhcs_code"):
            self.rows[row[0]].append(row[1:])

    def code(self, enrollment: dict[str, Any], day: dt.date) -> int | str:
        rows = self.rows.get(enrollment["discontinuation_reason"], ())
        found = next((dhcs for start, end, dhcs in rows if _in(day, start, end)), "")
        text = found or self.default
        return int(text) if text.isdigit() else text


def _in(day: dt.date, start: dt.date, end: dt.date | None) -> bool:
    return start <= day and (end is None or day <= end)
