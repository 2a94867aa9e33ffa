"""The plan intake coordinator's worklist: new referrals, missing information, and what awaits assignment."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationStatus
from calaim.authorizations.selectors import authorization_scope
from calaim.core.paging import WORKLIST_ROWS, shown
from calaim.referrals.models import ReferralForm, ReferralStatus
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
        "missing_count": f"{pended_rows.total + incomplete_rows.total:,}"
        + ("" if pended_rows.exact and incomplete_rows.exact else "+"),
        **worklist_context(user),
    }
