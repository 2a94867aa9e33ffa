"""A Community Supports provider's worklist: its assigned requests awaiting a first delivery, those in service (an
authorization in force on the plan's today), those whose authorization ended and are not yet closed, and its recent
deliveries; each a queue (calaim.web.queues) with filters, sort orders, pages and a CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from calaim.accounts.models import User
from calaim.community_supports.models import CsDelivery, CsRequest, CsRequestStatus
from calaim.community_supports.selectors import (
    cs_authorization_ended,
    cs_deliveries_of,
    cs_in_force,
    cs_request_scope,
    cs_service_names,
    cs_with_authorized_dates,
)
from calaim.core.clock import local_date, plan_today
from calaim.network.models import OrganizationKind
from calaim.web.queues import Column, MemberFilters, Queue, queue_page, queue_register
from calaim.web.views.roster_facts import worklist_context

RECENT_DELIVERY_DAYS = 30


def is_cs_provider_staff(user: User) -> bool:
    """Staff of an organization that provides Community Supports land on the CS provider worklist."""
    return (
        user.is_provider_staff
        and user.organization is not None
        and user.organization.kind == (OrganizationKind.CS_PROVIDER)
    )


class CsFilters(MemberFilters):
    """A member's name or CIN, and the service."""

    service = forms.ChoiceField(label="Service", required=False, choices=())
    lookups = {**MemberFilters.lookups, "service": "service_code"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)
        names = sorted(cs_service_names().items(), key=lambda item: item[1])
        service.choices = [("", "Any service"), *names]


def _assigned(user: User) -> QuerySet[CsRequest]:
    return cs_request_scope(user).filter(provider_id=user.organization_id).select_related("member")


def _serving(user: User) -> QuerySet[CsRequest]:
    return _assigned(user).filter(status=CsRequestStatus.IN_SERVICE)


def _recent(user: User) -> QuerySet[CsDelivery]:
    since = plan_today() - dt.timedelta(days=RECENT_DELIVERY_DAYS)
    recent = cs_deliveries_of(_assigned(user)).filter(start_date__gte=since)
    return recent.select_related("member", "recorded_by__organization")


def _service(row: CsRequest | CsDelivery) -> str:
    return cs_service_names().get(row.service_code) or row.service_code


def _dates(start: dt.date, end: dt.date) -> str:
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


MEMBER_SORT = ("member__last_name", "member__first_name")
MEMBER_CSV: tuple[tuple[str, Any], ...] = (
    ("CIN", lambda r: r.member.cin),
    ("Last name", lambda r: r.member.last_name),
    ("First name", lambda r: r.member.first_name),
)
REQUEST_COLUMNS = (Column("Member", "name"), Column("Service", "service"), Column("Authorized dates", "end"))


def _request_queue(name: str, filename: str, source: Any, default_sort: str, *extra: Column) -> Queue:
    """A queue of the provider's assigned requests, with their authorized dates (the source annotates them)."""
    return queue_register(
        Queue(
            name=name,
            filename=filename,
            source=source,
            allowed=is_cs_provider_staff,
            columns=(*REQUEST_COLUMNS, *extra, Column("Actions", sr_only=True)),
            sorts={
                "name": MEMBER_SORT,
                "service": ("service_code",),
                "end": ("authorized_end",),
                "since": ("status_changed_at",),
            },
            default_sort=default_sort,
            filters=CsFilters,
            csv=(
                *MEMBER_CSV,
                ("Service", _service),
                ("Authorized from", lambda r: r.authorized_start.isoformat()),
                ("Authorized to", lambda r: r.authorized_end.isoformat()),
                ("Status", lambda r: r.get_status_display()),
            ),
        )
    )


AWAITING_FIRST = _request_queue(
    "cs_awaiting_first",
    "cs-awaiting-first-delivery",
    lambda user: cs_with_authorized_dates(_assigned(user).filter(status=CsRequestStatus.AUTHORIZED)),
    "end",
    Column("Since", "since"),
)
# In service means authorized today; one whose authorization ended stays open until closed, so it is listed apart.
IN_SERVICE = _request_queue(
    "cs_in_service", "cs-in-service", lambda user: cs_in_force(_serving(user), plan_today()), "end"
)
ENDED = _request_queue(
    "cs_ended", "cs-authorization-ended", lambda user: cs_authorization_ended(_serving(user), plan_today()), "-end"
)
RECENT_DELIVERIES = queue_register(
    Queue(
        name="cs_deliveries",
        filename="cs-recent-deliveries",
        source=_recent,
        allowed=is_cs_provider_staff,
        columns=(
            Column("From", "from"),
            Column("To"),
            Column("Member", "name"),
            Column("Service", "service"),
            Column("Units"),
            Column("Cost"),
            Column("Recorded by"),
        ),
        sorts={"from": ("start_date", "created_at"), "name": MEMBER_SORT, "service": ("service_code", "start_date")},
        default_sort="-from",
        filters=CsFilters,
        csv=(
            ("From", lambda d: d.start_date.isoformat()),
            ("To", lambda d: d.end_date.isoformat()),
            *MEMBER_CSV,
            ("Service", _service),
            ("Units", lambda d: d.units),
            ("Cost", lambda d: d.cost),
            ("Separate delivery on a day already recorded", lambda d: "yes" if d.confirmed_repeat else ""),
            ("Recorded on", lambda d: local_date(d.created_at).isoformat()),
        ),
    )
)


def _cs_provider(user: User, request: HttpRequest) -> dict[str, Any]:
    return {
        "awaiting_first": queue_page(request, AWAITING_FIRST),
        "in_service": queue_page(request, IN_SERVICE),
        "ended": queue_page(request, ENDED),
        "recent_deliveries": queue_page(request, RECENT_DELIVERIES),
        "recent_days": RECENT_DELIVERY_DAYS,
        "today": plan_today(),
        **worklist_context(user),
    }
