"""Template helpers for the ECM pages: labels for eligibility checks and which action buttons to show."""

from __future__ import annotations

from django import template

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import INTAKE_ROLES, UM_ROLES
from calaim.ecm.services import ASSIGNING_ROLES
from calaim.plans.models import DiscontinuationReason

register = template.Library()

CHECK_LABELS = {
    "plan_enrollment": "Enrolled in the plan",
    "population_of_focus": "Meets a Population of Focus",
    "exclusions": "Not in a program ECM may not duplicate",
    "delegation": "ECM not delegated to another entity",
}


@register.filter
def check_label(code: str) -> str:
    return CHECK_LABELS.get(code, code.replace("_", " ").capitalize())


@register.simple_tag
def ecm_hints(user: User) -> dict[str, bool]:
    """Which ECM action buttons to show the user; display only, the services decide."""
    role = getattr(user, "role", "")
    provider = role in PROVIDER_ROLES
    return {
        "determine": role in INTAKE_ROLES,
        "enroll": provider or role == Role.PLAN_INTAKE,
        "change_provider": provider or role in ASSIGNING_ROLES,
        "extend": role in UM_ROLES,
        "reauthorize": provider or role in {Role.PLAN_INTAKE, Role.PLAN_UM},
        "refer": role != "",
    }


@register.filter
def discontinuation_label(code: str) -> str:
    """The label of a discontinuation reason code, from the latest version of the reference data."""
    label = DiscontinuationReason.objects.filter(code=code).order_by("-effective_from").values_list("label", flat=True)
    return label.first() or code
