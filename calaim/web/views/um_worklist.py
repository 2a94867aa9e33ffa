"""The UM reviewer's authorization queue: filtered by program, kind, urgency, status, lateness and extension;
sorted by due time, receipt or member; paged; exported as CSV (calaim.web.queues)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from calaim.accounts.models import Role, User
from calaim.authorizations.models import APPROVED, UNDECIDED, AuthorizationKind, AuthorizationRequest
from calaim.authorizations.models import AuthorizationStatus as Status
from calaim.authorizations.selectors import (
    authorization_scope,
    authorization_timeliness,
    decided_late_condition,
    deemed_denied_condition,
    overdue_condition,
)
from calaim.core.clock import local_date
from calaim.referrals.models import Urgency
from calaim.web.queues import Column, MemberFilters, Queue, queue_page, queue_register
from calaim.web.views.care_worklist import MEMBER_CSV, NAME_ORDER

PROGRAMS = [("ecm", "Enhanced Care Management"), ("cs", "Community Supports")]
STATUSES: dict[str, tuple[str, Q]] = {
    "undecided": ("Undecided (pending or pended)", Q(status__in=UNDECIDED)),
    "pending": ("Pending decision", Q(status=Status.PENDING)),
    "pended": ("Pended for information", Q(status=Status.PENDED)),
    "approved": ("Approved (as asked or modified)", Q(status__in=APPROVED)),
    "denied": ("Denied", Q(status=Status.DENIED)),
    "decided": ("Any decision", ~Q(status__in=UNDECIDED)),
}
# What the timeliness states read as, in the queue and its CSV (calaim.authorizations.selectors).
TIMELINESS = {
    "deemed_denied": "Deemed denied: no decision in time",
    "decided_late": "Decided late",
    "expired": "Overdue — deemed denied",
    "overdue": "Overdue — deemed denied if still undecided at the ceiling",
    "decided": "Decided in time",
    "open": "",
}


def _late(rows: QuerySet[AuthorizationRequest], only: bool) -> QuerySet[AuthorizationRequest]:
    """Undecided past the due time, decided after it, or denied by operation of law."""
    if not only:
        return rows
    return rows.filter(overdue_condition(timezone.now()) | decided_late_condition() | deemed_denied_condition())


def _extended(rows: QuerySet[AuthorizationRequest], value: str) -> QuerySet[AuthorizationRequest]:
    return rows.filter(extended_at__isnull=value != "yes") if value else rows


class UmFilters(MemberFilters):
    """The queue's filters; until the reviewer filters, the undecided requests."""

    program = forms.ChoiceField(label="Program", required=False, choices=[("", "Any program"), *PROGRAMS])
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *AuthorizationKind.choices])
    urgency = forms.ChoiceField(label="Urgency", required=False, choices=[("", "Any urgency"), *Urgency.choices])
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *((k, v[0]) for k, v in STATUSES.items())]
    )
    extended = forms.ChoiceField(
        label="Extended", required=False, choices=[("", "Extended or not"), ("yes", "Extended"), ("no", "Not extended")]
    )
    late = forms.BooleanField(label="Overdue or decided late only", required=False)
    lookups = {
        **MemberFilters.lookups,
        "program": "program",
        "kind": "kind",
        "urgency": "urgency",
        "status": lambda rows, value: rows.filter(STATUSES[value][1]),
        "extended": _extended,
        "late": _late,
    }
    defaults = {"status": "undecided"}


def _moment(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _program(a: AuthorizationRequest) -> str:
    return dict(PROGRAMS).get(a.program, a.program)


UM_QUEUE = queue_register(
    Queue(
        name="um",
        filename="authorization-queue",
        source=lambda user: authorization_scope(user).select_related("member__plan"),
        allowed=lambda user: user.role == Role.PLAN_UM and user.is_plan_staff,
        columns=(
            Column("Due", "due"),
            Column("Clock"),
            Column("Member", "member"),
            Column("Received", "received"),
            Column("Program"),
            Column("Kind and urgency"),
            Column("Status"),
            Column("Actions", sr_only=True),
        ),
        sorts={"due": ("due_at",), "received": ("received_at",), "member": NAME_ORDER},
        default_sort="due",
        filters=UmFilters,
        csv=(
            ("Due", lambda a: _moment(a.due_at)),
            ("Received", lambda a: _moment(a.received_at)),
            *MEMBER_CSV,
            ("Program", _program),
            ("Kind", lambda a: a.get_kind_display()),
            ("Urgency", lambda a: Urgency(a.urgency).label if a.urgency in Urgency.values else a.urgency),
            ("Status", lambda a: a.get_status_display()),
            ("Timeliness", lambda a: TIMELINESS[authorization_timeliness(a)]),
            ("Extended on", lambda a: local_date(a.extended_at).isoformat() if a.extended_at else ""),
            ("Extension reason", lambda a: a.extension_reason),
            ("Decided", lambda a: _moment(a.decided_at)),
            ("Decision reason", lambda a: a.decision_reason),
        ),
    )
)


def um_worklist(user: User, request: HttpRequest) -> dict[str, Any]:
    return {"queue": queue_page(request, UM_QUEUE)}
