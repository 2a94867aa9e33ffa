"""What the three exported files share: the reporting period, the plan and provider columns, and which members a
provider had under a plan in a period (its ECM enrollments), read set-based for a whole caseload at once."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.ecm.models import EligibilityDetermination, Enrollment
from calaim.members.models import EnrollmentSpan
from calaim.network.models import Organization
from calaim.plans.models import Plan

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A reporting period: one calendar month, written YYYY-MM, its days counted in the plan's time zone."""

    label: str
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        """`YYYY-MM` to the month; raise ValueError naming what was expected."""
        found = _PERIOD.match(text.strip())
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
            raise ValueError(f"period {text!r}: expected a month as YYYY-MM, e.g. 2026-01.")
        return cls.of(dt.date(int(found[1]), int(found[2]), 1))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month `day` falls in."""
        start = day.replace(day=1)
        after = (start + dt.timedelta(days=32)).replace(day=1)
        return cls(f"{start:%Y-%m}", start, after - dt.timedelta(days=1))

    def previous(self) -> Period:
        return Period.of(self.start - dt.timedelta(days=1))

    @property
    def starts_at(self) -> dt.datetime:
        """The first instant of the period, plan-local."""
        return dt.datetime.combine(self.start, dt.time(0), tzinfo=PLAN_TIME_ZONE)

    @property
    def ends_before(self) -> dt.datetime:
        """The first instant after the period, plan-local."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=PLAN_TIME_ZONE)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Parties:
    """The plan and provider columns every provider file carries."""

    plan_code: str
    plan_name: str
    provider_name: str
    provider_npi: str
    provider_tin: str
    provider_phone: str


def parties_of(plan: Plan, provider: Organization) -> Parties:
    """The MCP identifier is the plan's code, the one `--plan` takes and an imported file is matched on."""
    return Parties(plan.code, plan.name, provider.name, provider.npi, provider.tin, phone_text(provider.phone))


def phone_text(phone: str) -> str:
    """A US number as its ten digits (the way the DHCS files carry phones); any other number as stored."""
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+1") and len(digits) == 11:
        return digits[1:]
    return phone


def in_plan(plan: Plan, start: dt.date | OuterRef, end: dt.date | OuterRef, *, member: str = "member") -> Q:
    """Rows whose member (the path `member`) was in the plan at some time from `start` to `end`: an enrollment span
    of the plan overlapping those days, or, for a member with no span on record, the plan they are in. The import
    checks a file's members the same way, so no exported row is refused for it. `start` and `end` may name a field
    of the rows (`OuterRef("attempted_on")`)."""
    spans = EnrollmentSpan.objects.filter(member_id=OuterRef(f"{member}_id"))
    overlapping = spans.filter(Q(end_date__isnull=True) | Q(end_date__gte=start), plan=plan, start_date__lte=end)
    return Exists(overlapping) | (Q(**{f"{member}__plan": plan}) & ~Exists(spans))


def enrollments_in_period(plan: Plan, provider: Organization | None, period: Period) -> QuerySet[Enrollment]:
    """The provider's (None: every provider's) ECM enrollments of the plan's members that were open at any time in
    the period (assigned before it ended, not ended before it began: the assignment and end days both count), of
    members in the plan at some time in it (`in_plan`)."""
    enrollments = Enrollment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start),
        in_plan(plan, period.start, period.end),
        assigned_at__lt=period.ends_before,
    )
    return enrollments.filter(provider=provider) if provider is not None else enrollments


def cs_requests_in_period(plan: Plan, provider: Organization | None, period: Period) -> QuerySet[CsRequest]:
    """The Community Supports requests assigned to the provider (None: to any provider) that were open at any time in
    the period (received before it ended, still open or last changed in or after it), of members in the plan at
    some time in it (`in_plan`)."""
    requests = CsRequest.objects.filter(
        Q(status__in=CS_OPEN_STATUSES) | Q(status_changed_at__gte=period.starts_at),
        in_plan(plan, period.start, period.end),
        received_at__lt=period.ends_before,
    )
    return requests.filter(provider=provider) if provider is not None else requests.filter(provider__isnull=False)


def latest_per_member(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of each member's enrollments (rows with `member_id` and `assigned_at`), the one assigned last."""
    latest: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        kept = latest.get(row["member_id"])
        if kept is None or (row["assigned_at"], str(row["id"])) > (kept["assigned_at"], str(kept["id"])):
            latest[row["member_id"]] = row
    return list(latest.values())


def member_order(row: dict[str, Any]) -> tuple[str, str, str]:
    """Rows in the files are sorted by the member's last name, first name, then CIN."""
    return (row["member__last_name"].casefold(), row["member__first_name"].casefold(), row["member__cin"])


def pofs_by_referral(enrollments: QuerySet[Enrollment]) -> dict[uuid.UUID, list[str]]:
    """The POF codes each enrollment's referral qualified under: its latest eligibility determination's, else the
    POFs the referrer attested (an ECM provider's presumptive enrollment has no determination yet)."""
    pofs: dict[uuid.UUID, list[str]] = {}
    determinations = (
        EligibilityDetermination.objects.filter(referral_id__in=enrollments.values("referral_id"))
        .order_by("referral_id", "created_at")
        .values_list("referral_id", "qualified_pofs")
    )
    for referral_id, qualified in determinations:
        pofs[referral_id] = [str(code) for code in qualified or []]
    undetermined = enrollments.exclude(
        Exists(EligibilityDetermination.objects.filter(referral_id=OuterRef("referral_id")))
    ).values_list("referral_id", "referral__pof_attestations")
    for referral_id, attestations in undetermined:
        pofs[referral_id] = [str(item["pof"]) for item in attestations or [] if item.get("pof")]
    return pofs


def pof_text(codes: list[str]) -> str:
    """POF codes as a `;`-list, each once, in the order first given."""
    return ";".join(dict.fromkeys(code.strip() for code in codes if code.strip()))
