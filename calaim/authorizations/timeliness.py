"""When a decision clock runs out: past its due time an undecided request is marked overdue; past its ceiling (the
latest a decision may be made, one extension included) it is denied by operation of law, 42 CFR 438.404(c)(5), and
the member is sent a Notice of Action. Both are the system's acts, with no user, made on the locked row by the clock
sweep (calaim.workflows.authorization_clock), which carries the denial into ECM or Community Supports."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from calaim.authorizations.models import AuthorizationRequest, AuthorizationStatus
from calaim.authorizations.selectors import authorization_overdue
from calaim.authorizations.services import authorization_lock, notice_of_action_issue
from calaim.core.audit import audited_update
from calaim.core.clock import local_date

DEEMED_DENIAL_CRITERIA = (
    "42 CFR 438.210(d) sets the time allowed for an authorization decision; under 42 CFR 438.404(c)(5) a decision "
    "not reached within it is a denial."
)
_FIELDS = ["status", "due_at", "ceiling_at", "decision_reason", "overdue_at"]


def authorization_overdue_mark(*, authorization_id: uuid.UUID, now: dt.datetime) -> bool:
    """Record when the sweep found a request undecided past its due time, once; False when it is not overdue (any
    more) or already marked."""
    with transaction.atomic():
        locked = authorization_lock(authorization_id)
        if locked.overdue_at is not None or not authorization_overdue(locked, now):
            return False
        audited_update(
            locked,
            {"overdue_at": now},
            actor=None,
            action="authorization.overdue",
            fields=_FIELDS,
            member=locked.member,
            reason=f"No decision by the due date, {local_date(locked.due_at).isoformat()}.",
        )
    return True


def authorization_deemed_denial_record(*, authorization: AuthorizationRequest) -> AuthorizationRequest:
    """On the locked, expired request (`authorization_expired`): denied as of the moment its time ran out, with the
    reason and criteria its Notice of Action states, the notice owed on that day."""
    expired_on = local_date(authorization.ceiling_at)
    audited_update(
        authorization,
        {
            "status": AuthorizationStatus.DENIED,
            "decided_at": authorization.ceiling_at,
            "decided_by": None,
            "decision_reason": (
                f"No decision was made by {expired_on:%B %d, %Y}, the last day allowed, so the request is denied."
            ),
            "criteria_used": DEEMED_DENIAL_CRITERIA,
        },
        actor=None,
        action="authorization.deemed_denial",
        fields=_FIELDS,
        member=authorization.member,
        reason="The decision time ran out (42 CFR 438.404(c)(5)).",
    )
    notice_of_action_issue(actor=None, authorization=authorization, owed_on=expired_on)
    return authorization
