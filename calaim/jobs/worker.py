"""The worker behind `manage.py calaim_worker`: django_tasks_db's database worker, with what production needs of it.

- A task that raises runs again after a growing delay (10 s, 20 s, 40 s... by default) until it has run
  `max_attempts` times; then it is marked failed.
- A task still marked running `running_timeout` after it started is presumed lost with its worker (SIGKILL, a lost
  machine) and goes back to the queue; its transaction died with the worker, so nothing it did is kept.
- The periodic jobs are claimed and enqueued once per period across all workers (`calaim.jobs.schedule`).
- A database outage is waited out, not fatal.

A task may therefore run more than once (a retry, a lost worker, a slow task presumed lost, a job enqueued twice),
so every task locks the rows it changes and checks their state first: running it again changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import random
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from calaim.jobs.schedule import PeriodicJob, period_claim, period_start

logger = logging.getLogger("calaim.jobs")


@dataclass(frozen=True)
class WorkerConfig:
    """Retries and the lost-task timeout, from `settings.CALAIM_WORKER` (config/settings.py)."""

    max_attempts: int = 5
    retry_delay: float = 10.0
    retry_delay_max: float = 900.0
    running_timeout: float = 600.0

    @classmethod
    def from_settings(cls) -> WorkerConfig:
        conf = getattr(settings, "CALAIM_WORKER", {})
        return cls(
            max_attempts=int(conf.get("MAX_ATTEMPTS", cls.max_attempts)),
            retry_delay=float(conf.get("RETRY_DELAY_SECONDS", cls.retry_delay)),
            retry_delay_max=float(conf.get("RETRY_DELAY_MAX_SECONDS", cls.retry_delay_max)),
            running_timeout=float(conf.get("RUNNING_TIMEOUT_SECONDS", cls.running_timeout)),
        )

    def delay_after(self, attempts: int) -> dt.timedelta:
        """How long a task that has failed `attempts` times waits: doubling from the first delay, up to the most."""
        return dt.timedelta(seconds=min(self.retry_delay * 2 ** max(attempts - 1, 0), self.retry_delay_max))


class TaskLost(Exception):
    """Recorded on a task whose worker stopped before finishing it."""


def default_worker_id() -> str:
    """Host, process and a random suffix: unique across the pool, and says where a task ran."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def task_requeue(row: DBTaskResult, error: BaseException, run_after: dt.datetime) -> None:
    """Back to the queue from `run_after`, keeping the last error for the admin."""
    row.status = TaskResultStatus.READY
    row.run_after = run_after
    row.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
    row.traceback = "".join(format_exception(error))
    row.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])


def tasks_recover_lost(*, backend_name: str, config: WorkerConfig, now: dt.datetime) -> int:
    """Tasks running for longer than the timeout go back to the queue, or fail when they have had every attempt."""
    cutoff = now - dt.timedelta(seconds=config.running_timeout)
    lost = DBTaskResult.objects.running().filter(backend_name=backend_name, started_at__lt=cutoff)
    count = 0
    with exclusive_transaction(lost.db):
        for row in lost.select_for_update(skip_locked=True)[:100]:
            error = TaskLost(f"Worker {row.worker_ids[-1] if row.worker_ids else '?'} did not finish the task.")
            if len(row.worker_ids) >= config.max_attempts:
                row.set_failed(error)
            else:
                task_requeue(row, error, now)
            logger.warning("Task id=%s was lost with its worker; attempts so far %d", row.id, len(row.worker_ids))
            count += 1
    return count


class CalaimWorker(Worker):
    """django_tasks_db's worker with retries, lost-task recovery and the periodic jobs (see the module docstring)."""

    def __init__(self, *, schedule: Sequence[PeriodicJob] = (), config: WorkerConfig | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.schedule = list(schedule)
        self.config = config or WorkerConfig.from_settings()
        self._claimed_periods: dict[str, dt.datetime] = {}
        self._next_recovery = 0.0

    def run(self) -> None:
        logger.info(
            "Starting worker %s: queues %s, periodic jobs %s",
            self.worker_id,
            ",".join(self.queue_names),
            ", ".join(f"{job.name} every {job.every.total_seconds():g}s" for job in self.schedule) or "none",
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreads workers started together
        outage = 0
        while self.running:
            close_old_connections()
            try:
                ran = self.step()
                outage = 0
            except (OperationalError, InterfaceError) as error:
                outage += 1
                self._wait_for_database(error, outage)
                continue
            if self.batch and not ran:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and not ran:
                time.sleep(self.interval)

    def step(self, now: dt.datetime | None = None) -> bool:
        """One turn: enqueue the periodic jobs whose period began, recover lost tasks, run at most one task."""
        now = now or timezone.now()
        # A stop signal now lets the turn finish (the base class exits at once only when no task is in hand), so a
        # task is never left claimed and not run.
        self.running_task = True
        try:
            self.schedule_due(now)
            if time.monotonic() >= self._next_recovery:
                tasks_recover_lost(backend_name=self.backend_name, config=self.config, now=now)
                self._next_recovery = time.monotonic() + min(10.0, self.config.running_timeout / 2)
            found = self.claim_next()
            if found is None:
                return False
            self.run_task(found)
            return True
        finally:
            self.running_task = False

    def schedule_due(self, now: dt.datetime) -> list[str]:
        """Claim each job's current period once per worker; the database decides which worker enqueues it."""
        enqueued = []
        for job in self.schedule:
            start = period_start(now, job.every)
            if self._claimed_periods.get(job.name) == start:
                continue
            if period_claim(job, now=now, worker_id=self.worker_id) is not None:
                enqueued.append(job.name)
                logger.info("Enqueued periodic job %s for the period from %s", job.name, start.isoformat())
            self._claimed_periods[job.name] = start
        return enqueued

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                found = tasks.get_locked()
                if found is not None:
                    found.claim(self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None
            raise
        return found

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed task: successful, or back to the queue after the delay, or failed after the last attempt."""
        row = db_task_result
        try:
            try:
                task = row.task
            except (ImportError, SuspiciousOperation) as error:  # code that no longer exists never will
                row.set_failed(error)
                logger.exception("Task id=%s names no task of this code (%s)", row.id, row.task_path)
                return
            result = row.task_result
            sender = type(task.get_backend())
            task_started.send(sender=sender, task_result=result)
            try:
                if task.takes_context:
                    value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
                else:
                    value = task.call(*result.args, **result.kwargs)
                row.set_successful(value)
            except (KeyboardInterrupt, SystemExit) as error:
                # Stopped by force mid-task: its transaction is gone; it goes back to the queue for another worker.
                task_requeue(row, error, timezone.now())
                raise
            except Exception as error:
                attempts = len(row.worker_ids)
                if attempts < self.config.max_attempts:
                    delay = self.config.delay_after(attempts)
                    task_requeue(row, error, timezone.now() + delay)
                    logger.warning(
                        "Task id=%s path=%s failed (%s), attempt %d of %d; retrying in %ds",
                        row.id,
                        row.task_path,
                        type(error).__name__,
                        attempts,
                        self.config.max_attempts,
                        delay.total_seconds(),
                    )
                    return
                row.set_failed(error)
            task_finished.send(sender=sender, task_result=row.task_result)
        finally:
            self._run_tasks += 1

    def _wait_for_database(self, error: Exception, outage: int) -> None:
        delay = min(2.0**outage, 30.0)
        logger.warning("Database unavailable (%s); trying again in %gs", type(error).__name__, delay)
        for connection in connections.all():
            with contextlib.suppress(Exception):  # a broken connection may fail to close; it is dropped either way
                connection.close()
        time.sleep(delay)
