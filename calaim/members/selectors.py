"""The one way to read members: scoped to what the caller may see."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.members.models import Member


def member_scope(user: User | None) -> QuerySet[Member]:
    """Plan staff see their plan's members; provider staff the members assigned to their organization."""
    from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment

    if user is None or not user.is_authenticated or not user.is_active:
        return Member.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
        return Member.objects.filter(plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        assigned = Enrollment.objects.filter(
            member=OuterRef("pk"), provider_id=user.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES
        )
        return Member.objects.filter(Exists(assigned))
    # Referrers see their own referrals, never the member record itself.
    return Member.objects.none()


def member_get(user: User | None, member_id: uuid.UUID | str) -> Member:
    """The member if the caller may see them, else 404 whether or not the member exists."""
    try:
        return member_scope(user).select_related("plan", "county", "delegated_to").get(pk=member_id)
    except (Member.DoesNotExist, ValueError):
        raise NotFound("No member with this id in your scope.") from None


def member_search(user: User | None, query: str) -> QuerySet[Member]:
    """Members in scope whose CIN, name or birth date (YYYY-MM-DD) matches the query."""
    members = member_scope(user)
    query = query.strip()
    if not query:
        return members
    condition = Q(cin__iexact=query) | Q(last_name__istartswith=query) | Q(first_name__istartswith=query)
    with contextlib.suppress(ValueError):
        condition |= Q(birth_date=dt.date.fromisoformat(query))
    return members.filter(condition)
