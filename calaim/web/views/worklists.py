"""Each role's landing page: its worklist, read only through the scoped selectors; and member search."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from calaim.access.scopes import member_search
from calaim.accounts.models import Role, User
from calaim.community_supports.models import CsRequestStatus
from calaim.community_supports.selectors import cs_request_scope, cs_service_names
from calaim.core.paging import page_number, page_of
from calaim.exchange.selectors import contact_updates_pending
from calaim.referrals.models import ReferralStatus
from calaim.referrals.selectors import referral_scope
from calaim.web.access import staff, verified_required
from calaim.web.queues import Column, MemberFilters, Queue, may_search_members, queue_page, queue_register
from calaim.web.views import cs_worklist
from calaim.web.views.care_worklist import MEMBER_CSV, NAME_ORDER, care_manager_worklist
from calaim.web.views.intake_worklist import intake_worklist
from calaim.web.views.roster_facts import worklist_context
from calaim.web.views.supervisor_worklist import supervisor_worklist
from calaim.web.views.um_worklist import um_worklist

SEARCH_PAGE_SIZE = 25
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _role(role: Role) -> Callable[[User], bool]:
    return lambda user: user.role == role


def _day(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else (value.isoformat() if value else "")


class SentFilters(MemberFilters):
    """A referrer's list: the member, the status, and the days it was sent (the plan's dates)."""

    sent_from = forms.DateField(label="Sent on or after", required=False, widget=DATE_INPUT)
    sent_to = forms.DateField(label="Sent on or before", required=False, widget=DATE_INPUT)
    lookups = {
        **MemberFilters.lookups,
        "status": "status",
        "sent_from": "received_at__date__gte",  # the plan's date: TIME_ZONE is the plan's
        "sent_to": "received_at__date__lte",
    }


class ReferralFilters(SentFilters):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ReferralStatus.choices])


class CsRequestFilters(SentFilters):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *CsRequestStatus.choices])
    service = forms.ChoiceField(label="Service", required=False)
    lookups = {**SentFilters.lookups, "service": "service_code"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sorted(cs_service_names().items(), key=lambda item: item[1])
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)
        service.choices = [("", "Any service"), *names]


SENT_SORTS = {"sent": ("received_at",), "name": NAME_ORDER, "status": ("status", "received_at")}
REFERRALS = queue_register(
    Queue(
        name="my_referrals",
        filename="my-ecm-referrals",
        source=lambda user: referral_scope(user).select_related("member"),
        allowed=_role(Role.REFERRER),
        columns=(
            Column("Sent", "sent"),
            Column("Member", "name"),
            Column("Status", "status"),
            Column("DHCS referral status"),
            Column("Since", "since"),
            Column("Reason"),
            Column("Details", sr_only=True),
        ),
        sorts={**SENT_SORTS, "since": ("status_changed_at",)},
        default_sort="-sent",
        filters=ReferralFilters,
        csv=(
            ("Sent", lambda r: _day(r.received_at)),
            *MEMBER_CSV,
            ("Status", lambda r: r.get_status_display()),
            ("DHCS referral status", lambda r: r.loop_status),
            ("Since", lambda r: _day(r.status_changed_at)),
            ("Reason", lambda r: r.closure_reason),
        ),
    )
)
CS_REQUESTS = queue_register(
    Queue(
        name="my_cs_requests",
        filename="my-community-supports-requests",
        source=lambda user: cs_request_scope(user).select_related("member"),
        allowed=_role(Role.REFERRER),
        columns=(
            Column("Sent", "sent"),
            Column("Member", "name"),
            Column("Service", "service"),
            Column("Status", "status"),
            Column("DHCS referral status"),
            Column("Details", sr_only=True),
        ),
        sorts={**SENT_SORTS, "service": ("service_code", "received_at")},
        default_sort="-sent",
        filters=CsRequestFilters,
        csv=(
            ("Sent", lambda c: _day(c.received_at)),
            *MEMBER_CSV,
            ("Service", lambda c: cs_service_names().get(c.service_code) or c.service_code),
            ("Status", lambda c: c.get_status_display()),
            ("DHCS referral status", lambda c: c.loop_status),
        ),
    )
)


class ContactUpdateFilters(MemberFilters):
    change = forms.ChoiceField(
        label="What changed",
        required=False,
        choices=[("", "Address or phone"), ("address", "Address"), ("phone", "Phone")],
    )
    lookups = {**MemberFilters.lookups, "change": lambda items, change: items.filter(**{f"new_{change}": True})}


CONTACT_UPDATES = queue_register(
    Queue(
        name="contact_updates",
        filename="contact-updates",
        source=contact_updates_pending,
        allowed=_role(Role.MEMBER_SERVICES),
        columns=(
            Column("Member", "name"),
            Column("CIN"),
            Column("Reported", "reported"),
            Column("By", "provider"),
            Column("New details"),
            Column("On the roster"),
            Column("Actions", sr_only=True),
        ),
        sorts={"reported": ("reported_on", "created_at"), "name": NAME_ORDER, "provider": ("provider__name",)},
        default_sort="reported",
        filters=ContactUpdateFilters,
        csv=(
            *MEMBER_CSV,
            ("Reported", lambda u: _day(u.reported_on)),
            ("By", lambda u: u.provider.name),
            (
                "New address",
                lambda u: ", ".join(filter(None, [u.address, u.city, u.zip_code])) if u.new_address else "",
            ),
            ("Experiencing homelessness", lambda u: "yes" if u.new_address and u.homeless else ""),
            ("New phone", lambda u: u.phone if u.new_phone else ""),
        ),
    )
)


def _member_services(user: User, request: HttpRequest) -> dict[str, Any]:
    return {
        **_search_context(user, request),
        **worklist_context(user),
        "contact_updates": queue_page(request, CONTACT_UPDATES),
    }


def _referrer(user: User, request: HttpRequest) -> dict[str, Any]:
    return {"referrals": queue_page(request, REFERRALS), "cs_requests": queue_page(request, CS_REQUESTS)}


WORKLISTS: dict[Role, tuple[str, Callable[..., dict[str, Any]]]] = {
    Role.PLAN_INTAKE: ("web/worklists/intake.html", intake_worklist),
    Role.PLAN_UM: ("web/worklists/um.html", um_worklist),
    Role.PROVIDER_CARE_MANAGER: ("web/worklists/care_manager.html", care_manager_worklist),
    Role.PROVIDER_SUPERVISOR: ("web/worklists/supervisor.html", supervisor_worklist),
    Role.REFERRER: ("web/worklists/referrer.html", _referrer),
}


def _build(build: Callable[..., dict[str, Any]], user: User, request: HttpRequest) -> dict[str, Any]:
    # A worklist with queues reads its filters, sort and page from the request (calaim.web.queues); the others
    # take the user alone, so each can move to queues on its own.
    return build(user, request) if "request" in inspect.signature(build).parameters else build(user)


@verified_required
def home(request: HttpRequest) -> HttpResponse:
    """Dispatch to the signed-in person's worklist by role."""
    user = staff(request)
    if user.role == Role.MEMBER_SERVICES:
        return render(request, "web/worklists/member_services.html", _member_services(user, request))
    if cs_worklist.is_cs_provider_staff(user):
        return render(request, "web/worklists/cs_provider.html", _build(cs_worklist._cs_provider, user, request))
    if user.role == Role.PLAN_COMPLIANCE:
        # Compliance staff work in the PHI read log of their plan's members.
        return redirect("web:phi_log")
    if user.role == Role.PLAN_DATA_ANALYST:
        # Plan data analysts work in the plan's roster loads.
        return redirect("web:roster_loads")
    if user.role == Role.PLAN_APPEALS:
        # The appeals coordinator works in the open appeals and grievances.
        return redirect("web:appeals")
    if user.role not in WORKLISTS:
        return render(request, "web/worklists/none.html")
    template, build = WORKLISTS[Role(user.role)]
    return render(request, template, _build(build, user, request))


def _search_context(user: User, request: HttpRequest) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        # Ordered by the search's own index; counted no further than the page needs (calaim.core.paging).
        results: QuerySet[Any] | Any = member_search(user, query, related=("county",))
        page = page_of(results, page_number(request.GET.get("page")), SEARCH_PAGE_SIZE)
    return {"query": query, "page": page}


@verified_required
def member_search_results(request: HttpRequest) -> HttpResponse:
    """Search results; a partial for htmx, member services' page or the search page otherwise."""
    user = staff(request)
    if not may_search_members(user):
        raise Http404("Member search is for plan staff and ECM providers.")
    context = _search_context(user, request)
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/search_results.html", context)
    if user.role == Role.MEMBER_SERVICES:
        return render(request, "web/worklists/member_services.html", context)
    return render(request, "web/queues/search.html", context)
