"""Who may refer as which source, review a possible duplicate, determine eligibility or assign a provider.

Each `can_*` answers a Verdict (calaim.core.policy): the services enforce it and the pages show the action only
when it is allowed, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import INTAKE_ROLES, MEMBER_CHANGE_ROLES, plan_staff_in
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, forbidden
from calaim.network.models import OrganizationKind
from calaim.plans.models import ReferralSourceType
from calaim.plans.selectors import latest_by_code
from calaim.referrals.models import Referral, ReferralStatus

# Which referral sources an outside organization's staff may submit as.
SOURCES_BY_ORG_KIND: dict[str, frozenset[str]] = {
    OrganizationKind.ECM_PROVIDER: frozenset({"ecm_provider"}),
    OrganizationKind.CS_PROVIDER: frozenset({"cs_provider"}),
    OrganizationKind.PCP_CLINIC: frozenset({"pcp"}),
    OrganizationKind.BEHAVIORAL_HEALTH: frozenset({"pcp"}),
    OrganizationKind.CBO: frozenset({"cbo"}),
    OrganizationKind.HOSPITAL: frozenset({"hospital_concurrent_review", "hospital_transition_of_care"}),
}
DUPLICATE_REVIEW_ROLES = frozenset({Role.PLAN_INTAKE})


def can_refer_as(user: User, source_type: str) -> Verdict:
    """Plan intake keys in any source; member services takes calls; the plan's data analysts load plan
    identifications; outside staff refer as their kind."""
    if user.role == Role.PLAN_INTAKE and user.is_plan_staff:
        return ALLOWED
    if user.role == Role.PLAN_DATA_ANALYST and user.is_plan_staff:
        if source_type != "plan_identification":
            return forbidden("Plan data analysts submit plan identifications only.", field="source_type")
        return ALLOWED
    if user.role == Role.MEMBER_SERVICES and user.is_plan_staff:
        if source_type == "plan_identification":
            return forbidden("Member services may not submit plan identifications.", field="source_type")
        return ALLOWED
    if user.role in PROVIDER_ROLES | {Role.REFERRER} and user.organization is not None:
        allowed = SOURCES_BY_ORG_KIND.get(user.organization.kind, frozenset())
        if source_type not in allowed:
            return forbidden(
                f"Staff of a {user.organization.get_kind_display()} may refer only as: "
                f"{', '.join(sorted(allowed)) or 'nobody'}.",
                field="source_type",
            )
        return ALLOWED
    return forbidden("Your role may not submit referrals.")


def referral_sources_for(user: User, day: dt.date) -> list[ReferralSourceType]:
    """The referral sources in force on `day` that `can_refer_as` lets the caller submit as."""
    sources = sorted(latest_by_code(ReferralSourceType, day).values(), key=lambda s: s.label)
    return [source for source in sources if can_refer_as(user, source.code)]


def can_review_duplicate(user: User, referral: Referral) -> Verdict:
    """Plan intake confirms or rejects a referral that was linked to the member's open one."""
    return first_refusal(
        lambda: plan_staff_in(
            user, DUPLICATE_REVIEW_ROLES, referral.member.plan_id, "review possible duplicate referrals"
        ),
        lambda: (
            ALLOWED
            if referral.status == ReferralStatus.LINKED and referral.linked_to_id is not None
            else conflict(
                "Only a referral linked to the member's open referral can be reviewed as a duplicate; "
                f"this one is {referral.get_status_display().lower()}."
            )
        ),
    )


def can_determine_eligibility(user: User, referral: Referral) -> Verdict:
    """Plan intake and UM determine ECM eligibility for a received referral."""
    return first_refusal(
        lambda: plan_staff_in(user, INTAKE_ROLES, referral.member.plan_id, "determine ECM eligibility"),
        lambda: (
            ALLOWED
            if referral.status == ReferralStatus.RECEIVED
            else conflict(f"Eligibility is determined for received referrals; this one is {referral.status}.")
        ),
    )


def can_assign_provider(user: User, referral: Referral) -> Verdict:
    """Plan intake and member services assign the ECM provider of an authorized referral."""
    return first_refusal(
        lambda: plan_staff_in(user, MEMBER_CHANGE_ROLES, referral.member.plan_id, "assign ECM providers"),
        lambda: (
            ALLOWED
            if referral.status == ReferralStatus.AUTHORIZED
            else conflict(f"Only an authorized referral can be assigned; this one is {referral.status}.")
        ),
    )
