"""The member record: a header that sums the member up (calaim.web.views.member_summary), a table of contents, then
the sections, those of the caller's own work open and the others folded (<details>, no script needed); each section
is also served alone as an htmx partial, scoped exactly as on the page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from calaim.access.scopes import member_get
from calaim.accounts.models import Role, User
from calaim.authorizations.selectors import authorization_scope
from calaim.careplans.selectors import outreach_scope
from calaim.community_supports.eligibility import what_could_member_get
from calaim.community_supports.selectors import cs_request_scope
from calaim.core import labels
from calaim.core.clock import plan_today
from calaim.ecm.selectors import determination_scope, enrollment_scope
from calaim.members.models import Member
from calaim.members.selectors import member_audit_trail
from calaim.plans.models import ExcludedProgram
from calaim.plans.selectors import latest_by_code
from calaim.referrals.policies import referral_sources_for
from calaim.referrals.selectors import referral_scope
from calaim.web.access import or_404, staff, verified_required
from calaim.web.audit_timeline import audit_timeline
from calaim.web.forms import OutreachForm
from calaim.web.forms_enrollment import DisenrollForm
from calaim.web.views.care_sections import care_plan_section, care_team_section, tasks_section
from calaim.web.views.exchange_display import provider_reports_section
from calaim.web.views.ltc_section import ltc_section
from calaim.web.views.mailroom_letters import notices_section
from calaim.web.views.member_summary import RecordRows, member_summary
from calaim.web.views.roster_facts import member_disenroll_initial, member_facts_context

Section = Callable[[User, Member], dict[str, Any]]


def _identity(user: User, member: Member) -> dict[str, Any]:
    programs = list(member.programs.order_by("-start_date"))
    names = {code: p.name for code, p in latest_by_code(ExcludedProgram, plan_today()).items()} if programs else {}
    return {
        "spans": member.enrollment_spans.select_related("plan").order_by("-start_date"),
        "programs": programs,
        "program_names": names,
        "program_rows": [(p, names.get(p.program_code, p.program_code)) for p in programs],
    }


def _referrals(user: User, member: Member) -> dict[str, Any]:
    return {
        "referrals": referral_scope(user).filter(member=member).order_by("-received_at"),
        "may_refer": bool(referral_sources_for(user, plan_today())),
    }


def _eligibility(user: User, member: Member) -> dict[str, Any]:
    return {"determinations": determination_scope(user).filter(member=member).order_by("-determined_on")}


def _authorizations(user: User, member: Member) -> dict[str, Any]:
    authorizations = authorization_scope(user).filter(member=member).select_related("member")
    return {"authorizations": authorizations.order_by("-received_at")}


def _ecm(user: User, member: Member) -> dict[str, Any]:
    enrollments = (
        enrollment_scope(user)
        .filter(member=member)
        .select_related("member", "provider", "lead_care_manager__organization")
        .order_by("-assigned_at")
    )
    return {
        "enrollments": enrollments,
        "outreach_form": OutreachForm(initial={"attempted_on": plan_today()}),
        "disenroll_form": DisenrollForm(initial=member_disenroll_initial(user, member)),
    }


def _outreach(user: User, member: Member) -> dict[str, Any]:
    return {
        "attempts": outreach_scope(user)
        .filter(member=member)
        .select_related("performed_by__organization")
        .order_by("-attempted_on")
    }


def _community_supports(user: User, member: Member) -> dict[str, Any]:
    return {
        "cs_requests": cs_request_scope(user)
        .filter(member=member)
        .select_related("authorization", "provider")
        .order_by("-received_at"),
        "could_get": what_could_member_get(member, plan_today()),
        "may_refer": bool(referral_sources_for(user, plan_today())),
    }


def _notices(user: User, member: Member) -> dict[str, Any]:
    return notices_section(user, member)


AUDIT_EVENTS = 200


def _audit(user: User, member: Member) -> dict[str, Any]:
    # The member is already scoped by member_get; the trail itself is plan work.
    if not user.is_plan_staff:
        raise Http404("No such section.")
    events = member_audit_trail(member).select_related("actor__organization").reverse()[:AUDIT_EVENTS]
    return {"days": audit_timeline(events), "limit": AUDIT_EVENTS}


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
    "ltc": ("Long-term care", ltc_section),
    "notices": ("Notices", _notices),
    "audit": ("Audit trail", _audit),
}


# The sections of each role's daily work, open on the record; the others fold under their one-line gist.
OPEN_FOR: dict[str, frozenset[str]] = {
    Role.PLAN_INTAKE: frozenset({"referrals", "eligibility", "authorizations", "ecm", "community-supports", "ltc"}),
    Role.PLAN_UM: frozenset({"referrals", "eligibility", "authorizations", "community-supports", "ltc"}),
    Role.MEMBER_SERVICES: frozenset({"identity", "ecm", "community-supports", "notices"}),
    Role.PLAN_APPEALS: frozenset({"identity", "authorizations", "notices"}),
    Role.PLAN_COMPLIANCE: frozenset({"identity", "notices", "audit"}),
    Role.PLAN_DATA_ANALYST: frozenset({"identity", "ecm"}),
    Role.PROVIDER_CARE_MANAGER: frozenset({"ecm", "care-plan", "care-team", "tasks", "outreach"}),
    Role.PROVIDER_SUPERVISOR: frozenset({"ecm", "care-plan", "care-team", "tasks", "outreach"}),
}
# What a folded section says of itself: the list it shows, counted ("3 outreach attempts").
COUNTED: dict[str, tuple[str, str, str]] = {
    "referrals": ("referrals", "referral", "referrals"),
    "eligibility": ("determinations", "determination", "determinations"),
    "authorizations": ("authorizations", "authorization request", "authorization requests"),
    "ecm": ("enrollments", "ECM enrollment", "ECM enrollments"),
    "provider-reports": ("reports", "provider report", "provider reports"),
    "care-plan": ("plans", "care plan", "care plans"),
    "care-team": ("care_team", "person on the care team", "people on the care team"),
    "tasks": ("open_tasks", "open task", "open tasks"),
    "outreach": ("attempts", "outreach attempt", "outreach attempts"),
    "community-supports": ("cs_requests", "Community Supports request", "Community Supports requests"),
    "ltc": ("stays", "facility stay", "facility stays"),
    "notices": ("notices", "notice or letter", "notices and letters"),
}


def _counted(count: int, one: str, many: str) -> str:
    return f"No {many}" if count == 0 else f"1 {one}" if count == 1 else f"{count} {many}"


def section_gist(member: Member, name: str, ctx: dict[str, Any]) -> str:
    """The line a section shows above its body (and alone when folded)."""
    if name == "identity":
        phone = labels.phone_display(member.phone) or "no phone on file"
        return f"Prefers {labels.language_name(member.language)} · {phone} · {member.county}"
    if name == "audit":
        return _counted(sum(len(day.entries) for day in ctx["days"]), "recorded change", "recorded changes")
    if name in COUNTED and COUNTED[name][0] in ctx:
        key, one, many = COUNTED[name]
        return _counted(len(ctx[key]), one, many)
    return ""


def scoped_member(request: HttpRequest, member_id: uuid.UUID) -> Member:
    return or_404(lambda: member_get(staff(request), member_id))


def section_context(user: User, member: Member, name: str) -> dict[str, Any]:
    title, build = SECTIONS[name]
    ctx = {"member": member, "section": name, "title": title, **build(user, member)}
    ctx["gist"] = section_gist(member, name, ctx)
    return ctx


@verified_required
def member_record(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    """The record: its header, the table of contents, then every section the caller may read."""
    user = staff(request)
    member = scoped_member(request, member_id)
    names = [name for name in SECTIONS if name != "audit" or user.is_plan_staff]
    sections = [section_context(user, member, name) for name in names]
    work = OPEN_FOR.get(user.role, frozenset())
    for ctx in sections:
        ctx["folded"] = ctx["section"] not in work
    summary = member_summary(user, member, RecordRows.of({ctx["section"]: ctx for ctx in sections}))
    context = {"member": member, "sections": sections, "summary": summary, **member_facts_context(user, member)}
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
