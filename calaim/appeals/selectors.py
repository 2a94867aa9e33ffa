"""The one way to read appeals and grievances: scoped to the caller (out of scope is 404); and what "overdue" and
"due soon" mean for their clocks.

Plan staff who work appeals (the coordinator, member services, compliance) see their plan's; provider staff see the
appeals their organization filed for members still in their caseload; nobody else sees any.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from calaim.access.scopes import NOTHING, is_active, member_condition
from calaim.accounts.models import Role, User
from calaim.appeals.models import OPEN_APPEAL, OPEN_GRIEVANCE, Appeal, Grievance
from calaim.appeals.policies import READING_ROLES
from calaim.authorizations.models import NoticeOfAction
from calaim.authorizations.selectors import authorization_scope
from calaim.core.errors import NotFound

M = TypeVar("M", Appeal, Grievance)


def _appeal_condition(user: User | None) -> Q:
    if not is_active(user):
        return NOTHING
    if user.is_plan_staff:
        return member_condition(user, through="member") if user.role in READING_ROLES else NOTHING
    if user.is_provider_staff:
        return member_condition(user, through="member") & Q(provider_organization_id=user.organization_id)
    return NOTHING


def appeal_scope(user: User | None) -> QuerySet[Appeal]:
    return Appeal.objects.filter(_appeal_condition(user))


def appeal_get(user: User | None, appeal_id: uuid.UUID | str) -> Appeal:
    try:
        related = ("member__plan", "member__county", "notice_of_action", "authorization", "provider_organization")
        return (
            appeal_scope(user)
            .select_related(*related, "filed_by__organization", "resolved_by__organization")
            .get(pk=appeal_id)
        )
    except (Appeal.DoesNotExist, ValueError):
        raise NotFound("No appeal with this id in your scope.") from None


def grievance_scope(user: User | None) -> QuerySet[Grievance]:
    if not (is_active(user) and user.is_plan_staff and user.role in READING_ROLES):
        return Grievance.objects.none()
    return Grievance.objects.filter(member_condition(user, through="member"))


def grievance_get(user: User | None, grievance_id: uuid.UUID | str) -> Grievance:
    try:
        related = (
            "member__plan",
            "member__county",
            "filed_by__organization",
            "resolved_by__organization",
            "authorization",
            "referral",
        )
        return grievance_scope(user).select_related(*related, "cs_request").get(pk=grievance_id)
    except (Grievance.DoesNotExist, ValueError):
        raise NotFound("No grievance with this id in your scope.") from None


def appealable_notice_get(user: User | None, notice_id: uuid.UUID | str) -> NoticeOfAction:
    """A Notice of Action the caller may see (its authorization in their scope, its member too), else 404."""
    if not is_active(user):
        raise NotFound("No notice of action with this id in your scope.")
    visible = authorization_scope(user).filter(member_condition(user, through="member"))
    try:
        return (
            NoticeOfAction.objects.filter(authorization__in=visible)
            .select_related("member__plan", "authorization__referral")
            .get(pk=notice_id)
        )
    except (NoticeOfAction.DoesNotExist, ValueError):
        raise NotFound("No notice of action with this id in your scope.") from None


def notices_of_action_of(user: User | None, member_id: uuid.UUID) -> QuerySet[NoticeOfAction]:
    """The member's Notices of Action the caller may see, latest first (the member's appeals page lists them)."""
    visible = authorization_scope(user).filter(member_id=member_id)
    return (
        NoticeOfAction.objects.filter(authorization__in=visible).select_related("authorization").order_by("-issued_at")
    )


class Show:
    """Which appeals or grievances a list shows."""

    OPEN = "open"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    ALL = "all"
    CHOICES = (OPEN, OVERDUE, RESOLVED, WITHDRAWN, ALL)


@dataclass(frozen=True)
class ListFilters:
    """A worklist's or the API's filters; `show` is one of `Show.CHOICES`."""

    show: str = Show.OPEN
    expedited: bool | None = None
    member_id: uuid.UUID | None = None


def _listed(rows: QuerySet[M], open_statuses: tuple[str, ...], filters: ListFilters) -> QuerySet[M]:
    """Open ones expedited first then the soonest due; closed ones the latest first."""
    if filters.expedited is not None:
        rows = rows.filter(expedited=filters.expedited)
    if filters.member_id is not None:
        rows = rows.filter(member_id=filters.member_id)
    if filters.show == Show.ALL:
        return rows.order_by("-created_at", "pk")
    if filters.show in (Show.OPEN, Show.OVERDUE):
        rows = (
            rows.filter(overdue_condition(open_statuses))
            if filters.show == Show.OVERDUE
            else rows.filter(status__in=open_statuses)
        )
        return rows.order_by("-expedited", "resolution_due_at", "pk")
    return rows.filter(status=filters.show).order_by("-updated_at", "pk")


def appeals_listed(user: User | None, filters: ListFilters) -> QuerySet[Appeal]:
    rows = appeal_scope(user).select_related("member", "authorization", "notice_of_action", "provider_organization")
    return _listed(rows, OPEN_APPEAL, filters)


def grievances_listed(user: User | None, filters: ListFilters) -> QuerySet[Grievance]:
    return _listed(grievance_scope(user).select_related("member"), OPEN_GRIEVANCE, filters)


def appeal_overdue(appeal: Appeal, now: dt.datetime | None = None) -> bool:
    """Open past its resolution due time."""
    return appeal.status in OPEN_APPEAL and (now or timezone.now()) > appeal.resolution_due_at


def grievance_overdue(grievance: Grievance, now: dt.datetime | None = None) -> bool:
    return grievance.status in OPEN_GRIEVANCE and (now or timezone.now()) > grievance.resolution_due_at


def overdue_condition(open_statuses: tuple[str, ...], now: dt.datetime | None = None) -> Q:
    """Open rows past their resolution due time (appeals or grievances, by their open statuses)."""
    return Q(status__in=open_statuses, resolution_due_at__lt=now or timezone.now())


def appeals_coordinators_of(plan_id: int) -> QuerySet[User]:
    """The plan's active appeals and grievances coordinators: whom a new appeal and a clock running out are told."""
    return User.objects.filter(role=Role.PLAN_APPEALS, organization__plan_id=plan_id, is_active=True).order_by("pk")
