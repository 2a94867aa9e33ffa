"""The one way to read authorization requests: scoped to the caller; and what "overdue" means."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from calaim.access.scopes import is_active, member_condition
from calaim.accounts.models import User
from calaim.authorizations.clocks import is_overdue
from calaim.authorizations.models import UNDECIDED, AuthorizationRequest, AuthorizationStatus
from calaim.core.errors import NotFound


def authorization_scope(user: User | None) -> QuerySet[AuthorizationRequest]:
    """Plan staff: their plan's requests. Provider staff: their own requests and their caseload's."""
    if not is_active(user):
        return AuthorizationRequest.objects.none()
    condition = member_condition(user, through="member")
    if user.is_provider_staff:
        condition |= Q(requesting_organization_id=user.organization_id)
    return AuthorizationRequest.objects.filter(condition)


def authorization_get(user: User | None, authorization_id: uuid.UUID | str) -> AuthorizationRequest:
    try:
        return authorization_scope(user).select_related("member", "member__plan").get(pk=authorization_id)
    except (AuthorizationRequest.DoesNotExist, ValueError):
        raise NotFound("No authorization request with this id in your scope.") from None


def authorization_review_get(user: User | None, authorization_id: uuid.UUID | str) -> AuthorizationRequest:
    """A request as the UM review reads it, with its member, referral and people: the plan's own staff only (the
    requesting provider and the referrer follow it on the member record or the referral instead)."""
    if not (is_active(user) and user.is_plan_staff):
        raise NotFound("No authorization request with this id in your scope.")
    related = ("member__plan", "member__county", "referral__referrer_organization", "requesting_organization")
    try:
        return authorization_scope(user).select_related(*related, "decided_by__organization").get(pk=authorization_id)
    except (AuthorizationRequest.DoesNotExist, ValueError):
        raise NotFound("No authorization request with this id in your scope.") from None


def authorization_history(user: User | None, authorization: AuthorizationRequest) -> QuerySet[AuthorizationRequest]:
    """The member's other requests the caller may see, the latest first: the decisions made for them before."""
    others = authorization_scope(user).filter(member_id=authorization.member_id).exclude(pk=authorization.pk)
    return others.select_related("decided_by__organization").order_by("-received_at")


def overdue_condition(now: dt.datetime | None = None) -> Q:
    """Undecided requests past their due time (`authorization_overdue` row by row)."""
    return Q(status__in=UNDECIDED, due_at__lt=now or timezone.now())


def authorization_overdue(authorization: AuthorizationRequest, now: dt.datetime | None = None) -> bool:
    """Undecided and past its due time: a decision not made in time."""
    return authorization.status in UNDECIDED and is_overdue(authorization.due_at, now or timezone.now())


def decided_late_condition() -> Q:
    """Decided by a reviewer after the due time (`AuthorizationRequest.decided_late` row by row)."""
    return Q(decided_by__isnull=False, decided_at__gt=F("due_at"))


def deemed_denied_condition() -> Q:
    """Denied by operation of law (`AuthorizationRequest.deemed_denied` row by row)."""
    return Q(status=AuthorizationStatus.DENIED, decided_by__isnull=True, decided_at=F("ceiling_at"))


def expired_condition(now: dt.datetime | None = None) -> Q:
    """Undecided requests past their ceiling, the latest a decision may be made: denials by operation of law
    (`authorization_expired` row by row)."""
    return Q(status__in=UNDECIDED, ceiling_at__lt=now or timezone.now())


def authorization_expired(authorization: AuthorizationRequest, now: dt.datetime | None = None) -> bool:
    """Undecided past its ceiling (one extension included): 42 CFR 438.404(c)(5) makes it a denial."""
    return authorization.status in UNDECIDED and is_overdue(authorization.ceiling_at, now or timezone.now())


def authorization_timeliness(authorization: AuthorizationRequest, now: dt.datetime | None = None) -> str:
    """Where the request stands against its clock: deemed_denied, decided_late, decided, expired (undecided past
    its ceiling, to be denied by the clock sweep), overdue (undecided past its due time) or open."""
    now = now or timezone.now()
    if authorization.deemed_denied:
        return "deemed_denied"
    if authorization.status not in UNDECIDED:
        return "decided_late" if authorization.decided_late else "decided"
    if authorization_expired(authorization, now):
        return "expired"
    return "overdue" if authorization_overdue(authorization, now) else "open"


def authorizations_to_mark_overdue(now: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Overdue requests the clock sweep has not yet marked, the longest overdue first."""
    rows = AuthorizationRequest.objects.filter(overdue_condition(now), overdue_at__isnull=True).order_by("due_at")
    return list(rows.values_list("pk", flat=True)[:limit])


def authorizations_expired(now: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Requests whose decision time has run out, the earliest first."""
    rows = AuthorizationRequest.objects.filter(expired_condition(now)).order_by("ceiling_at")
    return list(rows.values_list("pk", flat=True)[:limit])
