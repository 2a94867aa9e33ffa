"""Template helpers for the ECM pages: labels for eligibility checks and discontinuation reasons."""

from __future__ import annotations

from django import template

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


@register.filter
def discontinuation_label(code: str) -> str:
    """The label of a discontinuation reason code, from the latest version of the reference data."""
    label = DiscontinuationReason.objects.filter(code=code).order_by("-effective_from").values_list("label", flat=True)
    return label.first() or code
