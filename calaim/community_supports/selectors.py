"""The one way to read Community Supports requests: scoped to the caller."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from calaim.access.scopes import is_active, member_condition
from calaim.accounts.models import Role, User
from calaim.community_supports.models import CsDelivery, CsRequest, CsService
from calaim.core.errors import NotFound
from calaim.plans.refcache import reference_cached
from calaim.referrals.models import LoopEvent


def cs_request_scope(user: User | None) -> QuerySet[CsRequest]:
    """Plan staff: their plan's requests. Provider staff: requests assigned to or made by their organization, and
    those of members in its ECM caseload. Referrers: the requests they submitted."""
    if not is_active(user):
        return CsRequest.objects.none()
    if user.role == Role.REFERRER:
        return CsRequest.objects.filter(submitted_by=user)
    condition = member_condition(user, through="member")
    if user.is_provider_staff:
        condition |= Q(provider_id=user.organization_id) | Q(referrer_organization_id=user.organization_id)
    return CsRequest.objects.filter(condition)


def cs_request_get(user: User | None, request_id: uuid.UUID | str) -> CsRequest:
    try:
        return cs_request_scope(user).select_related("member__plan", "member__county", "provider").get(pk=request_id)
    except (CsRequest.DoesNotExist, ValueError):
        raise NotFound("No Community Supports request with this id in your scope.") from None


def cs_loop_history(request: CsRequest) -> QuerySet[LoopEvent]:
    """The request's closed loop, oldest step first (the request itself was read through a scope)."""
    return request.loop_events.order_by("at", "id")


def cs_with_authorized_dates(requests: QuerySet[CsRequest]) -> QuerySet[CsRequest]:
    """The requests with the dates they are authorized for: the authorization's period (UM may modify it), else the
    dates asked for."""
    return requests.annotate(
        authorized_start=Coalesce("authorization__period_start", "requested_start"),
        authorized_end=Coalesce("authorization__period_end", "requested_end"),
    )


def cs_in_force(requests: QuerySet[CsRequest], day: dt.date) -> QuerySet[CsRequest]:
    """Of the given requests, those authorized for a period that holds `day`."""
    return cs_with_authorized_dates(requests).filter(Q(authorized_start__lte=day), Q(authorized_end__gte=day))


def cs_authorization_ended(requests: QuerySet[CsRequest], day: dt.date) -> QuerySet[CsRequest]:
    """Of the given requests, those whose authorized period ended before `day`."""
    return cs_with_authorized_dates(requests).filter(Q(authorized_end__lt=day))


def cs_deliveries_of(requests: QuerySet[CsRequest]) -> QuerySet[CsDelivery]:
    """Deliveries recorded on the given (already scoped) requests."""
    return CsDelivery.objects.filter(request__in=requests)


@reference_cached
def cs_service_names() -> dict[str, str]:
    """Each service code's name in its latest catalog version, so a retired service still shows its name."""
    return dict(CsService.objects.order_by("code", "effective_from").values_list("code", "name"))
