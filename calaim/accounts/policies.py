"""Who may act by role: the checks every domain's policies compose. Scoping of reads lives in calaim.access."""

from __future__ import annotations

from calaim.accounts.models import PLAN_ROLES, PROVIDER_ROLES, Role, User
from calaim.core.policy import ALLOWED, Verdict, forbidden, out_of_scope

__all__ = ["PLAN_ROLES", "PROVIDER_ROLES"]

INTAKE_ROLES = frozenset({Role.PLAN_INTAKE, Role.PLAN_UM})
UM_ROLES = frozenset({Role.PLAN_UM})
# Plan staff who take members' and referrers' calls and change a member's provider or end ECM with them.
MEMBER_CHANGE_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES})


def role_in(user: User, roles: frozenset[str] | set[str], action: str) -> Verdict:
    """403 when the caller's role may not perform `action` on an object they can see."""
    if user.role not in roles:
        return forbidden(f"Your role ({user.get_role_display() or 'none'}) may not {action}.")
    return ALLOWED


def plan_staff_in(user: User, roles: frozenset[str] | set[str], plan_id: int, action: str) -> Verdict:
    """Plan staff with one of `roles` act only for members of their own plan (another plan's: 404)."""
    if not (verdict := role_in(user, roles, action)):
        return verdict
    if not user.is_plan_staff or user.organization is None or user.organization.plan_id != plan_id:
        return out_of_scope()
    return ALLOWED


def provider_staff_of(user: User, organization_id: object, action: str) -> Verdict:
    """Provider staff act only for their own organization (another organization's: 404)."""
    if not (verdict := role_in(user, PROVIDER_ROLES, action)):
        return verdict
    if user.organization_id != organization_id:
        return out_of_scope()
    return ALLOWED
