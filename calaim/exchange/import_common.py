"""What the RTF and OTF imports share: the list of errors a check builds, the members a file names (fetched by
CIN in sets, with their plan spans and their enrollments and Community Supports requests with the provider), the
audit events of a bulk write, and the effect counts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from calaim.accounts.models import User
from calaim.community_supports.models import CsRequest
from calaim.core.audit import jsonable
from calaim.core.clock import local_date
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.exchange.bulk_sql import rows_copy
from calaim.exchange.models import ExchangeLoad
from calaim.exchange.reader import RowError
from calaim.members.models import EnrollmentSpan, Member
from calaim.network.models import Organization
from calaim.plans.models import Plan

CHUNK = 5000  # ids per IN list: under PostgreSQL's 65,535 bind parameters with room to spare
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Errors:
    """The errors of a check, in the order found; `rows` the data rows that have one."""

    items: list[RowError] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)

    def add(self, row: int | None, column: str | None, value: str | None, message: str, kind: str) -> None:
        self.items.append(RowError(row, column, value, message, f"{column or 'row'}: {kind}"))
        if row is not None:
            self.rows.add(row)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.items.append(error)
            if error.row is not None:
                self.rows.add(error.row)

    def has(self, row: int) -> bool:
        return row in self.rows

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: e.row if e.row is not None else -1)

    def by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(e.kind or e.message for e in self.items).items()))


@dataclass(frozen=True)
class Assignment:
    """One ECM enrollment of the member with the file's provider."""

    id: uuid.UUID
    referral_id: uuid.UUID
    status: str
    assigned_on: dt.date
    enrolled_on: dt.date | None
    ended_on: dt.date | None
    discontinuation_reason: str
    authorization_start: dt.date | None
    authorization_end: dt.date | None

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.assigned_on <= end and (self.ended_on is None or self.ended_on >= start)


@dataclass(frozen=True)
class CsAssignment:
    """One Community Supports request of the member assigned to the file's provider."""

    id: uuid.UUID
    status: str
    received_on: dt.date


@dataclass
class MemberFacts:
    """A member a file names: their plan spans, and their work with the file's provider."""

    id: uuid.UUID
    cin: str
    plan_id: int
    spans: list[tuple[int, dt.date, dt.date | None]] = field(default_factory=list)
    enrollments: list[Assignment] = field(default_factory=list)  # oldest assignment first
    cs_requests: list[CsAssignment] = field(default_factory=list)  # oldest first

    def in_plan(self, plan_id: int, start: dt.date, end: dt.date) -> bool:
        """A member of the plan at some time from `start` to `end` (their current plan when no span is on record)."""
        if not self.spans:
            return self.plan_id == plan_id
        return any(p == plan_id and s <= end and (e is None or e >= start) for p, s, e in self.spans)

    def enrollment_in(self, start: dt.date, end: dt.date) -> Assignment | None:
        """The latest enrollment with the provider that overlaps the window."""
        return next((e for e in reversed(self.enrollments) if e.overlaps(start, end)), None)

    def cs_request_in(self, end: dt.date) -> CsAssignment | None:
        """The latest Community Supports request assigned to the provider received by `end`."""
        return next((r for r in reversed(self.cs_requests) if r.received_on <= end), None)


def member_facts(plan: Plan, provider: Organization, cins: Iterable[str]) -> dict[str, MemberFacts]:
    """The members named by CIN, fetched in sets: CIN -> facts (an unknown CIN is absent)."""
    wanted = sorted(set(cins))
    found: dict[str, MemberFacts] = {}
    for part in chunks(wanted):
        for member_id, cin, plan_id in Member.objects.filter(cin__in=part).values_list("id", "cin", "plan_id"):
            found[cin] = MemberFacts(member_id, cin, plan_id)
    by_id = {facts.id: facts for facts in found.values()}
    ids = list(by_id)
    for id_part in chunks(ids):
        spans = EnrollmentSpan.objects.filter(member_id__in=id_part).values_list(
            "member_id", "plan_id", "start_date", "end_date"
        )
        for member_id, plan_id, start, end in spans:
            by_id[member_id].spans.append((plan_id, start, end))
        enrollments: Any = (
            Enrollment.objects.filter(member_id__in=id_part, provider=provider)
            .order_by("assigned_at", "id")
            .values_list(
                "member_id",
                "id",
                "referral_id",
                "status",
                "assigned_at",
                "enrolled_on",
                "ended_on",
                "discontinuation_reason",
                "authorization__period_start",
                "authorization__period_end",
            )
        )
        for member_id, pk, referral_id, status, assigned_at, enrolled_on, ended_on, reason, *period in enrollments:
            period_start, period_end = period
            assignment = Assignment(
                pk,
                referral_id,
                status,
                local_date(assigned_at),
                enrolled_on,
                ended_on,
                reason,
                period_start,
                period_end,
            )
            by_id[member_id].enrollments.append(assignment)
        requests = (
            CsRequest.objects.filter(member_id__in=id_part, provider=provider)
            .order_by("received_at", "id")
            .values_list("member_id", "id", "status", "received_at")
        )
        for member_id, pk, status, received_at in requests:
            by_id[member_id].cs_requests.append(CsAssignment(pk, status, local_date(received_at)))
    return found


def period_window(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a reporting period YYYY-MM."""
    year, month = int(period[:4]), int(period[5:7])
    start = dt.date(year, month, 1)
    end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def window_words(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"on {start:%m/%d/%Y}"
    return f"from {start:%m/%d/%Y} to {end:%m/%d/%Y}"


def provider_words(provider: Organization, plan: Plan) -> str:
    npi = f" (NPI {provider.npi})" if provider.npi else ""
    return f"{provider.name}{npi} under {plan.code}"


AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "member_id",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
)


@dataclass
class AuditRows:
    """Audit events of a bulk write, each with its before and after, written together at the end (COPY on
    PostgreSQL): the same rows `calaim.core.audit.audit_record` writes one at a time."""

    actor: User | None
    actor_label: str
    reason: str
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add(
        self,
        action: str,
        obj: models.Model | tuple[str, Any],
        member_id: Any,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        reason: str = "",
    ) -> None:
        object_type, object_id = (obj._meta.label_lower, obj.pk) if isinstance(obj, models.Model) else obj
        self.rows.append(
            (
                timezone.now(),
                self.actor.pk if self.actor is not None else None,
                self.actor_label,
                action,
                member_id,
                object_type,
                str(object_id),
                jsonable(before) if before is not None else None,
                jsonable(after) if after is not None else None,
                reason or self.reason,
            )
        )

    def write(self) -> int:
        rows_copy(AuditEvent, AUDIT_COLUMNS, self.rows)
        written = len(self.rows)
        self.rows.clear()
        return written


def effect_counts() -> defaultdict[str, int]:
    return defaultdict(int)


def reported_day(load: ExchangeLoad) -> dt.date:
    """The day a file's reports are dated: its production date, else the day it was loaded."""
    return load.produced_on or local_date(load.created_at)
