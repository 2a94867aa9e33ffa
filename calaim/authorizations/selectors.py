"""The one way to read authorization requests: scoped to the caller."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.errors import NotFound


def authorization_scope(user: User | None) -> QuerySet[AuthorizationRequest]:
    """Plan staff: their plan's requests. Provider staff: their own requests and their members'."""
    from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment

    if user is None or not user.is_authenticated or not user.is_active:
        return AuthorizationRequest.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
        return AuthorizationRequest.objects.filter(member__plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        assigned = Enrollment.objects.filter(
            member_id=OuterRef("member_id"), provider_id=user.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES
        )
        return AuthorizationRequest.objects.filter(
            Q(requesting_organization_id=user.organization_id) | Q(Exists(assigned))
        )
    return AuthorizationRequest.objects.none()


def authorization_get(user: User | None, authorization_id: uuid.UUID | str) -> AuthorizationRequest:
    try:
        return authorization_scope(user).select_related("member", "member__plan").get(pk=authorization_id)
    except (AuthorizationRequest.DoesNotExist, ValueError):
        raise NotFound("No authorization request with this id in your scope.") from None
