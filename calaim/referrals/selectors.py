"""The one way to read referrals: scoped to the caller."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from calaim.accounts.models import Role, User
from calaim.core.errors import NotFound
from calaim.referrals.models import Referral


def referral_scope(user: User | None) -> QuerySet[Referral]:
    """Plan staff: their plan's referrals. Provider staff: referrals their organization made or for
    members assigned to it. Referrers: the referrals they submitted."""
    from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment

    if user is None or not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
        return Referral.objects.filter(member__plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        assigned = Enrollment.objects.filter(
            member_id=OuterRef("member_id"), provider_id=user.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES
        )
        return Referral.objects.filter(Q(referrer_organization_id=user.organization_id) | Q(Exists(assigned)))
    if user.role == Role.REFERRER:
        return Referral.objects.filter(submitted_by=user)
    return Referral.objects.none()


def referral_get(user: User | None, referral_id: uuid.UUID | str) -> Referral:
    try:
        return referral_scope(user).select_related("member", "member__plan").get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError):
        raise NotFound("No referral with this id in your scope.") from None


def open_referral_for(member_id: uuid.UUID, program: str) -> Referral | None:
    """The member's open referral for the program, which a new referral links to instead of duplicating."""
    from calaim.referrals.models import OPEN_STATUSES

    return (
        Referral.objects.filter(member_id=member_id, program=program, status__in=OPEN_STATUSES)
        .order_by("received_at")
        .first()
    )
