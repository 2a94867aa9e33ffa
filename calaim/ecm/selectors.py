"""The one way to read ECM enrollments and determinations: scoped to the caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.core.errors import NotFound
from calaim.ecm.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    CareManagerLanguages,
    EligibilityDetermination,
    Enrollment,
)


def provider_caseload(organization_id: uuid.UUID | None) -> QuerySet[Enrollment]:
    """An ECM provider's caseload: its assigned and enrolled members' enrollments. Every scope that lets
    provider staff see a member (calaim.access.scopes.member_condition) is built on this one query."""
    return Enrollment.objects.filter(provider_id=organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES)


def caseload_by_provider(plan_id: int) -> dict[uuid.UUID, int]:
    """Members each ECM provider currently serves (assigned or enrolled) for the plan."""
    rows = (
        Enrollment.objects.filter(member__plan_id=plan_id, status__in=ACTIVE_ENROLLMENT_STATUSES)
        .values("provider_id")
        .annotate(n=Count("id"))
    )
    return {row["provider_id"]: row["n"] for row in rows}


def enrollment_scope(user: User | None) -> QuerySet[Enrollment]:
    """Plan staff: their plan's enrollments. Provider staff: their organization's caseload."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Enrollment.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
        return Enrollment.objects.filter(member__plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        return provider_caseload(user.organization_id)
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


def in_caseload(organization_id: uuid.UUID | None, member_id: uuid.UUID) -> bool:
    """The member is in the organization's caseload (`provider_caseload`)."""
    return provider_caseload(organization_id).filter(member_id=member_id).exists()


def current_enrollment_of(member_id: uuid.UUID) -> Enrollment | None:
    """The member's assigned or enrolled ECM enrollment, if any (a member has at most one at a time)."""
    return Enrollment.objects.filter(member_id=member_id, status__in=ACTIVE_ENROLLMENT_STATUSES).first()


def qualified_pofs(referral_id: uuid.UUID) -> list[str]:
    """The Populations of Focus the referral's latest eligibility determination qualified."""
    latest = EligibilityDetermination.objects.filter(referral_id=referral_id).order_by("-created_at").first()
    return list(latest.qualified_pofs) if latest else []


@dataclass(frozen=True)
class CareManagerLoad:
    """One of the provider's care staff as a supervisor weighs them for a Lead Care Manager."""

    user: User
    members: int  # members they are Lead Care Manager of now (assigned or enrolled)
    languages: tuple[str, ...]


def care_manager_loads(user: User | None) -> list[CareManagerLoad]:
    """The caller's own organization's active care staff with their caseload and languages (provider staff only)."""
    if user is None or not user.is_authenticated or not user.is_provider_staff:
        return []
    assert user.organization_id is not None  # is_provider_staff
    current = Q(
        lcm_enrollments__status__in=ACTIVE_ENROLLMENT_STATUSES, lcm_enrollments__provider_id=user.organization_id
    )
    staff = (
        User.objects.filter(organization_id=user.organization_id, role__in=PROVIDER_ROLES, is_active=True)
        .select_related("organization")
        .annotate(members=Count("lcm_enrollments", filter=current))
        .order_by("last_name", "first_name", "username")
    )
    rows = list(staff)
    spoken = dict(CareManagerLanguages.objects.filter(user__in=rows).values_list("user_id", "languages"))
    return [CareManagerLoad(u, u.members, tuple(spoken.get(u.pk, ()))) for u in rows]  # type: ignore[attr-defined]


def care_manager_get(user: User | None, username: str) -> User:
    """One of the caller's own organization's active care staff, by username; anyone else is not found."""
    found = next((row.user for row in care_manager_loads(user) if row.user.username == username), None)
    if found is None:
        raise NotFound("No care manager with this id in your organization.")
    return found
