"""Reading the network: contracts in force for a plan, county and program."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet

from calaim.network.models import Contract, Organization, OrganizationKind, Program


def contracts_in_force(plan_id: int, county_id: int, day: dt.date, program: str = Program.ECM) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(plan_id=plan_id, program=program, counties__id=county_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("organization")
        .distinct()
    )


def ecm_contract_for(organization: Organization, plan_id: int, county_id: int, day: dt.date) -> Contract | None:
    """The organization's ECM contract in force for a plan and county, if it is an ECM provider with one."""
    if organization.kind != OrganizationKind.ECM_PROVIDER:
        return None
    return contracts_in_force(plan_id, county_id, day).filter(organization=organization).first()


def ecm_contracts_of(organization_id: uuid.UUID) -> QuerySet[Contract]:
    """An ECM provider's contracts with every plan (a provider may serve several)."""
    return Contract.objects.filter(organization_id=organization_id, program=Program.ECM).select_related("plan")
