"""Periodic jobs: each period of each job is claimed in the database by the first worker to get there, and its task
is enqueued in the same transaction, so however many workers run, a job is enqueued once per period and a claimed
period always has its task."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django_tasks.base import Task

from calaim.jobs.models import PeriodicRun

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class PeriodicJob:
    """A task to enqueue once every `every`, in periods counted from a fixed epoch (so every worker agrees)."""

    name: str
    every: dt.timedelta
    task: Task[[], Any]


def period_start(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the period `now` falls in."""
    return EPOCH + every * ((now - EPOCH) // every)


def period_claim(job: PeriodicJob, *, now: dt.datetime, worker_id: str) -> uuid.UUID | None:
    """Claim the current period of `job` and enqueue its task; None when another worker claimed it first."""
    start = period_start(now, job.every)
    try:
        with transaction.atomic():
            result = job.task.enqueue()
            PeriodicRun.objects.create(
                job=job.name, period_start=start, claimed_at=now, worker_id=worker_id, task_result_id=result.id
            )
    except IntegrityError:
        return None
    return uuid.UUID(result.id)
