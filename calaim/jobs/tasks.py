"""The worker's own periodic jobs: the heartbeat the health endpoint reads, and pruning what it keeps."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult

from calaim.jobs.models import PeriodicRun, WorkerHeartbeat

HEARTBEAT_PRIORITY = 10  # ahead of a backlog: it says the worker is alive; the queue's age says whether it keeps up


@task(priority=HEARTBEAT_PRIORITY, takes_context=True)
def worker_heartbeat(context: TaskContext) -> str:
    """Record that the worker running this took a task from the queue just now."""
    worker_id = context.task_result.worker_ids[-1]
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": timezone.now()})
    return worker_id


@task()
def jobs_prune(keep_days: int = 14) -> dict[str, int]:
    """Forget successful task results and claimed periods older than `keep_days`, and silent workers after a day;
    failed tasks are kept for someone to look at."""
    now = timezone.now()
    cutoff = now - dt.timedelta(days=keep_days)
    results, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    periods, _ = PeriodicRun.objects.filter(period_start__lt=cutoff).delete()
    workers, _ = WorkerHeartbeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return {"task_results": results, "periods": periods, "heartbeats": workers}
