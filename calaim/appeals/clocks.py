"""The appeal and grievance clocks as plain arithmetic on the configured counts (calaim.appeals.rules): calendar days
end at the end of that plan-local day; an expedited clock runs in hours from the moment of receipt."""

from __future__ import annotations

import datetime as dt

from calaim.appeals.rules import AppealRules
from calaim.core.clock import PLAN_TIME_ZONE, end_of_local_day, local_date


def resolution_due(received_at: dt.datetime, *, expedited: bool, days: int, expedited_hours: int) -> dt.datetime:
    """Standard: the end of the Nth calendar day after receipt; expedited: N hours after receipt."""
    if expedited:
        # Elapsed hours, counted in UTC so a daylight-saving change neither adds nor takes one.
        return received_at.astimezone(dt.UTC) + dt.timedelta(hours=expedited_hours)
    return end_of_local_day(local_date(received_at) + dt.timedelta(days=days))


def acknowledgment_due(received_at: dt.datetime, resolution_due_at: dt.datetime, days: int) -> dt.date:
    """The acknowledgment letter is owed N days after receipt, and never after the resolution itself is due."""
    return min(local_date(received_at) + dt.timedelta(days=days), local_date(resolution_due_at))


def filed_late(notice_on: dt.date, received_on: dt.date, rules: AppealRules) -> bool:
    """Received after the last day of the filing window counted from the Notice of Action's date."""
    return received_on > notice_on + dt.timedelta(days=rules.filing_window_days)


def aid_paid_pending_timely(notice_on: dt.date, received_on: dt.date, rules: AppealRules) -> bool:
    """Asked within the days after the Notice of Action that keep services running pending the appeal."""
    return received_on <= notice_on + dt.timedelta(days=rules.aid_paid_pending_days)


def extended_due(due_at: dt.datetime, extension_days: int) -> dt.datetime:
    """An extension moves the resolution due time on by whole calendar days, at the same plan-local time of day."""
    # Wall-clock arithmetic in the plan's zone: 23:59:59 stays 23:59:59 across a daylight-saving change.
    return due_at.astimezone(PLAN_TIME_ZONE) + dt.timedelta(days=extension_days)


def hearing_deadline(resolved_on: dt.date, rules: AppealRules) -> dt.date:
    """The last day to ask for a State Fair Hearing after an upheld decision."""
    return resolved_on + dt.timedelta(days=rules.state_fair_hearing_days)
