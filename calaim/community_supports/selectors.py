"""The one way to read Community Supports requests: scoped to the caller."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from calaim.accounts.models import Role, User
from calaim.community_supports.models import CsRequest
from calaim.core.errors import NotFound


def cs_request_scope(user: User | None) -> QuerySet[CsRequest]:
    """Plan staff: their plan's requests. Provider staff: requests assigned to or made by their organization,
    and those of members in their ECM caseload. Referrers: the requests they submitted."""
    from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment

    if user is None or not user.is_authenticated or not user.is_active:
        return CsRequest.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None
        return CsRequest.objects.filter(member__plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        caseload = Enrollment.objects.filter(
            member_id=OuterRef("member_id"), provider_id=user.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES
        )
        return CsRequest.objects.filter(
            Q(provider_id=user.organization_id) | Q(referrer_organization_id=user.organization_id) | Q(Exists(caseload))
        )
    if user.role == Role.REFERRER:
        return CsRequest.objects.filter(submitted_by=user)
    return CsRequest.objects.none()


def cs_request_get(user: User | None, request_id: uuid.UUID | str) -> CsRequest:
    try:
        return cs_request_scope(user).select_related("member__plan", "member__county", "provider").get(pk=request_id)
    except (CsRequest.DoesNotExist, ValueError):
        raise NotFound("No Community Supports request with this id in your scope.") from None
