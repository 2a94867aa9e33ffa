"""Closed-loop monitoring for plan staff (DHCS Closed-Loop Referral: the plan monitors its loops across referring
entities and providers): per referring entity or per provider, the referrals received in a period, the average days
from receipt to each DHCS Referral Status (from the loop's dated steps, `LoopEvent`, whether recorded in calaim or
reported in an RTF), the loops closed and why, the open loops older than the configured age (`monitoring.yaml`),
and the notices sent to members and to referrers.

ECM referrals and Community Supports requests are read alike (both are closed loops); each figure is aggregated in
the database, one grouped query per program, with the loop's first step at each status as a correlated subquery.
Every read starts from `loop_subjects`, which keeps the caller's plan only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Replace
from django.utils import timezone

from calaim.community_supports.models import CsRequest
from calaim.core.clock import PLAN_TIME_ZONE, plan_today
from calaim.core.errors import ValidationFailed
from calaim.ecm.models import Enrollment
from calaim.exchange.models import LoopMonitoringSettings
from calaim.network.models import Organization, Program
from calaim.notices.models import Notice, NoticeRecipient, NoticeStatus
from calaim.plans.models import Dated, Plan
from calaim.referrals.models import LoopEvent, LoopVocabulary, Referral

LOOP_CLOSED = "Referral Loop Closed"
GROUPS = ("referrer", "provider")
PROGRAMS = (Program.ECM, Program.CS)
NOT_ASSIGNED = "Not assigned to a provider"


@dataclass(frozen=True)
class LoopFilters:
    """Which loops: received from `start` to `end` (plan-local days, both included), of one program or both, from
    one referring organization and/or with one provider; `group` says whether rows are per referrer or provider."""

    start: dt.date
    end: dt.date
    program: str = ""
    referrer: uuid.UUID | None = None
    provider: uuid.UUID | None = None
    group: str = "referrer"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed("The period ends before it starts.", field="end")
        if self.program not in ("", *PROGRAMS):
            raise ValidationFailed("Choose the program ecm or cs, or neither for both.", field="program")
        if self.group not in GROUPS:
            raise ValidationFailed("Group the rows by referrer or by provider.", field="group")

    @property
    def programs(self) -> tuple[str, ...]:
        return (self.program,) if self.program else PROGRAMS


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months up to today (plan time)."""
    end = today or plan_today()
    return end - dt.timedelta(days=364), end


@dataclass
class LoopRow:
    """One row of the monitoring table: a program and a referring entity (or provider), and its figures."""

    program: str
    entity_id: uuid.UUID | None
    entity: str
    referrals: int = 0
    open: int = 0
    open_over_age: int = 0
    closed: int = 0
    closure_reasons: dict[str, int] = field(default_factory=dict)
    days_to_status: dict[str, float | None] = field(default_factory=dict)
    reached_status: dict[str, int] = field(default_factory=dict)
    member_notices: int = 0
    referrer_notices: int = 0

    @property
    def waits(self) -> list[tuple[str, float | None, int]]:
        """Each DHCS status, in the configuration's order: average days from receipt, and the loops that reached it."""
        return [(status, days, self.reached_status.get(status, 0)) for status, days in self.days_to_status.items()]


@dataclass
class LoopMonitoring:
    filters: LoopFilters
    open_age_days: int
    statuses: list[str]
    closure_reasons: list[str]
    rows: list[LoopRow]
    totals: LoopRow


def open_loop_age_days(plan: Plan, day: dt.date) -> int:
    """The plan's configured age past which an open loop is flagged, in force on `day` (the plan's own row first)."""
    rows = LoopMonitoringSettings.objects.filter(Dated.in_force_on(day)).filter(Q(plan=plan) | Q(plan__isnull=True))
    found = rows.order_by(F("plan_id").asc(nulls_last=True), "-effective_from").first()
    if found is None:
        raise ValidationFailed("No closed-loop monitoring settings in force: run manage.py load_reference.")
    return found.open_loop_age_days


def loop_vocabulary(day: dt.date) -> tuple[list[str], list[str]]:
    """The DHCS Referral Statuses and closure reasons in force, in the order the configuration lists them."""
    rows = LoopVocabulary.objects.filter(Dated.in_force_on(day)).order_by("id").values_list("kind", "code")
    statuses = list(dict.fromkeys(code for kind, code in rows if kind == LoopVocabulary.Kind.STATUS))
    reasons = list(dict.fromkeys(code for kind, code in rows if kind == LoopVocabulary.Kind.CLOSURE_REASON))
    return statuses, reasons


def _bounds(filters: LoopFilters) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(filters.start, dt.time.min, tzinfo=PLAN_TIME_ZONE)
    return start, dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=PLAN_TIME_ZONE)


def loop_subjects(plan: Plan, program: str, filters: LoopFilters) -> QuerySet[Any]:
    """The plan's ECM referrals or CS requests received in the period, with `provider_key` (ECM: the provider of
    the referral's latest enrollment) and `referrer_key`; the one starting point of every monitoring read."""
    start, end = _bounds(filters)
    subjects: QuerySet[Any]
    if program == Program.ECM:
        latest = Enrollment.objects.filter(referral=OuterRef("pk")).order_by("-assigned_at").values("provider_id")[:1]
        subjects = Referral.objects.annotate(provider_key=Subquery(latest, output_field=UUIDField()))
    else:
        subjects = CsRequest.objects.annotate(provider_key=F("provider_id"))
    subjects = subjects.filter(member__plan_id=plan.pk, received_at__gte=start, received_at__lt=end).annotate(
        referrer_key=F("referrer_organization_id")
    )
    if filters.referrer is not None:
        subjects = subjects.filter(referrer_organization_id=filters.referrer)
    if filters.provider is not None:
        subjects = subjects.filter(provider_key=filters.provider)
    return subjects.order_by()


def _first_at(program: str, status: str) -> Subquery:
    subject = "referral" if program == Program.ECM else "cs_request"
    steps = LoopEvent.objects.filter(**{subject: OuterRef("pk")}, loop_status=status).order_by("at", "id")
    return Subquery(steps.values("at")[:1])


def _notices_sent(recipient: str) -> Coalesce:
    """Sent notices of an ECM referral to `recipient` (a correlated count on the notices' referral key)."""
    sent = Notice.objects.filter(status=NoticeStatus.SENT, recipient=recipient, referral_id=OuterRef("pk"))
    # COUNT over the correlated rows, without a GROUP BY: one row, the count (0 when none).
    counted = sent.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _cs_notices_sent(subjects: QuerySet[Any], keys: list[str]) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Sent notices of CS requests to members and to referrers, per group. A CS notice names its request in its
    content (calaim.referrals.closed_loop.loop_reference), which no index serves: the notices of the requests'
    members are counted per request in one grouped query, then added up per group."""
    named = Cast(Replace(KeyTextTransform("cs_request_id", "content"), Value("-"), Value("")), UUIDField())
    sent = (
        Notice.objects.filter(
            status=NoticeStatus.SENT, member_id__in=subjects.values("member_id"), content__has_key="cs_request_id"
        )
        .annotate(request_id=named)
        .order_by()
        .values("request_id", "recipient")
        .annotate(n=Count("id"))
    )
    per_request: dict[Any, list[int]] = {}
    for row in sent:
        counts = per_request.setdefault(row["request_id"], [0, 0])
        counts[0 if row["recipient"] == NoticeRecipient.MEMBER else 1] += row["n"]
    per_group: dict[tuple[Any, ...], tuple[int, int]] = {}
    for row in subjects.values("pk", *keys).iterator(chunk_size=5000):
        if (sent_to := per_request.get(row["pk"])) is not None:
            key = tuple(row[k] for k in keys)
            member, referrer = per_group.get(key, (0, 0))
            per_group[key] = (member + sent_to[0], referrer + sent_to[1])
    return per_group


def _figures(program: str, statuses: list[str], old_before: dt.datetime) -> dict[str, Any]:
    """The aggregates of one group of subjects (the caller's values() sets the group)."""
    is_open = ~Q(loop_status=LOOP_CLOSED)
    figures: dict[str, Any] = {
        "referrals": Count("pk"),
        "open": Count("pk", filter=is_open),
        "open_over_age": Count("pk", filter=is_open & Q(received_at__lt=old_before)),
        "closed": Count("pk", filter=Q(loop_status=LOOP_CLOSED)),
    }
    if program == Program.ECM:
        figures["member_notices"] = Sum(_notices_sent(NoticeRecipient.MEMBER))
        figures["referrer_notices"] = Sum(_notices_sent(NoticeRecipient.REFERRER))
    for index, status in enumerate(statuses):
        first = _first_at(program, status)
        figures[f"reached_{index}"] = Count(first)
        figures[f"wait_{index}"] = Avg(ExpressionWrapper(first - F("received_at"), output_field=DurationField()))
    return figures


def _group_fields(filters: LoopFilters) -> list[str]:
    # A referrer without an organization (a person, the plan's own identification) is told apart by its name.
    return ["referrer_key", "referrer_label"] if filters.group == "referrer" else ["provider_key"]


def _labelled(subjects: QuerySet[Any]) -> QuerySet[Any]:
    unnamed = Q(referrer_organization_id__isnull=True)
    return subjects.annotate(referrer_label=Case(When(unnamed, then=F("referrer_name")), default=Value("")))


def loop_monitoring(plan: Plan, filters: LoopFilters) -> LoopMonitoring:
    """The plan's monitoring table for the filters: one row per program and referrer (or provider), and totals."""
    today = plan_today()
    age = open_loop_age_days(plan, today)
    statuses, reasons = loop_vocabulary(today)
    old_before = timezone.now() - dt.timedelta(days=age)
    rows: list[LoopRow] = []
    for program in filters.programs:
        subjects = _labelled(loop_subjects(plan, program, filters))
        keys = _group_fields(filters)
        found: dict[tuple[Any, ...], LoopRow] = {}
        for group in subjects.values(*keys).annotate(**_figures(program, statuses, old_before)):
            row = _row(program, group, keys, statuses)
            found[tuple(group[k] for k in keys)] = row
            rows.append(row)
        closures = subjects.filter(loop_status=LOOP_CLOSED).values(*keys, "loop_closure_reason")
        for group in closures.annotate(n=Count("pk")):
            reason = group["loop_closure_reason"] or "(no reason)"
            found[tuple(group[k] for k in keys)].closure_reasons[reason] = group["n"]
        if program == Program.CS:
            for key, (member, referrer) in _cs_notices_sent(subjects, keys).items():
                found[key].member_notices, found[key].referrer_notices = member, referrer
    _name(rows, filters)
    rows.sort(key=lambda r: (r.program, r.entity_id is None and r.entity == NOT_ASSIGNED, r.entity.casefold()))
    return LoopMonitoring(filters, age, statuses, reasons, rows, _totals(rows, statuses))


def _row(program: str, group: dict[str, Any], keys: list[str], statuses: list[str]) -> LoopRow:
    row = LoopRow(
        program=program,
        entity_id=group[keys[0]],
        entity=group.get("referrer_label") or "",
        referrals=group["referrals"],
        open=group["open"],
        open_over_age=group["open_over_age"],
        closed=group["closed"],
        member_notices=group.get("member_notices") or 0,
        referrer_notices=group.get("referrer_notices") or 0,
    )
    for index, status in enumerate(statuses):
        row.reached_status[status] = group[f"reached_{index}"]
        wait = group[f"wait_{index}"]
        row.days_to_status[status] = round(_days(wait), 1) if wait is not None else None
    return row


def _days(wait: dt.timedelta | float | int) -> float:
    if isinstance(wait, dt.timedelta):
        return wait.total_seconds() / 86400
    return float(wait) / 86_400_000_000  # microseconds, as a database without an interval type averages them


def _name(rows: list[LoopRow], filters: LoopFilters) -> None:
    ids = {row.entity_id for row in rows if row.entity_id is not None}
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    for row in rows:
        if row.entity_id is not None:
            row.entity = names.get(row.entity_id, str(row.entity_id))
        elif not row.entity:
            row.entity = NOT_ASSIGNED if filters.group == "provider" else "No referring organization"


def _totals(rows: list[LoopRow], statuses: list[str]) -> LoopRow:
    total = LoopRow(program="", entity_id=None, entity="All")
    for row in rows:
        for name in ("referrals", "open", "open_over_age", "closed", "member_notices", "referrer_notices"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for reason, n in row.closure_reasons.items():
            total.closure_reasons[reason] = total.closure_reasons.get(reason, 0) + n
    for status in statuses:
        reached = sum(row.reached_status.get(status, 0) for row in rows)
        waited = sum((row.days_to_status.get(status) or 0) * row.reached_status.get(status, 0) for row in rows)
        total.reached_status[status] = reached
        total.days_to_status[status] = round(waited / reached, 1) if reached else None
    return total


def monitoring_choices(plan: Plan) -> tuple[list[tuple[uuid.UUID, str]], list[tuple[uuid.UUID, str]]]:
    """The organizations the filters offer: those that referred the plan's members, and the plan's providers."""
    referred = Q(pk__in=Referral.objects.filter(member__plan_id=plan.pk).values("referrer_organization_id")) | Q(
        pk__in=CsRequest.objects.filter(member__plan_id=plan.pk).values("referrer_organization_id")
    )
    referrers = Organization.objects.filter(referred).order_by("name").values_list("pk", "name")
    providers = Organization.objects.filter(contracts__plan=plan).distinct().order_by("name").values_list("pk", "name")
    return list(referrers), list(providers)
