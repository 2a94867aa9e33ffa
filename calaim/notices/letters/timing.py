"""When a member letter is due, from letters.yaml's timing (domain doc §5.2, tags there): most letters the plan's
configured business days after the event; a Notice of Action the same day (a deemed denial's on the day the time
expired); a Knox-Keene licensed plan's decision letters within its business days; a plan-initiated ending of a
service at least the advance-notice days before the date of action, unless the member's own act or circumstance
ended it, when the notice is due no later than that date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from calaim.core.clock import add_business_days
from calaim.notices.reference import letters_config


def _iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def letter_due(
    *,
    kind: str,
    day: dt.date,
    plan_business_days: int,
    knox_keene_licensed: bool,
    action_on: dt.date | None = None,
    cause: str = "",
) -> dt.date:
    """The due date of a letter of `kind` owed by an event on `day`."""
    timing = letters_config().timing
    rule = timing.kinds.get(kind, timing.default)
    due = day if rule == "same_day" else add_business_days(day, plan_business_days)
    if knox_keene_licensed and kind in timing.knox_keene_kinds:
        due = min(due, add_business_days(day, timing.knox_keene_business_days))
    if kind in timing.advance_kinds and action_on is not None:
        if cause in timing.advance_exceptions:
            due = min(due, action_on)
        else:
            due = min(due, action_on - dt.timedelta(days=timing.advance_days))
    return due


def letter_due_for_content(
    *, kind: str, day: dt.date, plan_business_days: int, knox_keene_licensed: bool, content: Mapping[str, Any]
) -> dt.date:
    """`letter_due` with the date of action and its cause read from the letter's content (an ending's
    effective_on and reason_code), when it has them."""
    return letter_due(
        kind=kind,
        day=day,
        plan_business_days=plan_business_days,
        knox_keene_licensed=knox_keene_licensed,
        action_on=_iso_date(content.get("effective_on")),
        cause=str(content.get("reason_code") or ""),
    )
