"""Reading the network: contracts in force and ECM providers' free capacity."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from calaim.members.models import Member
from calaim.network.models import Contract, Organization, OrganizationKind, Program


def contracts_in_force(plan_id: int, county_id: int, day: dt.date, program: str = Program.ECM) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(plan_id=plan_id, program=program, counties__id=county_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("organization")
        .distinct()
    )


def ecm_contract_for(organization: Organization, member: Member, day: dt.date) -> Contract | None:
    if organization.kind != OrganizationKind.ECM_PROVIDER:
        return None
    return contracts_in_force(member.plan_id, member.county_id, day).filter(organization=organization).first()


def caseload_by_provider(plan_id: int) -> dict[object, int]:
    """Members each ECM provider currently serves (assigned or enrolled) for the plan."""
    from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment

    rows = (
        Enrollment.objects.filter(member__plan_id=plan_id, status__in=ACTIVE_ENROLLMENT_STATUSES)
        .values("provider_id")
        .annotate(n=Count("id"))
    )
    return {row["provider_id"]: row["n"] for row in rows}
