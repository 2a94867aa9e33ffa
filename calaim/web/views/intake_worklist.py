"""The plan intake coordinator's worklist: new referrals, missing information, and what awaits assignment."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationStatus
from calaim.authorizations.selectors import authorization_scope
from calaim.core.clock import local_date, plan_today
from calaim.core.paging import WORKLIST_ROWS, Shown, shown
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.referrals.models import Referral, ReferralForm, ReferralStatus
from calaim.referrals.selectors import referral_scope
from calaim.web.views.roster_facts import worklist_context


def intake_worklist(user: User) -> dict[str, Any]:
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
        "awaiting_assignment": awaiting_assignment(referrals),
        "missing_count": f"{pended_rows.total + incomplete_rows.total:,}"
        + ("" if pended_rows.exact and incomplete_rows.exact else "+"),
        **worklist_context(user),
    }


def awaiting_assignment(referrals: QuerySet[Referral]) -> Shown:
    """Referrals UM authorized whose member has no ECM provider yet, oldest first, each with its days waiting."""
    waiting = (
        referrals.filter(status=ReferralStatus.AUTHORIZED)
        .exclude(enrollments__status__in=ACTIVE_ENROLLMENT_STATUSES)
        .order_by("status_changed_at", "pk")
    )
    rows = shown(waiting, WORKLIST_ROWS)
    today = plan_today()
    for referral in rows:
        referral.days_waiting = (today - local_date(referral.status_changed_at)).days  # type: ignore[attr-defined]
    return rows
