"""The authorization clocks, run by the worker every minute (calaim.workflows.scheduled): an undecided request past
its due time is marked overdue; past its ceiling, the latest a decision may be made (one extension included), it is
denied by operation of law with a Notice of Action (42 CFR 438.404(c)(5)), and the denial carries into ECM or
Community Supports as any denial does: a presumptive enrollment it covered ends, the referral or request closes,
the referrer is told. Each request is its own transaction on its locked row, its state checked there, so a second
run (another worker, a retry, a re-run) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import (
    authorization_expired,
    authorizations_expired,
    authorizations_to_mark_overdue,
)
from calaim.authorizations.services import authorization_lock
from calaim.authorizations.timeliness import authorization_deemed_denial_record, authorization_overdue_mark
from calaim.network.models import Program
from calaim.workflows.authorization_decision import ecm_after_denial
from calaim.workflows.community_supports import cs_after_denial

logger = logging.getLogger("calaim.workflows")


class SweepIncomplete(Exception):
    """Some requests could not be handled; the others were. The task fails so that the worker retries it."""


def authorization_deem_denied(
    *, authorization_id: uuid.UUID, now: dt.datetime | None = None
) -> AuthorizationRequest | None:
    """Deny a request whose decision time has run out, with its Notice of Action and its program's consequences;
    None when it is not expired (any more): decided, extended, or not yet due."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = authorization_lock(authorization_id)
        if not authorization_expired(locked, now):
            return None
        denied = authorization_deemed_denial_record(authorization=locked)
        if denied.program == Program.CS:
            cs_after_denial(actor=None, authorization=denied)
        else:
            ecm_after_denial(actor=None, authorization=denied)
    return denied


def authorization_clocks_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Mark the overdue, then deny the expired, up to `limit` of each a run; one request's failure does not stop
    the others, and fails the sweep at the end."""
    now = now or timezone.now()
    counts = {"overdue_marked": 0, "deemed_denied": 0, "failed": 0}
    for authorization_id in authorizations_to_mark_overdue(now, limit):
        try:
            counts["overdue_marked"] += authorization_overdue_mark(authorization_id=authorization_id, now=now)
        except Exception:
            logger.exception("Authorization id=%s could not be marked overdue", authorization_id)
            counts["failed"] += 1
    for authorization_id in authorizations_expired(now, limit):
        try:
            counts["deemed_denied"] += authorization_deem_denied(authorization_id=authorization_id, now=now) is not None
        except Exception:
            logger.exception("Authorization id=%s could not be denied on its expired clock", authorization_id)
            counts["failed"] += 1
    if counts["failed"]:
        raise SweepIncomplete(f"Authorization clocks: {counts}")
    return counts
