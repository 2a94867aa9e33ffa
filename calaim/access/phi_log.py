"""Who may read the PHI read log, and the reads of it: plan compliance staff see the reads of their own plan's
members (by member, by user, by date), nobody else sees any.

Each row keeps the member's plan at the time of the read, so a plan's compliance staff answer for the reads made
while the member was theirs. The log is itself member data: reading it is logged like any other read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from calaim.access.scopes import member_get, member_scope, plan_of
from calaim.accounts.models import Role, User
from calaim.accounts.policies import plan_staff_in, role_in
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.models import PhiRead
from calaim.core.policy import ALLOWED, Verdict, first_refusal, out_of_scope
from calaim.members.models import Member

PHI_LOG_ROLES = frozenset({Role.PLAN_COMPLIANCE})
PAGE_SIZE = 50
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def can_view_phi_log(user: User, member: Member | None = None) -> Verdict:
    """Plan compliance staff read the log of their own plan's members; any other role may not (403), and another
    plan's member is not found (404)."""
    action = "read the PHI read log"
    if member is not None:
        return plan_staff_in(user, PHI_LOG_ROLES, member.plan_id, action)
    return first_refusal(
        lambda: role_in(user, PHI_LOG_ROLES, action),
        lambda: ALLOWED if plan_of(user) is not None else out_of_scope(),
    )


@dataclass(frozen=True)
class PhiLogFilters:
    """Which reads to show; `start` and `end` are plan-local dates, both included."""

    member: Member | None = None
    username: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def phi_log_member(user: User, member_id: uuid.UUID | str) -> Member:
    """The member whose reads the caller asks for: 404 outside their scope, 403 for a role that may not."""
    member = member_get(user, member_id)
    can_view_phi_log(user, member).enforce()
    return member


def phi_log_member_by_cin(user: User, cin: str) -> Member | None:
    """The caller's plan's member with this CIN, if any (another plan's is not found)."""
    can_view_phi_log(user).enforce()
    return member_scope(user).filter(cin=cin.strip().upper()).select_related("plan").first()


def phi_reads(user: User, filters: PhiLogFilters) -> QuerySet[PhiRead]:
    """The reads of the caller's plan's members matching `filters`, latest first; refused as `can_view_phi_log`."""
    can_view_phi_log(user, filters.member).enforce()
    plan_id = plan_of(user)
    assert plan_id is not None  # can_view_phi_log: plan staff
    reads = PhiRead.objects.filter(plan_id=plan_id)
    if filters.member is not None:
        reads = reads.filter(member=filters.member)
    if filters.username:
        reads = reads.filter(user__username=filters.username)
    if filters.start is not None:
        reads = reads.filter(at__gte=_local_midnight(filters.start))
    if filters.end is not None and filters.end < dt.date.max:
        reads = reads.filter(at__lt=_local_midnight(filters.end + dt.timedelta(days=1)))
    return reads.select_related("member", "user").order_by("-at", "-id")


@dataclass(frozen=True)
class PhiReadPage:
    rows: list[PhiRead]
    # Where the next (older) page starts, for `phi_reads_page(before=...)`; None on the last page.
    next_cursor: str | None


def phi_reads_page(reads: QuerySet[PhiRead], before: str = "", size: int = PAGE_SIZE) -> PhiReadPage:
    """One page of `reads` (ordered latest first) older than the `before` cursor: keyset paging, so a page deep in a
    log of millions of rows costs what the first does, and no page counts the whole log."""
    position = _cursor_position(before)
    if position is not None:
        at, read_id = position
        reads = reads.filter(at__lte=at).exclude(at=at, id__gte=read_id)
    rows = list(reads[: size + 1])
    if len(rows) <= size:
        return PhiReadPage(rows, None)
    last = rows[size - 1]
    return PhiReadPage(rows[:size], f"{(last.at - _EPOCH) // _MICROSECOND}-{last.id}")


def _cursor_position(cursor: str) -> tuple[dt.datetime, int] | None:
    """The (time, id) a cursor names; a cursor that is not one of ours starts from the latest read."""
    micros, _, read_id = cursor.partition("-")
    if not (micros.isdigit() and read_id.isdigit()) or len(micros) > 18 or len(read_id) > 18:
        return None
    try:
        return _EPOCH + int(micros) * _MICROSECOND, int(read_id)
    except OverflowError:
        return None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=PLAN_TIME_ZONE)
