"""The one way to read ECM enrollments and determinations: scoped to the caller."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, EligibilityDetermination, Enrollment


def enrollment_scope(user: User | None) -> QuerySet[Enrollment]:
    """Plan staff: their plan's enrollments. Provider staff: their organization's current ones."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Enrollment.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
        return Enrollment.objects.filter(member__plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        return Enrollment.objects.filter(provider_id=user.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES)
    return Enrollment.objects.none()


def enrollment_get(user: User | None, enrollment_id: uuid.UUID | str) -> Enrollment:
    try:
        return (
            enrollment_scope(user)
            .select_related("member", "member__plan", "member__county", "provider")
            .get(pk=enrollment_id)
        )
    except (Enrollment.DoesNotExist, ValueError):
        raise NotFound("No ECM enrollment with this id in your scope.") from None


def determination_scope(user: User | None) -> QuerySet[EligibilityDetermination]:
    """Determinations are plan work: plan staff of the member's plan only."""
    if user is None or not user.is_authenticated or not user.is_plan_staff:
        return EligibilityDetermination.objects.none()
    assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
    return EligibilityDetermination.objects.filter(member__plan_id=user.organization.plan_id)
