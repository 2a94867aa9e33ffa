"""The appeal and grievance clocks, checked by the worker (calaim.appeals.schedule): an open appeal or grievance due
within the configured hours (appeals.yaml `reminder_hours`), or already overdue, is told once to its plan's
appeals coordinators; an extension moves the due time and clears the mark, so the new one is told again. Each row
is its own transaction on its locked row, its state checked there, so a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calaim.appeals.models import OPEN_APPEAL, OPEN_GRIEVANCE, Appeal, Grievance
from calaim.appeals.rules import rules_on
from calaim.appeals.selectors import appeals_coordinators_of
from calaim.core.audit import audited_update
from calaim.core.clock import PLAN_TIME_ZONE, local_date
from calaim.notices.notify import notification_send

logger = logging.getLogger("calaim.appeals")
Clocked = type[Appeal] | type[Grievance]
_OPEN: dict[Clocked, tuple[str, ...]] = {Appeal: OPEN_APPEAL, Grievance: OPEN_GRIEVANCE}
_PAGE: dict[Clocked, str] = {Appeal: "web:appeal", Grievance: "web:grievance"}


def due_soon_ids(model: Clocked, now: dt.datetime, within: dt.timedelta, limit: int) -> list[uuid.UUID]:
    """Open rows due by `now + within` (overdue ones too) whose coordinators have not been told, soonest first."""
    rows = model.objects.filter(
        status__in=_OPEN[model], resolution_due_at__lte=now + within, due_soon_notified_at__isnull=True
    ).order_by("resolution_due_at")
    return list(rows.values_list("pk", flat=True)[:limit])


def due_soon_tell(model: Clocked, pk: uuid.UUID, now: dt.datetime, within: dt.timedelta) -> bool:
    """Tell the coordinators that one appeal or grievance is due soon, once; False when it no longer is."""
    with transaction.atomic():
        row = model.objects.select_for_update(of=("self",)).select_related("member").get(pk=pk)
        due = row.resolution_due_at
        if row.status not in _OPEN[model] or row.due_soon_notified_at is not None or due > now + within:
            return False
        noun = "An appeal" if model is Appeal else "A grievance"
        audited_update(
            row,
            {"due_soon_notified_at": now},
            actor=None,
            action=f"{model._meta.model_name}.due_soon",
            fields=["status", "resolution_due_at", "due_soon_notified_at"],
            member=row.member,
        )
        when = f"{due.astimezone(PLAN_TIME_ZONE):%Y-%m-%d %H:%M}"
        message = f"{noun} is overdue since {when}." if due < now else f"{noun} is due by {when}."
        notification_send(
            users=appeals_coordinators_of(row.member.plan_id),
            event=f"{model._meta.model_name}.due_soon",
            message=message,
            link=reverse(_PAGE[model], args=[row.pk]),
        )
    return True


def appeal_clocks_check(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Tell the coordinators of every appeal and grievance due soon, up to `limit` of each a run; one row's failure
    does not stop the others."""
    now = now or timezone.now()
    edition = rules_on(local_date(now))
    windows: dict[Clocked, int] = {Appeal: edition.appeal.reminder_hours, Grievance: edition.grievance.reminder_hours}
    counts = {"appeals_told": 0, "grievances_told": 0, "failed": 0}
    for model, hours in windows.items():
        within = dt.timedelta(hours=hours)
        key = "appeals_told" if model is Appeal else "grievances_told"
        for pk in due_soon_ids(model, now, within, limit):
            try:
                counts[key] += due_soon_tell(model, pk, now, within)
            except Exception:
                logger.exception("%s id=%s: the coordinators could not be told it is due", model.__name__, pk)
                counts["failed"] += 1
    return counts
