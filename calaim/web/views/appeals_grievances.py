"""Grievance pages (record one for a member, its page, its resolution) and the member's appeals page: the member's
Notices of Action with a way to appeal each, their appeals and their grievances. Reads go through the scoped
selectors; each action is one `Action` calling one service."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from calaim.access.scopes import member_get
from calaim.accounts.models import User
from calaim.appeals.grievances import grievance_file, grievance_resolve
from calaim.appeals.models import Grievance
from calaim.appeals.policies import can_file_appeal, can_file_grievance, can_resolve_grievance
from calaim.appeals.rules import rules_on, rules_version
from calaim.appeals.selectors import (
    ListFilters,
    Show,
    appeals_listed,
    grievance_get,
    grievances_listed,
    notices_of_action_of,
)
from calaim.authorizations.selectors import authorization_scope
from calaim.community_supports.selectors import cs_request_scope
from calaim.core.clock import local_date, plan_today
from calaim.members.models import Member
from calaim.notices.selectors import notice_scope
from calaim.referrals.selectors import referral_scope
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_appeals import GrievanceCreateForm, GrievanceResolveForm
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.appeals import determination_label


def _member(request: HttpRequest, member_id: uuid.UUID | str) -> Member:
    return or_404(lambda: member_get(staff(request), member_id))


def _related_choices(user: User, member: Member) -> list[tuple[str, str]]:
    """The member's authorizations, referrals and Community Supports requests the caller may see, to name one."""
    choices = [
        (f"authorization:{a.pk}", f"{a.program.upper()} authorization received {local_date(a.received_at)}")
        for a in authorization_scope(user).filter(member=member).order_by("-received_at")[:20]
    ]
    choices += [
        (f"referral:{r.pk}", f"ECM referral received {local_date(r.received_at)} ({r.get_status_display()})")
        for r in referral_scope(user).filter(member=member).order_by("-received_at")[:20]
    ]
    choices += [
        (f"cs_request:{c.pk}", f"Community Supports request {c.service_code} ({c.get_status_display()})")
        for c in cs_request_scope(user).filter(member=member).order_by("-received_at")[:20]
    ]
    return choices


@verified_required
def grievance_create(request: HttpRequest) -> HttpResponse:
    """Record a grievance for the member named by ?member=<id>."""
    user = staff(request)
    member = _member(request, request.GET.get("member", ""))
    rules = rules_on(plan_today()).grievance
    form = GrievanceCreateForm(posted(request), categories=rules.categories, related=_related_choices(user, member))
    return act(
        request,
        Action(
            form=form,
            call=lambda _: grievance_file(actor=user, member=member, data=form.grievance_input()),
            title=f"Grievance for {member.first_name} {member.last_name}",
            submit="Record the grievance",
            done=lambda g: f"Grievance {g.reference} recorded; the acknowledgment letter is queued.",
            next_url=lambda g: reverse("web:grievance", args=[g.pk]),
            context={"member": member, "verdict": can_file_grievance(user, member)},
            template="web/appeals/grievance_form.html",
        ),
    )


def _grievance(request: HttpRequest, grievance_id: uuid.UUID) -> Grievance:
    return or_404(lambda: grievance_get(staff(request), grievance_id))


def _grievance_context(grievance: Grievance) -> dict[str, Any]:
    rules = rules_version(grievance.rules_version).grievance
    return {"grievance": grievance, "member": grievance.member, "category": rules.category_label(grievance.category)}


@require_GET
@verified_required
def grievance_detail(request: HttpRequest, grievance_id: uuid.UUID) -> HttpResponse:
    user = staff(request)
    grievance = _grievance(request, grievance_id)
    letters = notice_scope(user).filter(member=grievance.member_id, content__grievance_id=str(grievance.pk))
    context = {
        **_grievance_context(grievance),
        "letters": letters.order_by("created_at"),
        "can_resolve": can_resolve_grievance(user, grievance),
        "resolve_form": GrievanceResolveForm(),
    }
    return render(request, "web/appeals/grievance.html", context)


@verified_required
def grievance_resolve_view(request: HttpRequest, grievance_id: uuid.UUID) -> HttpResponse:
    """Resolve the grievance; the member is sent the resolution."""
    user = staff(request)
    grievance = _grievance(request, grievance_id)
    return act(
        request,
        Action(
            form=GrievanceResolveForm(posted(request)),
            call=lambda d: grievance_resolve(actor=user, grievance=grievance, resolution=d["resolution"]),
            title=f"Resolve grievance {grievance.reference}",
            submit="Resolve",
            done="Grievance resolved; the resolution letter is queued.",
            next_url=reverse("web:grievance", args=[grievance.pk]),
            context=_grievance_context(grievance),
            template="web/appeals/action.html",
        ),
    )


@require_GET
@verified_required
def member_appeals(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    """The member's Notices of Action (each with its appeal, or a way to file one), appeals and grievances."""
    user = staff(request)
    member = _member(request, member_id)
    everything = ListFilters(show=Show.ALL, member_id=member.pk)
    notices = [
        {"notice": n, "can_appeal": can_file_appeal(user, n), "determination": determination_label(n.determination)}
        for n in notices_of_action_of(user, member.pk)[:50]
    ]
    context = {
        "member": member,
        "notices": notices,
        "appeals": list(appeals_listed(user, everything)),
        "grievances": list(grievances_listed(user, everything)),
        "can_file_grievance": can_file_grievance(user, member),
    }
    return render(request, "web/appeals/member.html", context)
