"""Each role's landing page: its worklist, read only through the scoped selectors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from calaim.access.scopes import member_search
from calaim.accounts.models import Role, User
from calaim.community_supports.selectors import cs_request_scope
from calaim.core.paging import WORKLIST_ROWS, page_number, page_of, shown
from calaim.referrals.selectors import referral_scope
from calaim.web.access import staff, verified_required
from calaim.web.views import cs_worklist
from calaim.web.views.care_worklist import care_manager_worklist
from calaim.web.views.exchange_worklist import contact_updates_context
from calaim.web.views.intake_worklist import intake_worklist
from calaim.web.views.roster_facts import worklist_context
from calaim.web.views.supervisor_worklist import supervisor_worklist
from calaim.web.views.um_worklist import um_worklist

SEARCH_PAGE_SIZE = 25


def _member_services(user: User, request: HttpRequest) -> dict[str, Any]:
    return {**_search_context(user, request), **worklist_context(user), **contact_updates_context(user)}


def _care_manager(user: User) -> dict[str, Any]:
    return care_manager_worklist(user)


def _referrer(user: User) -> dict[str, Any]:
    return {
        "referrals": shown(referral_scope(user).select_related("member").order_by("-received_at"), WORKLIST_ROWS),
        "cs_requests": shown(cs_request_scope(user).select_related("member").order_by("-received_at"), WORKLIST_ROWS),
    }


WORKLISTS = {
    Role.PLAN_INTAKE: ("web/worklists/intake.html", intake_worklist),
    Role.PLAN_UM: ("web/worklists/um.html", um_worklist),
    Role.PROVIDER_CARE_MANAGER: ("web/worklists/care_manager.html", _care_manager),
    Role.PROVIDER_SUPERVISOR: ("web/worklists/supervisor.html", supervisor_worklist),
    Role.REFERRER: ("web/worklists/referrer.html", _referrer),
}


@verified_required
def home(request: HttpRequest) -> HttpResponse:
    """Dispatch to the signed-in person's worklist by role."""
    user = staff(request)
    if user.role == Role.MEMBER_SERVICES:
        return render(request, "web/worklists/member_services.html", _member_services(user, request))
    if cs_worklist.is_cs_provider_staff(user):
        return render(request, "web/worklists/cs_provider.html", cs_worklist._cs_provider(user))
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
    return render(request, template, build(user))


def _search_context(user: User, request: HttpRequest) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        # Ordered by the search's own index; counted no further than the page needs (calaim.core.paging).
        results = member_search(user, query, related=("county",))
        page = page_of(results, page_number(request.GET.get("page")), SEARCH_PAGE_SIZE)
    return {"query": query, "page": page}


@verified_required
def member_search_results(request: HttpRequest) -> HttpResponse:
    """Search results; a partial for htmx, the whole search page otherwise."""
    context = _search_context(staff(request), request)
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/search_results.html", context)
    return render(request, "web/worklists/member_services.html", context)
