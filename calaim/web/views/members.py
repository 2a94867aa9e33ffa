"""The member record: one page of sections, each also served alone as an htmx partial, all scoped alike."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from calaim.access.scopes import member_get
from calaim.accounts.models import User
from calaim.authorizations.selectors import authorization_scope
from calaim.careplans.selectors import outreach_scope
from calaim.community_supports.eligibility import what_could_member_get
from calaim.community_supports.selectors import cs_request_scope
from calaim.core.clock import plan_today
from calaim.ecm.selectors import determination_scope, enrollment_scope
from calaim.members.models import Member
from calaim.members.selectors import member_audit_trail
from calaim.referrals.policies import referral_sources_for
from calaim.referrals.selectors import referral_scope
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import OutreachForm
from calaim.web.forms_enrollment import DisenrollForm
from calaim.web.views.care_sections import care_plan_section, care_team_section, tasks_section
from calaim.web.views.exchange_display import provider_reports_section
from calaim.web.views.mailroom_letters import notices_section
from calaim.web.views.roster_facts import member_disenroll_initial, member_facts_context

Section = Callable[[User, Member], dict[str, Any]]


def _identity(user: User, member: Member) -> dict[str, Any]:
    return {
        "spans": member.enrollment_spans.order_by("-start_date"),
        "programs": member.programs.order_by("-start_date"),
    }


def _referrals(user: User, member: Member) -> dict[str, Any]:
    return {
        "referrals": referral_scope(user).filter(member=member).order_by("-received_at"),
        "may_refer": bool(referral_sources_for(user, plan_today())),
    }


def _eligibility(user: User, member: Member) -> dict[str, Any]:
    return {"determinations": determination_scope(user).filter(member=member).order_by("-determined_on")}


def _authorizations(user: User, member: Member) -> dict[str, Any]:
    return {"authorizations": authorization_scope(user).filter(member=member).order_by("-received_at")}


def _ecm(user: User, member: Member) -> dict[str, Any]:
    enrollments = (
        enrollment_scope(user)
        .filter(member=member)
        .select_related("provider", "lead_care_manager")
        .order_by("-assigned_at")
    )
    return {
        "enrollments": enrollments,
        "outreach_form": OutreachForm(initial={"attempted_on": plan_today()}),
        "disenroll_form": DisenrollForm(initial=member_disenroll_initial(user, member)),
    }


def _outreach(user: User, member: Member) -> dict[str, Any]:
    return {
        "attempts": outreach_scope(user).filter(member=member).select_related("performed_by").order_by("-attempted_on")
    }


def _community_supports(user: User, member: Member) -> dict[str, Any]:
    return {
        "cs_requests": cs_request_scope(user).filter(member=member).order_by("-received_at"),
        "could_get": what_could_member_get(member, plan_today()),
        "may_refer": bool(referral_sources_for(user, plan_today())),
    }


def _notices(user: User, member: Member) -> dict[str, Any]:
    return notices_section(user, member)


def _audit(user: User, member: Member) -> dict[str, Any]:
    # The member is already scoped by member_get; the trail itself is plan work.
    if not user.is_plan_staff:
        raise Http404("No such section.")
    return {"events": member_audit_trail(member).reverse()[:200]}


SECTIONS: dict[str, tuple[str, Section]] = {
    "identity": ("Identity and contact", _identity),
    "referrals": ("Referrals", _referrals),
    "eligibility": ("Eligibility determinations", _eligibility),
    "authorizations": ("Authorizations", _authorizations),
    "ecm": ("ECM enrollment", _ecm),
    "provider-reports": ("Reported by the provider (RTF)", provider_reports_section),
    "care-plan": ("Care plan", care_plan_section),
    "care-team": ("Care team", care_team_section),
    "tasks": ("Tasks", tasks_section),
    "outreach": ("Outreach log", _outreach),
    "community-supports": ("Community Supports", _community_supports),
    "notices": ("Notices", _notices),
    "audit": ("Audit trail", _audit),
}


def scoped_member(request: HttpRequest, member_id: uuid.UUID) -> Member:
    return or_404(lambda: member_get(staff(request), member_id))


def section_context(user: User, member: Member, name: str) -> dict[str, Any]:
    title, build = SECTIONS[name]
    return {"member": member, "section": name, "title": title, **build(user, member)}


@verified_required
def member_record(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    user = staff(request)
    member = scoped_member(request, member_id)
    names = [name for name in SECTIONS if name != "audit" or user.is_plan_staff]
    sections = [section_context(user, member, name) for name in names]
    context = {"member": member, "sections": sections, **member_facts_context(user, member)}
    return render(request, "web/member.html", context)


@verified_required
def member_section(request: HttpRequest, member_id: uuid.UUID, section: str) -> HttpResponse:
    """One section of the record alone, for htmx: the member is scoped exactly as on the page."""
    member = scoped_member(request, member_id)
    if section not in SECTIONS:
        raise Http404("No such section.")
    ctx = section_context(staff(request), member, section)
    return render(
        request, "web/partials/section.html", {"ctx": ctx, "member": member, "section": section, "title": ctx["title"]}
    )
