"""What the workers share through the database: which periodic job each period has been claimed for, and when a
worker last ran the heartbeat job."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """One period of one periodic job, claimed by the first worker to insert it; the unique constraint is what
    makes several workers enqueue each job at most once per period."""

    job = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    claimed_at = models.DateTimeField()
    worker_id = models.CharField(max_length=64)
    task_result_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="jobs_one_run_per_period")]
        ordering = ["-period_start", "job"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat job: proof that the queue is being taken from."""

    worker_id = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} {self.beat_at:%Y-%m-%d %H:%M:%S}"
