"""Who may see the letter templates and who may record a translation's review."""

from __future__ import annotations

from calaim.accounts.models import PLAN_ROLES, Role, User
from calaim.accounts.policies import role_in
from calaim.core.policy import ALLOWED, Verdict, first_refusal, out_of_scope


def _plan_staff(user: User) -> Verdict:
    return ALLOWED if user.is_active and user.is_plan_staff else out_of_scope()


def can_view_letter_templates(user: User) -> Verdict:
    """Plan staff see the templates, their review status and previews (made-up data, no member's)."""
    return first_refusal(lambda: role_in(user, PLAN_ROLES, "view the letter templates"), lambda: _plan_staff(user))


def can_review_translation(user: User) -> Verdict:
    """Plan compliance alone records that a qualified translator reviewed a translation."""
    return first_refusal(
        lambda: role_in(user, {Role.PLAN_COMPLIANCE}, "record a translation review"), lambda: _plan_staff(user)
    )
