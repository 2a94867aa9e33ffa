"""The worker in this process, one step at a time: retries with a growing delay up to a limit, tasks lost with their
worker run again, and each periodic job enqueued once per period however many workers there are."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.jobs.models import PeriodicRun, WorkerHeartbeat
from calaim.jobs.schedule import period_start
from calaim.jobs.tasks import jobs_prune
from calaim.jobs.worker import CalaimWorker, WorkerConfig, tasks_recover_lost
from calaim.workflows.scheduled import periodic_jobs
from tests.tasks.jobs_for_tests import fail_until

pytestmark = pytest.mark.django_db
CONFIG = WorkerConfig(max_attempts=3, retry_delay=10, retry_delay_max=15, running_timeout=60)


def _worker(name: str, schedule=(), config: WorkerConfig = CONFIG) -> CalaimWorker:
    return CalaimWorker(
        schedule=schedule,
        config=config,
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=name,
        excluded_queue_names=[],
    )


def _row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def _time_passes(result) -> None:
    """The retry's delay is over (the queue compares run_after with the clock)."""
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now() - dt.timedelta(seconds=1))


def _started_long_ago(result, config: WorkerConfig) -> None:
    """The task has been running for longer than the timeout."""
    started = timezone.now() - dt.timedelta(seconds=config.running_timeout + 1)
    DBTaskResult.objects.filter(pk=result.id).update(started_at=started)


def test_a_failing_task_waits_longer_after_each_failure_then_succeeds():
    result = fail_until.enqueue(3)
    worker = _worker("w1")
    before = timezone.now()
    assert worker.step()
    row = _row(result)
    assert row.status == "READY" and row.exception_class_path == "builtins.RuntimeError"
    assert "attempt 1 fails" in row.traceback
    assert dt.timedelta(seconds=10) <= row.run_after - before < dt.timedelta(seconds=12)
    assert not worker.step()  # not before its time

    _time_passes(result)
    before = timezone.now()
    assert worker.step()
    row = _row(result)
    assert dt.timedelta(seconds=15) <= row.run_after - before < dt.timedelta(seconds=17)  # 20 s, capped at 15

    _time_passes(result)
    assert worker.step()
    row = _row(result)
    assert row.status == "SUCCESSFUL" and row.return_value == 3 and row.worker_ids == ["w1", "w1", "w1"]


def test_a_task_failing_every_attempt_fails_for_good_after_the_last():
    result = fail_until.enqueue(99)
    worker = _worker("w1")
    for _ in range(CONFIG.max_attempts):
        assert worker.step()
        _time_passes(result)
    row = _row(result)
    assert row.status == "FAILED" and len(row.worker_ids) == 3 and "attempt 3 fails" in row.traceback
    assert not worker.step()


def test_a_task_lost_with_its_worker_runs_again_after_the_timeout():
    result = fail_until.enqueue(1)
    crashed = _worker("crashed")
    assert crashed.claim_next() is not None  # claimed, then the worker died before running it
    assert not _worker("w2").step()  # still running as far as anyone knows

    _started_long_ago(result, CONFIG)
    assert tasks_recover_lost(backend_name="default", config=CONFIG, now=timezone.now()) == 1
    assert _row(result).status == "READY" and _row(result).exception_class_path.endswith("TaskLost")
    assert _worker("w2").step()
    row = _row(result)
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["crashed", "w2"]


def test_a_task_lost_on_its_last_attempt_fails():
    result = fail_until.enqueue(1)
    config = WorkerConfig(max_attempts=1, running_timeout=60)
    assert _worker("crashed", config=config).claim_next() is not None
    _started_long_ago(result, config)
    tasks_recover_lost(backend_name="default", config=config, now=timezone.now())
    assert _row(result).status == "FAILED" and "did not finish" in _row(result).traceback


def test_each_periodic_job_is_enqueued_once_per_period_across_workers():
    jobs = periodic_jobs()  # every minute: heartbeat and clocks; every 5 minutes: notices and emails; daily: prune
    first, second = _worker("w1", jobs), _worker("w2", jobs)
    now = period_start(timezone.now(), dt.timedelta(minutes=5)) + dt.timedelta(seconds=1)
    due = ["heartbeat", "authorization_clocks", "notices_sweep", "notification_emails_sweep", "jobs_prune"]
    assert first.schedule_due(now) == due
    assert second.schedule_due(now) == []
    assert first.schedule_due(now + dt.timedelta(seconds=30)) == []

    next_minute = now + dt.timedelta(minutes=1)
    enqueued = second.schedule_due(next_minute) + first.schedule_due(next_minute)
    assert sorted(enqueued) == ["authorization_clocks", "heartbeat"]
    for job in jobs:
        runs = PeriodicRun.objects.filter(job=job.name)
        tasks = DBTaskResult.objects.filter(task_path=job.task.module_path)
        assert runs.count() == tasks.count() and set(runs.values_list("task_result_id", flat=True)) == set(
            tasks.values_list("id", flat=True)
        )


def test_the_heartbeat_records_the_worker_that_ran_it():
    worker = _worker("w1", [job for job in periodic_jobs() if job.name == "heartbeat"])
    assert worker.step()
    assert WorkerHeartbeat.objects.get().worker_id == "w1"


def test_the_prune_job_forgets_old_successes_and_periods_and_keeps_failures():
    old = timezone.now() - dt.timedelta(days=30)
    done, failed, recent = fail_until.enqueue(1), fail_until.enqueue(1), fail_until.enqueue(1)
    DBTaskResult.objects.filter(pk__in=[done.id, recent.id]).update(status="SUCCESSFUL", finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=done.id).update(finished_at=old)
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED", finished_at=old)
    PeriodicRun.objects.create(job="heartbeat", period_start=old, claimed_at=old, worker_id="w1")
    WorkerHeartbeat.objects.create(worker_id="gone", beat_at=old)
    assert jobs_prune.call() == {"task_results": 1, "periods": 1, "heartbeats": 1}
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {uuid.UUID(failed.id), uuid.UUID(recent.id)}
