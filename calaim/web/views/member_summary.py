"""The member record's header: where the member stands in ECM and in each Community Support, the clocks running,
the next steps, the Lead Care Manager and what to watch for (roster changes, the mailing address, delegation,
D-SNP, excluding programs).

Built from the rows the record's sections already read through their scoped selectors, so the header shows exactly
what the caller may see below it and costs the page at most three queries of its own (the caller's view of open
appeals, Notices of Action still open to appeal when a decision went against the member, the discontinuation
reasons' labels when ECM ended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from calaim.accounts.models import User
from calaim.appeals.models import OPEN_APPEAL
from calaim.appeals.selectors import appeal_overdue, appeal_scope, notices_of_action_of
from calaim.authorizations.models import UNDECIDED, AuthorizationRequest, AuthorizationStatus
from calaim.authorizations.selectors import authorization_overdue
from calaim.careplans.models import CarePlan, OutreachAttempt, Task
from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest, CsRequestStatus
from calaim.community_supports.selectors import cs_service_names
from calaim.core.clock import local_date, plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment, EnrollmentStatus
from calaim.members.models import Member
from calaim.plans.models import DiscontinuationReason
from calaim.plans.selectors import latest_by_code
from calaim.referrals.models import OPEN_STATUSES, Referral, ReferralStatus
from calaim.roster.models import FactKind
from calaim.web.templatetags.label_tags import person
from calaim.web.templatetags.web_tags import time_remaining
from calaim.web.views.roster_facts import member_fact_views

DATE = "%m/%d/%Y"
# Decisions that owe the member a Notice of Action, and so an appeal window.
AGAINST_MEMBER = (AuthorizationStatus.DENIED, AuthorizationStatus.APPROVED_MODIFIED)


def _day(value: dt.date | dt.datetime) -> str:
    return (local_date(value) if isinstance(value, dt.datetime) else value).strftime(DATE)


def _moment(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%m/%d/%Y %I:%M %p")


@dataclass(frozen=True)
class Line:
    """One sentence of the header, where to read more (a section of the record: "#ecm"), and whether it is late."""

    text: str
    href: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class Clock:
    """A deadline running on the member's work: what is due, by when, and the time left (or how late)."""

    what: str
    due: str
    remaining: str
    overdue: bool
    href: str


@dataclass
class MemberSummary:
    ecm: Line
    community_supports: list[Line] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    next_steps: list[Line] = field(default_factory=list)
    lead_care_manager: str = ""
    alerts: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class RecordRows:
    """What the record's sections read, in the sections' order (the latest first)."""

    referrals: list[Referral]
    authorizations: list[AuthorizationRequest]
    enrollments: list[Enrollment]
    cs_requests: list[CsRequest]
    attempts: list[OutreachAttempt]
    care_plans: list[CarePlan]
    open_tasks: list[Task]
    spans: list[Any]
    programs: list[Any]
    program_names: dict[str, str]
    address_flags: list[Any]

    @classmethod
    def of(cls, sections: Mapping[str, Mapping[str, Any]]) -> RecordRows:
        """The rows out of the record's section contexts (their querysets are evaluated once, here)."""
        return cls(
            referrals=list(sections["referrals"]["referrals"]),
            authorizations=list(sections["authorizations"]["authorizations"]),
            enrollments=list(sections["ecm"]["enrollments"]),
            cs_requests=list(sections["community-supports"]["cs_requests"]),
            attempts=list(sections["outreach"]["attempts"]),
            care_plans=[card.plan for card in sections["care-plan"]["plans"]],
            open_tasks=[row.task for row in sections["tasks"]["open_tasks"]],
            spans=list(sections["identity"]["spans"]),
            programs=list(sections["identity"]["programs"]),
            program_names=sections["identity"]["program_names"],
            address_flags=list(sections["notices"]["address_flags"]),
        )


def member_summary(user: User, member: Member, rows: RecordRows) -> MemberSummary:
    """The header of the member's record as the caller may see it."""
    active = next((e for e in rows.enrollments if e.status in ACTIVE_ENROLLMENT_STATUSES), None)
    services = cs_service_names()
    return MemberSummary(
        ecm=_ecm_status(rows, active),
        community_supports=[_cs_line(r, services) for r in rows.cs_requests if r.status in CS_OPEN_STATUSES],
        clocks=_clocks(user, member, rows, services),
        next_steps=_next_steps(rows, active, services),
        lead_care_manager=_lead_care_manager(active),
        alerts=_alerts(user, member, rows),
    )


# ---- ECM and Community Supports ---------------------------------------------------------------------------------


def _ecm_status(rows: RecordRows, active: Enrollment | None) -> Line:
    if active is not None and active.status == EnrollmentStatus.ENROLLED and active.enrolled_on:
        return Line(f"Enrolled since {_day(active.enrolled_on)} with {active.provider.name}", "#ecm")
    if active is not None:
        return Line(f"Assigned to {active.provider.name} on {_day(active.assigned_at)}; outreach under way", "#ecm")
    referral = next((r for r in rows.referrals if r.program == "ecm"), None)
    if referral is not None and referral.status in OPEN_STATUSES:
        return Line(_open_referral(referral), "#referrals")
    ended = next((e for e in rows.enrollments if e.ended_on is not None), None)
    # A referral received after the last enrollment began is newer news than its end.
    if (
        ended is not None
        and ended.ended_on is not None
        and (referral is None or referral.received_at <= ended.assigned_at)
    ):
        reason = _reason_labels().get(ended.discontinuation_reason, "no reason recorded")
        return Line(f"Ended on {_day(ended.ended_on)} with {ended.provider.name}: {reason}", "#ecm")
    if referral is not None:
        return Line(f"{referral.get_status_display()} on {_day(referral.status_changed_at)}", "#referrals")
    return Line("Not referred for ECM", "#referrals")


def _open_referral(referral: Referral) -> str:
    referred = _day(referral.received_at)
    if referral.status == ReferralStatus.PENDING_AUTHORIZATION:
        return f"Referred on {referred}; eligible, authorization pending"
    if referral.status == ReferralStatus.AUTHORIZED:
        return f"Authorized on {_day(referral.status_changed_at)}; waiting for an ECM provider"
    if referral.status == ReferralStatus.RECEIVED:
        return f"Referred on {referred}; eligibility not yet determined"
    return f"{referral.get_status_display()} (referred on {referred})"


def _reason_labels() -> dict[str, str]:
    return {code: reason.label for code, reason in latest_by_code(DiscontinuationReason, plan_today()).items()}


def _cs_dates(request: CsRequest) -> str:
    authorization = request.authorization
    if authorization is not None and authorization.period_start and authorization.period_end:
        return f"authorized {_day(authorization.period_start)} to {_day(authorization.period_end)}"
    return f"requested {_day(request.requested_start)} to {_day(request.requested_end)}"


def _cs_line(request: CsRequest, services: dict[str, str]) -> Line:
    service = services.get(request.service_code, request.service_code)
    provider = f" with {request.provider.name}" if request.provider is not None else ""
    return Line(f"{service}: {request.get_status_display()}{provider}, {_cs_dates(request)}", "#community-supports")


# ---- Clocks and next steps --------------------------------------------------------------------------------------


def _authorization_subject(authorization: AuthorizationRequest, rows: RecordRows, services: dict[str, str]) -> str:
    if authorization.program == "cs":
        request = next((r for r in rows.cs_requests if r.authorization_id == authorization.pk), None)
        service = services.get(request.service_code, request.service_code) if request else "Community Supports"
        return f"{service} authorization"
    return f"ECM {authorization.get_kind_display().lower()} authorization"


def _clocks(user: User, member: Member, rows: RecordRows, services: dict[str, str]) -> list[Clock]:
    clocks = [
        Clock(
            what=f"{_authorization_subject(a, rows, services)}: UM decision" + (" (extended)" if a.extended_at else ""),
            due=_moment(a.due_at),
            remaining=time_remaining(a.due_at),
            overdue=authorization_overdue(a),
            href="#authorizations",
        )
        for a in rows.authorizations
        if a.status in UNDECIDED
    ]
    clocks += _appeal_clocks(user, member)
    if any(a.status in AGAINST_MEMBER for a in rows.authorizations):
        clocks += _appeal_windows(user, member)
    return clocks


def _appeal_clocks(user: User, member: Member) -> list[Clock]:
    appeals = appeal_scope(user).filter(member=member, status__in=OPEN_APPEAL).order_by("resolution_due_at")
    return [
        Clock(
            what=f"Appeal {appeal.reference}: resolution" + (" (expedited)" if appeal.expedited else ""),
            due=_moment(appeal.resolution_due_at),
            remaining=time_remaining(appeal.resolution_due_at),
            overdue=appeal_overdue(appeal),
            href=reverse("web:member_appeals", args=[member.pk]) if user.is_plan_staff else "",
        )
        for appeal in appeals
    ]


def _appeal_windows(user: User, member: Member) -> list[Clock]:
    """Notices of Action the member may still appeal and has not: the last day to ask."""
    today = plan_today()
    notices = notices_of_action_of(user, member.pk).filter(appeal_deadline__gte=today, appeals__isnull=True)
    return [
        Clock(
            what=f"Appeal window for the decision of {_day(notice.issued_at)}",
            due=_day(notice.appeal_deadline),
            remaining=_days_left(notice.appeal_deadline, today),
            overdue=False,
            href="#authorizations",
        )
        for notice in notices
    ]


def _days_left(day: dt.date, today: dt.date) -> str:
    days = (day - today).days
    return "last day today" if days == 0 else f"{days} d left" if days > 0 else f"closed {-days} d ago"


def _next_steps(rows: RecordRows, active: Enrollment | None, services: dict[str, str]) -> list[Line]:
    steps = [step for step in (_ecm_step(rows, active),) if step is not None]
    steps += [step for r in rows.cs_requests if (step := _cs_step(r, rows, services)) is not None]
    task = min(rows.open_tasks, key=lambda t: t.due_date, default=None)
    if task is not None:
        late = task.due_date < plan_today()
        steps.append(Line(f"Task: {task.get_kind_display()} due {_day(task.due_date)}", "#tasks", late))
    return steps


def _ecm_step(rows: RecordRows, active: Enrollment | None) -> Line | None:
    if active is None:
        return _referral_step(rows)
    if active.status == EnrollmentStatus.ASSIGNED:
        return _outreach_step(active, rows.attempts)
    if active.lead_care_manager_id is None:
        return Line("Name a Lead Care Manager", "#ecm")
    plan = next((p for p in rows.care_plans if p.enrollment_id == active.pk), None)
    if plan is None:
        return Line("Create a care plan", "#care-plan")
    late = plan.next_review_on < plan_today()
    return Line(
        f"Care plan review {'overdue since' if late else 'due'} {_day(plan.next_review_on)}", "#care-plan", late
    )


def _referral_step(rows: RecordRows) -> Line | None:
    referral = next((r for r in rows.referrals if r.program == "ecm" and r.status in OPEN_STATUSES), None)
    if referral is None:
        return None
    if referral.status == ReferralStatus.RECEIVED:
        return Line("Determine ECM eligibility", "#eligibility")
    if referral.status == ReferralStatus.AUTHORIZED:
        return Line("Assign an ECM provider", "#ecm")
    pending = [a for a in rows.authorizations if a.program == "ecm" and a.status in UNDECIDED]
    if referral.status == ReferralStatus.PENDING_AUTHORIZATION and pending:
        return _decision_step(pending[0])
    return None


def _decision_step(authorization: AuthorizationRequest) -> Line:
    late = authorization_overdue(authorization)
    when = "overdue since" if late else "due"
    return Line(f"UM decision {when} {_moment(authorization.due_at)}", "#authorizations", late)


def _outreach_step(enrollment: Enrollment, attempts: list[OutreachAttempt]) -> Line:
    own = [a for a in attempts if a.enrollment_id == enrollment.pk]
    if any(a.reached for a in own):
        return Line("Enroll the member: reached by outreach", "#ecm")
    if not own:
        return Line(f"Outreach: no attempt yet (assigned {_day(enrollment.assigned_at)})", "#outreach")
    latest = max(a.attempted_on for a in own)
    noun = "attempt" if len(own) == 1 else "attempts"
    return Line(f"Outreach: {len(own)} {noun}, last on {_day(latest)}; not reached yet", "#outreach")


def _cs_step(request: CsRequest, rows: RecordRows, services: dict[str, str]) -> Line | None:
    service = services.get(request.service_code, request.service_code)
    if request.status == CsRequestStatus.PENDING_AUTHORIZATION:
        pending = next((a for a in rows.authorizations if a.pk == request.authorization_id), None)
        if pending is not None and pending.status in UNDECIDED:
            step = _decision_step(pending)
            return Line(f"{service}: {step.text}", step.href, step.overdue)
    if request.status == CsRequestStatus.AUTHORIZED and request.provider is None:
        return Line(f"{service}: assign a Community Supports provider", "#community-supports")
    if request.status == CsRequestStatus.RECEIVED:
        return Line(f"{service}: review the request", "#community-supports")
    return None


def _lead_care_manager(active: Enrollment | None) -> str:
    if active is None:
        return "None: no ECM provider assigned"
    if active.lead_care_manager is None:
        return f"Not named yet ({active.provider.name})"
    return person(active.lead_care_manager)


# ---- Alerts -----------------------------------------------------------------------------------------------------


def _alerts(user: User, member: Member, rows: RecordRows) -> list[Line]:
    views = member_fact_views(user, member)
    kinds = {view.fact.kind for view in views}
    # One line per change, however many pieces of work it bears on (the card below lists each with its action).
    sentences = dict.fromkeys(_sentence(view.sentence) for view in views)
    alerts = [Line(f"{sentence} (roster)", "#roster-alert-h") for sentence in sentences]
    alerts += [Line(f"Mailing address to check: {flag.reason}", "#address-alert-h") for flag in rows.address_flags]
    alerts += _member_alerts(member, rows, kinds)
    return alerts


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _member_alerts(member: Member, rows: RecordRows, fact_kinds: set[str]) -> list[Line]:
    today = plan_today()
    alerts: list[Line] = []
    if not (fact_kinds & {FactKind.TERMED, FactKind.MOVED}) and not any(
        s.end_date is None or s.end_date >= today for s in rows.spans
    ):
        ended = max((s.end_date for s in rows.spans), default=None)
        alerts.append(
            Line(f"Not in the plan since {_day(ended)}" if ended else "No plan enrollment on file", "#identity")
        )
    if member.delegated_to_id and FactKind.DELEGATED not in fact_kinds:
        alerts.append(Line(f"Delegated to {member.delegated_to}", "#identity"))
    if member.dsnp and FactKind.DSNP not in fact_kinds:
        alerts.append(Line("Enrolled in a D-SNP (Medicare and Medi-Cal)", "#identity"))
    current = [p for p in rows.programs if p.start_date <= today and (p.end_date is None or p.end_date >= today)]
    if current and FactKind.PROGRAM not in fact_kinds:
        for program in current:
            name = rows.program_names.get(program.program_code, program.program_code)
            name = name.lower() if name.isalpha() and not name.isupper() else name  # "In hospice", but "In PACE"
            alerts.append(Line(f"In {name} since {_day(program.start_date)}", "#identity"))
    return alerts
