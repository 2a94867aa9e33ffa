"""The plan dashboard's reads: the ECM funnel, authorization timeliness and provider capacity.

Every figure is an ORM aggregate (Count with a filter, grouped with values()) over the caller's scoped
querysets; Python only adds up the handful of grouped rows. Only plan staff have a dashboard.
The page reads them through calaim.web.dashboard_cache, which keeps them a few minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from calaim.accounts.models import User
from calaim.authorizations.models import APPROVED, UNDECIDED, AuthorizationKind, AuthorizationRequest
from calaim.authorizations.selectors import authorization_scope, overdue_condition
from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import PLAN_TIME_ZONE, local_date, plan_today
from calaim.core.errors import NotFound
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.ecm.selectors import enrollment_scope
from calaim.network.models import Contract, Program
from calaim.plans.models import Plan
from calaim.referrals.models import Referral, Urgency
from calaim.referrals.selectors import referral_scope

PLAN_IDENTIFICATION_SOURCE = "plan_identification"
NO_POF = "Not stated"

# The funnel's stages, in order, each with what counts a referral in it.
STAGES: tuple[tuple[str, str], ...] = (
    ("identified", "Identified from plan data"),
    ("referred", "Referred (all sources)"),
    ("authorized", "ECM authorized"),
    ("assigned", "Assigned to an ECM provider"),
    ("reached", "Reached by outreach"),
    ("enrolled", "Enrolled"),
)
STAGE_DEFINITIONS = {
    "identified": "Referrals the plan made from its own data (source: plan identification).",
    "referred": "Referrals received from every source, the plan's own included; a duplicate linked to the "
    "member's open referral is counted once, through that referral.",
    "authorized": "The referral has an ECM authorization approved (as asked, as modified, or presumptively), "
    "or went on to an assignment.",
    "assigned": "The referral led to an assignment to an ECM provider, whatever happened after.",
    "reached": "The ECM provider recorded at least one outreach attempt that reached the member, or enrolled "
    "the member (which needs the member's agreement).",
    "enrolled": "The member enrolled in ECM with the provider (an enrollment date was recorded), even if they "
    "left or moved to another provider later.",
}
# Each stage after "referred" is converted from the one before it; "identified" is a share of "referred".
CONVERSION_FROM = {
    "identified": "referred",
    "authorized": "referred",
    "assigned": "authorized",
    "reached": "assigned",
    "enrolled": "reached",
}


@dataclass(frozen=True)
class DashboardFilters:
    """Referrals (and authorization requests) received from `start` to `end`, both plan-local and inclusive."""

    start: dt.date
    end: dt.date
    county_id: int | None = None
    pof: str | None = None

    def received_range(self) -> tuple[dt.datetime, dt.datetime]:
        begin = dt.datetime.combine(self.start, dt.time(0), tzinfo=PLAN_TIME_ZONE)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=PLAN_TIME_ZONE)
        return begin, after


def default_filters(today: dt.date) -> DashboardFilters:
    """The last twelve months, this one included."""
    first = today.replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - 11, 12)
    return DashboardFilters(start=dt.date(year, month + 1, 1), end=today)


def dashboard_plan(user: User) -> Plan:
    """The caller's plan; anyone but plan staff gets 404, as for anything else out of scope."""
    if not user.is_plan_staff:
        raise NotFound("There is no dashboard for you here.")
    assert user.organization is not None and user.organization.plan is not None  # is_plan_staff
    return user.organization.plan


# ---- funnel ---------------------------------------------------------------------------------------


@dataclass
class FunnelRow:
    group: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((code for code, _ in STAGES), 0))

    def add(self, counts: dict[str, int]) -> None:
        for code, _ in STAGES:
            self.counts[code] += counts[code]

    @property
    def conversions(self) -> dict[str, float | None]:
        """Percent of each stage's base (see CONVERSION_FROM); None when the base is zero."""
        result: dict[str, float | None] = {}
        for code, base in CONVERSION_FROM.items():
            result[code] = 100 * self.counts[code] / self.counts[base] if self.counts[base] else None
        return result

    @property
    def cells(self) -> list[tuple[str, int, float | None]]:
        """(stage, count, conversion percent) in funnel order; "referred" has no conversion."""
        conversions = self.conversions
        return [(code, self.counts[code], conversions.get(code)) for code, _ in STAGES]

    @property
    def overall(self) -> float | None:
        """Enrolled as a percent of referred."""
        referred = self.counts["referred"]
        return 100 * self.counts["enrolled"] / referred if referred else None


@dataclass
class Funnel:
    total: FunnelRow
    by_pof: list[FunnelRow]
    by_county: list[FunnelRow]


def funnel_referrals(user: User, filters: DashboardFilters) -> QuerySet[Referral]:
    """The cohort: the caller's ECM referrals received in the period (not linked duplicates), after the
    county and POF filters; a referral's POF is the first one it was referred for."""
    dashboard_plan(user)
    begin, after = filters.received_range()
    referrals = referral_scope(user).filter(
        program=Program.ECM, linked_to__isnull=True, received_at__gte=begin, received_at__lt=after
    )
    if filters.county_id is not None:
        referrals = referrals.filter(member__county_id=filters.county_id)
    if filters.pof:
        referrals = referrals.filter(pof_attestations__0__pof=filters.pof)
    return referrals


def _stage_counts() -> dict[str, Count]:
    """Each stage also counts the referrals that went past it, so the funnel never widens: an enrolled
    member was reached even if no reaching attempt was recorded, and an assignment stands on an authorization."""
    approved = Exists(AuthorizationRequest.objects.filter(referral=OuterRef("pk"), status__in=APPROVED))
    enrollments = Enrollment.objects.filter(referral=OuterRef("pk"))
    assigned = Exists(enrollments)
    enrolled = Exists(enrollments.filter(enrolled_on__isnull=False))
    reached = Exists(OutreachAttempt.objects.filter(enrollment__referral=OuterRef("pk"), reached=True))
    return {
        "identified": Count("pk", filter=Q(source_type=PLAN_IDENTIFICATION_SOURCE)),
        "referred": Count("pk"),
        "authorized": Count("pk", filter=Q(approved) | Q(assigned)),
        "assigned": Count("pk", filter=Q(assigned)),
        "reached": Count("pk", filter=Q(reached) | Q(enrolled)),
        "enrolled": Count("pk", filter=Q(enrolled)),
    }


def funnel(user: User, filters: DashboardFilters) -> Funnel:
    """Counts per stage by POF and by county, from one query grouped by both."""
    grouped = (
        funnel_referrals(user, filters)
        .values(pof=KT("pof_attestations__0__pof"), county=F("member__county__name"))
        .annotate(**_stage_counts())
        .order_by()
    )
    total = FunnelRow("All")
    by_pof: dict[str, FunnelRow] = {}
    by_county: dict[str, FunnelRow] = {}
    for row in grouped:
        counts = {code: row[code] for code, _ in STAGES}
        total.add(counts)
        pof = row["pof"] or NO_POF
        by_pof.setdefault(pof, FunnelRow(pof)).add(counts)
        by_county.setdefault(row["county"], FunnelRow(row["county"])).add(counts)
    return Funnel(
        total=total,
        by_pof=[by_pof[k] for k in sorted(by_pof)],
        by_county=[by_county[k] for k in sorted(by_county)],
    )


# ---- authorization timeliness ---------------------------------------------------------------------

TIMELINESS = (
    ("on_time", "Decided on time"),
    ("late", "Decided late"),
    ("overdue", "Open and overdue"),
    ("open", "Open, not yet due"),
)


@dataclass
class TimelinessRow:
    label: str
    counts: dict[str, int]
    median_days: float | None = None  # from receipt to decision, for the decided requests

    @property
    def cells(self) -> list[int]:
        return [self.counts[code] for code, _ in TIMELINESS]

    @property
    def decided(self) -> int:
        return self.counts["on_time"] + self.counts["late"]

    @property
    def on_time_percent(self) -> float | None:
        """Decisions made by the due time, as a percent of decisions made."""
        return 100 * self.counts["on_time"] / self.decided if self.decided else None


@dataclass
class Timeliness:
    by_month: list[TimelinessRow]
    by_urgency: list[TimelinessRow]
    total: TimelinessRow


def timeliness_requests(user: User, filters: DashboardFilters) -> QuerySet[AuthorizationRequest]:
    """The caller's ECM authorization requests received in the period that run on a decision clock
    (presumptive authorizations are granted at once, so they have none), after the county and POF filters."""
    dashboard_plan(user)
    begin, after = filters.received_range()
    requests = (
        authorization_scope(user)
        .filter(program=Program.ECM, received_at__gte=begin, received_at__lt=after)
        .exclude(kind=AuthorizationKind.PRESUMPTIVE)
    )
    if filters.county_id is not None:
        requests = requests.filter(member__county_id=filters.county_id)
    if filters.pof:
        requests = requests.filter(referral__pof_attestations__0__pof=filters.pof)
    return requests


def _timeliness_counts(now: dt.datetime) -> dict[str, Count]:
    decided = ~Q(status__in=UNDECIDED)
    undecided = Q(status__in=UNDECIDED)
    return {
        "on_time": Count("pk", filter=decided & Q(decided_at__lte=F("due_at"))),
        "late": Count("pk", filter=decided & Q(decided_at__gt=F("due_at"))),
        "overdue": Count("pk", filter=overdue_condition(now)),
        "open": Count("pk", filter=undecided & ~overdue_condition(now)),
    }


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def timeliness(user: User, filters: DashboardFilters) -> Timeliness:
    """Decided on time, decided late and open past due, by month received and by routine/expedited."""
    now = timezone.now()
    requests = timeliness_requests(user, filters)
    counts = _timeliness_counts(now)
    empty = dict.fromkeys(counts, 0)
    months = {
        local_date(row.pop("month")).replace(day=1): row
        for row in requests.annotate(month=TruncMonth("received_at", tzinfo=PLAN_TIME_ZONE))
        .values("month")
        .annotate(**counts)
        .order_by()
    }
    by_urgency = {row.pop("urgency"): row for row in requests.values("urgency").annotate(**counts).order_by()}
    total = requests.aggregate(**counts)
    return Timeliness(
        by_month=[TimelinessRow(f"{m:%b %Y}", months.get(m, empty)) for m in _months(filters.start, filters.end)],
        by_urgency=[
            TimelinessRow(label, by_urgency.get(code, empty), _median_days(requests.filter(urgency=code)))
            for code, label in Urgency.choices
        ],
        total=TimelinessRow("All", total, _median_days(requests)),
    )


def _median_days(requests: QuerySet[AuthorizationRequest]) -> float | None:
    """Median calendar days from receipt to decision, computed in the database (sorted, middle one or two)."""
    durations = (
        requests.exclude(status__in=UNDECIDED)
        .annotate(took=ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField()))
        .order_by("took")
        .values_list("took", flat=True)
    )
    count = durations.count()
    if not count:
        return None
    middle = list(durations[(count - 1) // 2 : count // 2 + 1])
    return sum(d.total_seconds() for d in middle) / len(middle) / 86400


# ---- provider capacity ----------------------------------------------------------------------------


@dataclass
class CapacityRow:
    provider: str
    counties: list[str]
    capacity: int
    caseload: int
    by_county: dict[str, int]

    @property
    def free(self) -> int:
        return max(self.capacity - self.caseload, 0)

    @property
    def percent(self) -> float | None:
        return 100 * self.caseload / self.capacity if self.capacity else None


def provider_capacity(user: User, filters: DashboardFilters) -> list[CapacityRow]:
    """Each ECM provider under contract with the plan today: members it serves now (assigned or enrolled)
    against the contract's capacity, with the caseload split by the members' county. The county filter
    keeps the providers contracted there; dates and POF do not apply to a caseload of today."""
    plan = dashboard_plan(user)
    today = plan_today()
    contracts = (
        Contract.objects.filter(plan=plan, program=Program.ECM, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("organization")
        .prefetch_related("counties")
        .order_by("organization__name")
    )
    if filters.county_id is not None:
        contracts = contracts.filter(counties__id=filters.county_id).distinct()
    caseloads: dict[object, dict[str, int]] = {}
    for row in (
        enrollment_scope(user)
        .filter(status__in=ACTIVE_ENROLLMENT_STATUSES)
        .values("provider_id", county=F("member__county__name"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        caseloads.setdefault(row["provider_id"], {})[row["county"]] = row["n"]
    rows = []
    for contract in contracts:
        by_county = caseloads.get(contract.organization_id, {})
        rows.append(
            CapacityRow(
                provider=contract.organization.name,
                counties=sorted(c.name for c in contract.counties.all()),
                capacity=contract.capacity,
                caseload=sum(by_county.values()),
                by_county=by_county,
            )
        )
    return rows
