"""The plan intake coordinator's worklist: new referrals, missing information, and what awaits assignment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from calaim.accounts.models import Role, User
from calaim.authorizations.models import AuthorizationStatus
from calaim.authorizations.selectors import authorization_scope
from calaim.core.clock import local_date, plan_today
from calaim.core.paging import WORKLIST_ROWS, shown
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.referrals.models import Referral, ReferralForm, ReferralStatus, Urgency
from calaim.referrals.selectors import referral_scope
from calaim.web.queues import Column, MemberFilters, Queue, QueueView, queue_page, queue_register
from calaim.web.views.roster_facts import worklist_context


def intake_worklist(user: User, request: HttpRequest) -> dict[str, Any]:
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
        "new_referrals": queue_page(request, NEW_REFERRALS),
        "linked_referrals": shown(
            referrals.filter(status=ReferralStatus.LINKED).select_related("linked_to").order_by("-received_at"),
            WORKLIST_ROWS,
        ),
        "pended": pended_rows,
        "incomplete": incomplete_rows,
        "awaiting_assignment": awaiting_assignment(request),
        "missing_count": f"{pended_rows.total + incomplete_rows.total:,}"
        + ("" if pended_rows.exact and incomplete_rows.exact else "+"),
        **worklist_context(user),
    }


class NewReferralFilters(MemberFilters):
    urgency = forms.ChoiceField(label="Urgency", required=False, choices=[("", "Any urgency"), *Urgency.choices])
    form = forms.ChoiceField(label="Form", required=False, choices=[("", "Any form"), *ReferralForm.choices])
    lookups = {**MemberFilters.lookups, "urgency": "urgency", "form": "form"}


def _new_rows(user: User) -> QuerySet[Referral]:
    """ECM referrals received and not yet reviewed (scoped to the caller)."""
    return referral_scope(user).filter(program="ecm", status=ReferralStatus.RECEIVED).select_related("member")


NEW_REFERRALS = queue_register(
    Queue(
        name="intake_new",
        filename="new-referrals",
        source=_new_rows,
        allowed=lambda user: user.role == Role.PLAN_INTAKE and user.is_plan_staff,
        columns=(
            Column("Received", "received"),
            Column("Member", "name"),
            Column("CIN"),
            Column("Program"),
            Column("Urgency", "urgency"),
            Column("Referrer"),
            Column("Referral"),
            Column("Eligibility"),
        ),
        sorts={
            "received": ("received_at",),
            "name": ("member__last_name", "member__first_name"),
            # Expedited first ("expedited" sorts before "routine"), then the oldest.
            "urgency": ("urgency", "received_at"),
        },
        default_sort="-received",
        filters=NewReferralFilters,
        csv=(
            ("Received", lambda r: local_date(r.received_at).isoformat()),
            ("Last name", lambda r: r.member.last_name),
            ("First name", lambda r: r.member.first_name),
            ("CIN", lambda r: r.member.cin),
            ("Form", lambda r: r.get_form_display()),
            ("Urgency", lambda r: r.get_urgency_display()),
            ("Referrer", lambda r: r.referrer_name),
        ),
    )
)


class AwaitingFilters(MemberFilters):
    urgency = forms.ChoiceField(label="Urgency", required=False, choices=[("", "Any urgency"), *Urgency.choices])
    lookups = {**MemberFilters.lookups, "urgency": "urgency"}


def _awaiting_rows(user: User) -> QuerySet[Referral]:
    """Referrals UM authorized whose member has no ECM provider yet (scoped to the caller)."""
    return (
        referral_scope(user)
        .filter(program="ecm", status=ReferralStatus.AUTHORIZED)
        .exclude(enrollments__status__in=ACTIVE_ENROLLMENT_STATUSES)
        .select_related("member")
    )


def _days_waiting(referral: Referral) -> int:
    return (plan_today() - local_date(referral.status_changed_at)).days


AWAITING = queue_register(
    Queue(
        name="intake_awaiting",
        filename="awaiting-provider-assignment",
        source=_awaiting_rows,
        allowed=lambda user: user.role == Role.PLAN_INTAKE and user.is_plan_staff,
        columns=(
            Column("Authorized", "waiting"),
            Column("Days waiting"),
            Column("Member", "name"),
            Column("CIN"),
            Column("Urgency"),
            Column("Referrer"),
            Column("Action", sr_only=True),
        ),
        sorts={"waiting": ("status_changed_at",), "name": ("member__last_name", "member__first_name")},
        default_sort="waiting",
        filters=AwaitingFilters,
        csv=(
            ("Authorized", lambda r: local_date(r.status_changed_at).isoformat()),
            ("Days waiting", _days_waiting),
            ("Last name", lambda r: r.member.last_name),
            ("First name", lambda r: r.member.first_name),
            ("CIN", lambda r: r.member.cin),
            ("Urgency", lambda r: r.get_urgency_display()),
            ("Referrer", lambda r: r.referrer_name),
        ),
    )
)


def awaiting_assignment(request: HttpRequest) -> QueueView:
    """The awaiting-assignment queue's page, oldest first, each row with its days waiting."""
    rows = queue_page(request, AWAITING)
    for referral in rows:
        referral.days_waiting = _days_waiting(referral)  # type: ignore[attr-defined]
    return rows
