"""Who may do what with provider files (MIF, RTF, OTF, service lines), answered as Verdicts: the one place whose role
sets the import, the exports, the web pages and the API all use.

A provider's files change its members' closed loops, enrollments and outreach logs, and a file calaim makes names
every member it covers, so only two kinds of people upload or make them: the provider's own staff, for their own
organization under any plan it contracts with; and the plan's data analysts, for any provider the plan contracts
with (uploading on a provider's behalf, making its files), as they alone load the plan's roster. Every other plan
role that works with what providers report (intake, member services, UM, compliance) sees the loads and downloads
the files already made, each download a PHI read on the log; compliance officers change nothing, here as everywhere.
A load or file is seen by its plan's staff and by its provider's staff; to anyone else it does not exist (404).
"""

from __future__ import annotations

import datetime as dt

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import plan_staff_in, provider_staff_of
from calaim.core.policy import ALLOWED, Verdict, first_refusal, forbidden, out_of_scope
from calaim.exchange.models import ExchangeLoad, LoadSource
from calaim.network.models import Contract, Organization
from calaim.plans.models import Plan

# Plan staff who upload a provider's RTF or OTF on its behalf and make provider files: the data analysts only.
PLAN_LOADING_ROLES = frozenset({Role.PLAN_DATA_ANALYST})
# Plan staff who see the plan's loads and download the files already made (a PHI read, logged).
PLAN_VIEWING_ROLES = frozenset(
    {Role.PLAN_INTAKE, Role.MEMBER_SERVICES, Role.PLAN_UM, Role.PLAN_COMPLIANCE, Role.PLAN_DATA_ANALYST}
)
# Provider staff upload, make, see and download their own organization's files.
PROVIDER_FILE_ROLES = PROVIDER_ROLES
# Member services check the contact updates providers report (the roster stays the source of truth).
CONTACT_UPDATE_ROLES = frozenset({Role.MEMBER_SERVICES})
# Files made with no user: the command run without --as, and the monthly schedule.
UNATTENDED_SOURCES = (LoadSource.COMMAND, LoadSource.SCHEDULE)


def contracted(plan: Plan, provider: Organization, day: dt.date | None = None) -> bool:
    """The provider has (or had) a contract with the plan, any program; `day` narrows it to one in force then."""
    contracts = Contract.objects.filter(plan=plan, organization=provider)
    if day is not None:
        contracts = contracts.filter(start_date__lte=day).exclude(end_date__lt=day)
    return contracts.exists()


def may_upload(user: User) -> bool:
    """Whether the caller's role sends provider files at all (which plan and provider: `can_import_provider_file`)."""
    if user.is_plan_staff:
        return user.role in PLAN_LOADING_ROLES
    return user.is_provider_staff and user.role in PROVIDER_FILE_ROLES


def can_import_provider_file(user: User, plan: Plan, provider: Organization) -> Verdict:
    """The provider's staff for their own organization, under a plan it contracts with; the plan's data analysts
    for any provider the plan contracts with. Another plan or organization: 404; another role: 403."""
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
        lambda: plan_staff_in(user, PLAN_LOADING_ROLES, plan.pk, "upload providers' files"),
        lambda: ALLOWED if contracted(plan, provider) else out_of_scope("The plan has no contract with this provider."),
    )


def can_export(user: User | None, plan: Plan, provider: Organization, source: str) -> Verdict:
    """Who makes a provider's file for a plan: the plan's data analysts, the provider's own staff, the command (as a
    superuser or unnamed) and the schedule. Another plan's or provider's staff: 404; another role: 403."""
    if user is None:
        return ALLOWED if source in UNATTENDED_SOURCES else forbidden("Sign in to make a provider file.")
    if user.is_superuser and source == LoadSource.COMMAND:
        return ALLOWED
    if user.role in PROVIDER_ROLES:
        return provider_staff_of(user, provider.pk, "make the provider's files")
    return plan_staff_in(user, PLAN_LOADING_ROLES, plan.pk, "make a provider's files")


def can_view_exchange_load(user: User, load: ExchangeLoad) -> Verdict:
    """A load is seen by its plan's staff (the viewing roles) and by its provider's staff; nobody else (404)."""
    if user.role in PROVIDER_FILE_ROLES:
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
