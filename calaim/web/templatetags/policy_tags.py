"""`{% may user "action" obj as allowed %}`: a page shows an action only when the policy the service enforces
allows it, so what a page offers and what the service does cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from calaim.accounts.models import User
from calaim.authorizations.policies import can_decide, can_extend, can_reauthorize
from calaim.careplans.policies import (
    can_add_task,
    can_change_care_team,
    can_edit_care_plan,
    can_record_outreach,
    can_work_task,
)
from calaim.community_supports.policies import can_close_request, can_reassign_from_delegate, can_record_delivery
from calaim.core.policy import Verdict
from calaim.ecm.policies import can_assign_lead_care_manager, can_change_provider, can_end_ecm, can_enroll
from calaim.referrals.policies import can_assign_provider, can_determine_eligibility, can_review_duplicate
from calaim.roster.fact_services import can_resolve_fact

register = template.Library()

POLICIES: dict[str, Callable[[User, Any], Verdict]] = {
    "determine_eligibility": can_determine_eligibility,
    "assign_provider": can_assign_provider,
    "review_duplicate": can_review_duplicate,
    "decide": can_decide,
    "extend": can_extend,
    "reauthorize": can_reauthorize,
    "enroll": can_enroll,
    "change_provider": can_change_provider,
    "end_ecm": can_end_ecm,
    "assign_lead_care_manager": can_assign_lead_care_manager,
    "record_outreach": can_record_outreach,
    "add_task": can_add_task,
    "work_task": can_work_task,
    "change_care_team": can_change_care_team,
    "edit_care_plan": can_edit_care_plan,
    "record_delivery": can_record_delivery,
    "close_cs_request": can_close_request,
    "reassign_from_delegate": can_reassign_from_delegate,
    "resolve_roster_fact": can_resolve_fact,
}


@register.simple_tag
def may(user: User, action: str, obj: Any) -> Verdict:
    """The verdict of the named policy for the user on `obj` (true in `{% if %}` when allowed)."""
    return POLICIES[action](user, obj)
