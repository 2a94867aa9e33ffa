"""Who may import a provider's RTF or OTF for a plan, and who may see the loads, answered as Verdicts.

A provider's files change its members' closed loops, enrollments and outreach logs, so only two kinds of people
offer them: the provider's own staff, for their own organization under any plan it contracts with; and the plan's
staff who work with providers' data, for any provider the plan contracts with (uploading on a provider's behalf).
A load is seen by its plan's staff and by its provider's staff; to anyone else it does not exist (404).
"""

from __future__ import annotations

import datetime as dt

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import plan_staff_in, provider_staff_of
from calaim.core.policy import ALLOWED, Verdict, first_refusal, out_of_scope
from calaim.exchange.models import ExchangeLoad
from calaim.network.models import Contract, Organization
from calaim.plans.models import Plan

# Plan staff who take in providers' files on their behalf; compliance and UM reviewers see the loads only.
PLAN_IMPORTING_ROLES = frozenset({Role.PLAN_DATA_ANALYST, Role.PLAN_INTAKE, Role.MEMBER_SERVICES})
PLAN_VIEWING_ROLES = PLAN_IMPORTING_ROLES | {Role.PLAN_COMPLIANCE, Role.PLAN_UM}
PROVIDER_IMPORTING_ROLES = PROVIDER_ROLES


def contracted(plan: Plan, provider: Organization, day: dt.date | None = None) -> bool:
    """The provider has (or had) a contract with the plan, any program; `day` narrows it to one in force then."""
    contracts = Contract.objects.filter(plan=plan, organization=provider)
    if day is not None:
        contracts = contracts.filter(start_date__lte=day).exclude(end_date__lt=day)
    return contracts.exists()


def can_import_provider_file(user: User, plan: Plan, provider: Organization) -> Verdict:
    """The provider's staff for their own organization, under a plan it contracts with; the plan's data analysts,
    intake and member services for any provider the plan contracts with. Another plan or organization: 404."""
    if user.role in PROVIDER_ROLES:
        return first_refusal(
            lambda: provider_staff_of(user, provider.pk, "import provider files"),
            lambda: (
                ALLOWED
                if contracted(plan, provider)
                else out_of_scope("Your organization has no contract with this plan.")
            ),
        )
    return first_refusal(
        lambda: plan_staff_in(user, PLAN_IMPORTING_ROLES, plan.pk, "import providers' files"),
        lambda: ALLOWED if contracted(plan, provider) else out_of_scope("The plan has no contract with this provider."),
    )


def can_view_exchange_load(user: User, load: ExchangeLoad) -> Verdict:
    """A load is seen by its plan's staff (the viewing roles) and by its provider's staff; nobody else (404)."""
    if user.role in PROVIDER_ROLES:
        return ALLOWED if user.is_active and user.organization_id == load.provider_id else out_of_scope()
    if user.role in PLAN_VIEWING_ROLES and user.is_active and user.is_plan_staff:
        assert user.organization is not None  # is_plan_staff
        return ALLOWED if user.organization.plan_id == load.plan_id else out_of_scope()
    return out_of_scope()


def can_download_load_rejects(user: User, load: ExchangeLoad) -> Verdict:
    """The rejected rows' file, to whoever may see the load, while it is kept."""
    return first_refusal(
        lambda: can_view_exchange_load(user, load),
        lambda: ALLOWED if load.rejects_path else out_of_scope("This load has no rejected rows to download."),
    )
