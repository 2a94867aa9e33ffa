"""Who may do what: role checks shared by every service. Scoping of reads lives in each selectors.py."""

from __future__ import annotations

from calaim.accounts.models import PLAN_ROLES, PROVIDER_ROLES, Role, User
from calaim.core.errors import Forbidden, NotFound


def require_authenticated(user: User | None) -> User:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotFound()
    return user


def require_role(user: User, roles: frozenset[str] | set[str], action: str) -> None:
    """Refuse with 403 when the caller's role may not perform `action` on an object they can see."""
    if user.role not in roles:
        raise Forbidden(f"Your role ({user.get_role_display() or 'none'}) may not {action}.")


def require_plan_role(user: User, roles: frozenset[str] | set[str], plan_id: int, action: str) -> None:
    """Plan staff may act only for members of their own plan."""
    require_role(user, roles, action)
    if not user.is_plan_staff or user.organization is None or user.organization.plan_id != plan_id:
        raise NotFound()


def require_provider_role(user: User, organization_id: object, action: str) -> None:
    """Provider staff may act only for members assigned to their own organization."""
    require_role(user, PROVIDER_ROLES, action)
    if user.organization_id != organization_id:
        raise NotFound()


INTAKE_ROLES = frozenset({Role.PLAN_INTAKE, Role.PLAN_UM})
UM_ROLES = frozenset({Role.PLAN_UM})
MEMBER_CHANGE_PLAN_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES})
SUPERVISOR_ROLES = frozenset({Role.PROVIDER_SUPERVISOR})
__all__ = ["PLAN_ROLES", "PROVIDER_ROLES"]
