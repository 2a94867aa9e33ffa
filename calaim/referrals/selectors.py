"""The one way to read referrals: scoped to the caller."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from calaim.access.scopes import is_active, member_condition
from calaim.accounts.models import Role, User
from calaim.core.errors import NotFound
from calaim.referrals.models import OPEN_STATUSES, LoopEvent, Referral


def referral_scope(user: User | None) -> QuerySet[Referral]:
    """Plan staff: their plan's referrals. Provider staff: referrals their organization made or for members in its
    caseload. Referrers: the referrals they submitted."""
    if not is_active(user):
        return Referral.objects.none()
    if user.role == Role.REFERRER:
        return Referral.objects.filter(submitted_by=user)
    condition = member_condition(user, through="member")
    if user.is_provider_staff:
        condition |= Q(referrer_organization_id=user.organization_id)
    return Referral.objects.filter(condition)


def referral_get(user: User | None, referral_id: uuid.UUID | str) -> Referral:
    try:
        return referral_scope(user).select_related("member", "member__plan").get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError):
        raise NotFound("No referral with this id in your scope.") from None


def open_referral_for(member_id: uuid.UUID, program: str) -> Referral | None:
    """The member's open referral for the program, which a new referral links to instead of duplicating."""
    return (
        Referral.objects.filter(member_id=member_id, program=program, status__in=OPEN_STATUSES)
        .order_by("received_at")
        .first()
    )


def loop_history(referral: Referral) -> QuerySet[LoopEvent]:
    """The referral's closed loop, oldest step first (the referral itself was read through a scope)."""
    return referral.loop_events.order_by("at", "id")


def latest_referral(member_id: uuid.UUID) -> Referral | None:
    """The member's most recent referral (any program, any status); its attestations explain eligibility."""
    return Referral.objects.filter(member_id=member_id).order_by("-received_at").first()
