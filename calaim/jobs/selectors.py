"""What the health endpoint reports of the worker and the queue: counts and ages only, never a task's arguments."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, F, Max, Min, When
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from calaim.jobs.models import WorkerHeartbeat


@dataclass(frozen=True)
class WorkerStatus:
    ok: bool
    last_heartbeat_age_seconds: float | None
    max_silence_seconds: float
    queue_depth: int
    oldest_ready_age_seconds: float | None
    waiting_to_retry: int
    running: int
    failed_last_day: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def database_check() -> None:
    """A query that must work; raises the database's error when it does not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _age(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else round(max((now - then).total_seconds(), 0.0), 1)


def worker_status(*, max_silence: dt.timedelta, now: dt.datetime | None = None) -> WorkerStatus:
    """The worker is ok when some worker ran the heartbeat job within `max_silence`; the queue's figures say
    whether it keeps up."""
    now = now or timezone.now()
    beat = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    ready = DBTaskResult.objects.ready()
    # A task deferred to a time (a retry) became ready then; one never deferred, when it was enqueued.
    ready_since = ready.annotate(
        since=Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    ).aggregate(oldest=Min("since"))["oldest"]
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__gt=now).exclude(
        run_after=get_date_max()
    )
    day_ago = now - dt.timedelta(days=1)
    return WorkerStatus(
        ok=beat is not None and now - beat <= max_silence,
        last_heartbeat_age_seconds=_age(now, beat),
        max_silence_seconds=max_silence.total_seconds(),
        queue_depth=ready.count(),
        oldest_ready_age_seconds=_age(now, ready_since),
        waiting_to_retry=waiting.count(),
        running=DBTaskResult.objects.running().count(),
        failed_last_day=DBTaskResult.objects.failed().filter(finished_at__gte=day_ago).count(),
    )
