"""Who may see which member: the one condition every read of member-linked data composes.

Plan staff see the members of their plan. Provider staff see their organization's caseload: the members with an
assigned or enrolled ECM enrollment with it (`calaim.ecm.selectors.provider_caseload`, written once). Referrers
see no member record, only what they referred (each domain's scope adds that). Whatever is out of scope is
answered 404, never 403, so its existence does not leak.
"""

from __future__ import annotations

import uuid
from typing import TypeGuard

from django.db.models import Exists, OuterRef, Q, QuerySet

from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.core.paging import QueryChain
from calaim.ecm.selectors import provider_caseload
from calaim.members.models import Member
from calaim.members.selectors import member_search_in

NOTHING = Q(pk__in=[])


def is_active(user: User | None) -> TypeGuard[User]:
    """A signed-in, active user (anything else sees nothing)."""
    return user is not None and user.is_authenticated and user.is_active


def plan_of(user: User | None) -> int | None:
    """The plan whose members this user serves as plan staff, else None."""
    if not is_active(user) or not user.is_plan_staff:
        return None
    assert user.organization is not None  # is_plan_staff
    return user.organization.plan_id


def member_condition(user: User | None, *, through: str = "") -> Q:
    """Keep the rows whose member `user` may see; `through` is the path from the rows to their member
    ("member" for a referral, "" for members themselves)."""
    if not is_active(user):
        return NOTHING
    prefix = f"{through}__" if through else ""
    if (plan_id := plan_of(user)) is not None:
        return Q(**{f"{prefix}plan_id": plan_id})
    if user.is_provider_staff:
        member_ref = OuterRef(f"{through}_id" if through else "pk")
        return Q(Exists(provider_caseload(user.organization_id).filter(member_id=member_ref)))
    return NOTHING


def member_scope(user: User | None) -> QuerySet[Member]:
    """Plan staff: their plan's members; provider staff: their organization's caseload; others: none."""
    return Member.objects.filter(member_condition(user))


def member_get(user: User | None, member_id: uuid.UUID | str) -> Member:
    """The member if the caller may see them, else 404 whether or not the member exists."""
    try:
        return member_scope(user).select_related("plan", "county", "delegated_to").get(pk=member_id)
    except (Member.DoesNotExist, ValueError):
        raise NotFound("No member with this id in your scope.") from None


def member_visible(user: User | None, member_id: uuid.UUID) -> bool:
    return member_scope(user).filter(pk=member_id).exists()


def member_search(
    user: User | None, query: str, *, related: tuple[str, ...] = ()
) -> QuerySet[Member] | QueryChain:
    """Members in scope matching a CIN, a birth date or a name, ordered, with `related` selected (see
    `member_search_in`)."""
    return member_search_in(member_scope(user), query, related=related)
