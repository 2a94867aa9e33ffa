"""Each role's landing page: its worklist, read only through the scoped selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from calaim.access.scopes import member_search
from calaim.accounts.models import Role, User
from calaim.authorizations.models import UNDECIDED, AuthorizationStatus
from calaim.authorizations.selectors import authorization_scope
from calaim.community_supports.selectors import cs_request_scope
from calaim.core.paging import WORKLIST_ROWS, page_number, page_of, shown
from calaim.ecm.selectors import enrollment_scope
from calaim.network.selectors import ecm_contracts_of
from calaim.referrals.models import ReferralForm, ReferralStatus
from calaim.referrals.selectors import referral_scope
from calaim.web.access import staff, verified_required
from calaim.web.views import cs_worklist
from calaim.web.views.care_worklist import care_manager_worklist
from calaim.web.views.exchange_worklist import contact_updates_context
from calaim.web.views.roster_facts import worklist_context

SEARCH_PAGE_SIZE = 25


def _intake(user: User) -> dict[str, Any]:
    referrals = referral_scope(user).filter(program="ecm").select_related("member")
    received = referrals.filter(status=ReferralStatus.RECEIVED)
    # Missing information: the UM pended the request for it, or the referral lacks what eligibility rests on.
    pended = (
        authorization_scope(user)
        .filter(program="ecm", status=AuthorizationStatus.PENDED)
        .select_related("member", "referral")
        .order_by("due_at")
    )
    incomplete = received.filter(
        Q(member_aware=False) | (Q(pof_attestations=[]) & ~Q(form=ReferralForm.PLAN_IDENTIFICATION))
    )
    pended_rows = shown(pended, WORKLIST_ROWS)
    incomplete_rows = shown(incomplete.order_by("received_at"), WORKLIST_ROWS)
    return {
        "new_referrals": shown(received.order_by("-received_at"), WORKLIST_ROWS),
        "linked_referrals": shown(
            referrals.filter(status=ReferralStatus.LINKED).select_related("linked_to").order_by("-received_at"),
            WORKLIST_ROWS,
        ),
        "pended": pended_rows,
        "incomplete": incomplete_rows,
        "missing_count": f"{pended_rows.total + incomplete_rows.total:,}"
        + ("" if pended_rows.exact and incomplete_rows.exact else "+"),
        **worklist_context(user),
    }


def _um(user: User) -> dict[str, Any]:
    queue = authorization_scope(user).filter(status__in=UNDECIDED).select_related("member").order_by("due_at")
    return {"queue": shown(queue, WORKLIST_ROWS)}


def _member_services(user: User, request: HttpRequest) -> dict[str, Any]:
    return {**_search_context(user, request), **worklist_context(user), **contact_updates_context(user)}


def _care_manager(user: User) -> dict[str, Any]:
    return care_manager_worklist(user)


def _supervisor(user: User) -> dict[str, Any]:
    enrollments = enrollment_scope(user).select_related("member", "lead_care_manager")
    by_manager = (
        enrollments.values(
            "lead_care_manager__username", "lead_care_manager__first_name", "lead_care_manager__last_name"
        )
        .annotate(members=Count("id"))
        .order_by("lead_care_manager__username")
    )
    by_plan = dict(enrollments.values_list("member__plan__code").annotate(n=Count("id")))
    assert user.organization_id is not None  # provider staff always belong to an organization
    contracts = ecm_contracts_of(user.organization_id)
    capacity = []
    for contract in contracts:
        serving = by_plan.get(contract.plan.code, 0)
        capacity.append({"contract": contract, "serving": serving, "free": max(contract.capacity - serving, 0)})
    return {
        "by_manager": by_manager,
        "capacity": capacity,
        "caseload": shown(enrollments.order_by("member__last_name", "member__first_name", "pk"), WORKLIST_ROWS),
        **worklist_context(user),
    }


def _referrer(user: User) -> dict[str, Any]:
    return {
        "referrals": shown(referral_scope(user).select_related("member").order_by("-received_at"), WORKLIST_ROWS),
        "cs_requests": shown(cs_request_scope(user).select_related("member").order_by("-received_at"), WORKLIST_ROWS),
    }


WORKLISTS = {
    Role.PLAN_INTAKE: ("web/worklists/intake.html", _intake),
    Role.PLAN_UM: ("web/worklists/um.html", _um),
    Role.PROVIDER_CARE_MANAGER: ("web/worklists/care_manager.html", _care_manager),
    Role.PROVIDER_SUPERVISOR: ("web/worklists/supervisor.html", _supervisor),
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
