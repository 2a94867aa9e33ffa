"""The QIMR's aggregate tabs: 2 ECM Requests and Outreach and 6 CS Requests and Denials (one row per county of the
plan), 3 ECM Provider Capacity and 5 CS Provider Capacity (one row per provider, county and, for CS, service of its
contract with the plan in force in the quarter). Each figure is one grouped query (COUNT DISTINCT by county, or by
provider and county); requests are dated by their receipt in the plan's time zone.

Tabs 2 and 3 follow columns the tab names imply (their template is to confirm, `qimr.yaml`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from calaim.authorizations.models import APPROVED, AuthorizationRequest, AuthorizationStatus
from calaim.careplans.models import OutreachAttempt
from calaim.community_supports.models import CsRequest, CsRequestStatus, CsService
from calaim.ecm.models import Enrollment
from calaim.exchange.qimr_template import TabContext, TabRows
from calaim.network.models import Contract, OrganizationKind, Program
from calaim.plans.models import County
from calaim.referrals.models import Referral

_CONTRACT_FIELDS = (
    "organization_id", "organization__npi", "organization__kind", "capacity", "services", "counties__id",
    "counties__name",
)  # fmt: skip
# A CS request still served on the quarter's last day: authorized or being delivered (not completed, closed...).
CS_SERVING_STATUSES = (CsRequestStatus.AUTHORIZED, CsRequestStatus.IN_SERVICE)


def _by_county(rows: QuerySet[Any, Any], *, member: str = "member", distinct: str = "member_id") -> dict[int, int]:
    """COUNT(DISTINCT `distinct`) per member county, in one grouped query."""
    county = f"{member}__county_id"
    grouped = rows.order_by().values(county).annotate(n=Count(distinct, distinct=True))
    return {row[county]: row["n"] for row in grouped}


def _counties(ctx: TabContext, seen: Iterable[int]) -> list[tuple[int, str]]:
    """The plan's counties, and any other county a figure found members in, by name."""
    counties = County.objects.filter(Q(plans=ctx.plan) | Q(pk__in=set(seen))).distinct().order_by("name")
    return list(counties.values_list("pk", "name"))


def _county_rows(ctx: TabContext, figures: dict[str, dict[int, int]]) -> TabRows:
    seen = {county for counts in figures.values() for county in counts}
    result = TabRows()
    for county_id, name in _counties(ctx, seen):
        record = {**ctx.common(name), **{key: counts.get(county_id, 0) for key, counts in figures.items()}}
        result.rows.append(ctx.template.row(record))
    return result


def ecm_requests_and_outreach(ctx: TabContext) -> TabRows:
    """Tab 2 (to confirm): members referred, authorized, denied, reached out to, newly enrolled; attempts."""
    plan, q = ctx.plan.pk, ctx.quarter
    referrals = Referral.objects.filter(
        member__plan_id=plan, received_at__gte=q.starts_at, received_at__lt=q.ends_before
    )
    decided = AuthorizationRequest.objects.filter(
        member__plan_id=plan, program=Program.ECM, decided_at__gte=q.starts_at, decided_at__lt=q.ends_before
    )
    attempts = OutreachAttempt.objects.filter(
        member__plan_id=plan, attempted_on__gte=q.first_day, attempted_on__lte=q.last_day
    )
    enrolled = Enrollment.objects.filter(
        member__plan_id=plan, enrolled_on__gte=q.first_day, enrolled_on__lte=q.last_day
    )
    return _county_rows(
        ctx,
        {
            "members_requested": _by_county(referrals),
            "members_authorized": _by_county(decided.filter(status__in=APPROVED)),
            "members_denied": _by_county(decided.filter(status=AuthorizationStatus.DENIED)),
            "members_outreached": _by_county(attempts),
            "outreach_attempts": _by_county(attempts, distinct="id"),
            "members_enrolled": _by_county(enrolled),
        },
    )


def cs_requests_and_denials(ctx: TabContext) -> TabRows:
    """Tab 6: members with an external CS request received in the quarter, and those whose request was denied."""
    internal = list(ctx.template.options.get("internal_source_types", []))
    requests = CsRequest.objects.filter(
        member__plan_id=ctx.plan.pk, received_at__gte=ctx.quarter.starts_at, received_at__lt=ctx.quarter.ends_before
    ).exclude(source_type__in=internal)
    denied = requests.filter(Q(status=CsRequestStatus.DENIED) | Q(authorization__status=AuthorizationStatus.DENIED))
    return _county_rows(ctx, {"members_requested": _by_county(requests), "members_denied": _by_county(denied)})


def _contracts(ctx: TabContext, program: str) -> dict[tuple[Any, int], dict[str, Any]]:
    """Per (provider, county): its contract with the plan in force in the quarter (the latest begun, if several)."""
    q = ctx.quarter
    rows = (
        Contract.objects.filter(plan=ctx.plan, program=program, start_date__lte=q.last_day)
        .exclude(end_date__lt=q.first_day)
        .order_by("organization__name", "start_date")
        .values(*_CONTRACT_FIELDS)
    )
    chosen: dict[tuple[Any, int], dict[str, Any]] = {}
    for row in rows:
        if row["counties__id"] is not None:
            chosen[(row["organization_id"], row["counties__id"])] = row  # later start wins
    return dict(sorted(chosen.items(), key=lambda item: (item[1]["counties__name"], item[1]["organization__npi"])))


def _provider_type(kind: str) -> str:
    return str(OrganizationKind(kind).label) if kind in OrganizationKind.values else kind


def ecm_provider_capacity(ctx: TabContext) -> TabRows:
    """Tab 3 (to confirm): members each ECM provider serves on the quarter's last day, and its capacity."""
    q = ctx.quarter
    serving = (
        Enrollment.objects.filter(member__plan_id=ctx.plan.pk, assigned_at__lt=q.ends_before)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=q.last_day))
        .order_by()
        .values("provider_id", "member__county_id")
        .annotate(n=Count("member_id", distinct=True))
    )
    counts = {(row["provider_id"], row["member__county_id"]): row["n"] for row in serving}
    result = TabRows()
    for key, contract in _contracts(ctx, Program.ECM).items():
        record = {
            **ctx.common(contract["counties__name"]),
            "provider_npi": contract["organization__npi"],
            "provider_type": _provider_type(contract["organization__kind"]),
            "members_serving": counts.get(key, 0),
            "capacity": contract["capacity"],
        }
        result.rows.append(ctx.template.row(record))
    return result


def cs_provider_capacity(ctx: TabContext) -> TabRows:
    """Tab 5: per provider, county and service of its CS contract, the members with an approved authorization
    still open on the quarter's last day [P], and the contract's capacity."""
    last = ctx.quarter.last_day
    serving = (
        CsRequest.objects.filter(
            member__plan_id=ctx.plan.pk,
            provider__isnull=False,
            status__in=CS_SERVING_STATUSES,
            authorization__status__in=APPROVED,
            authorization__period_start__lte=last,
            authorization__period_end__gte=last,
        )
        .order_by()
        .values("provider_id", "member__county_id", "service_code")
        .annotate(n=Count("member_id", distinct=True))
    )
    counts = {(row["provider_id"], row["member__county_id"], row["service_code"]): row["n"] for row in serving}
    names = _service_names(ctx)
    result = TabRows()
    for (provider_id, county_id), contract in _contracts(ctx, Program.CS).items():
        for service in contract["services"] or []:
            record = {
                **ctx.common(contract["counties__name"]),
                "provider_npi": contract["organization__npi"],
                "provider_type": _provider_type(contract["organization__kind"]),
                "service": names.get(service, service),
                "members_serving": counts.get((provider_id, county_id, service), 0),
                "capacity": contract["capacity"],
            }
            result.rows.append(ctx.template.row(record))
    return result


def _service_names(ctx: TabContext) -> dict[str, str]:
    """Each service as the template names it (Tab 5's option), else as calaim's catalog does."""
    catalog: dict[str, str] = defaultdict(str)
    for code, name in CsService.objects.order_by("effective_from").values_list("code", "name"):
        catalog[code] = name
    return {**catalog, **dict(ctx.template.options.get("service_names", {}))}
