"""Real `manage.py calaim_worker` processes on the test database: one killed with SIGKILL mid-task, whose task another
worker picks up after the timeout and completes once; two at once, which enqueue each periodic job once per period
and apply a task's effect once; and the demo's, started beside the server and stopped with it."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import time

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.demo.management.commands.demo import worker_running
from calaim.jobs.models import PeriodicRun, WorkerHeartbeat
from calaim.notices.mailroom import notice_send_task
from calaim.notices.models import Notice
from calaim.referrals.models import LoopEvent
from calaim.workflows.scheduled import periodic_jobs
from tests.factories import AuthorizationFactory
from tests.tasks.conftest import wait_for
from tests.tasks.jobs_for_tests import deem_denied_then_hang

pytestmark = pytest.mark.usefixtures("reference")


@pytest.fixture
def expired(network):
    now = timezone.now()
    return AuthorizationFactory(due_at=now - dt.timedelta(days=2), ceiling_at=now - dt.timedelta(minutes=1))


def _applied_once(authorization: AuthorizationRequest) -> None:
    authorization.refresh_from_db()
    assert authorization.status == "denied"
    assert NoticeOfAction.objects.filter(authorization=authorization).count() == 1
    assert AuditEvent.objects.filter(action="authorization.deemed_denial").count() == 1
    assert Notice.objects.filter(kind="notice_of_action").count() == 1
    assert LoopEvent.objects.filter(referral=authorization.referral, status="denied").count() == 1


@pytest.mark.parametrize("hang", ["inside", "after"], ids=["killed-before-commit", "killed-after-commit"])
def test_a_worker_killed_mid_task_leaves_it_to_another_which_completes_it_once(worker_db, expired, tmp_path, hang):
    marker = tmp_path / "hanging"
    result = deem_denied_then_hang.enqueue(str(expired.pk), str(marker), hang)
    worker_db.push()

    doomed = worker_db.start("--no-schedule")
    wait_for(marker.exists, what="the first worker to reach the middle of the task")
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)

    # The next worker finds the task still marked running, waits out the timeout, and runs it. Killed after the
    # commit, the denial's notice send tasks are already waiting beside it, and may well be taken first.
    waiting = worker_db.scalar("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")
    rescuer = worker_db.start("--no-schedule", "--max-tasks", str(1 + waiting), RUNNING_TIMEOUT_SECONDS=1)
    assert rescuer.wait(timeout=90) == 0, worker_db.logs()
    worker_db.pull()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and len(row.worker_ids) == 2, worker_db.logs()
    # Killed before its commit, the first attempt left nothing, so the second denied; after it, the second found
    # the request already denied and changed nothing.
    assert row.return_value is (hang == "inside")
    _applied_once(expired)


def test_two_workers_enqueue_each_period_once_and_apply_each_effect_once(worker_db, expired, member):
    notice = Notice.objects.create(
        member=member, kind="ecm_assignment_letter", recipient="member", due_date=plan_today()
    )
    for _ in range(3):  # the same work enqueued three times (a retry, a re-run): done once
        notice_send_task.enqueue(str(notice.pk))
    worker_db.push()
    fast = {"HEARTBEAT_SECONDS": 1, "CLOCK_SWEEP_SECONDS": 1, "NOTICE_SWEEP_SECONDS": 1}
    worker_db.start(**fast)
    worker_db.start(**fast)
    wait_for(
        lambda: worker_db.scalar("SELECT COUNT(*) FROM jobs_periodicrun WHERE job = 'heartbeat'") >= 4,
        what="four heartbeat periods",
    )
    worker_db.stop_all()
    worker_db.pull()

    # Every task of a periodic job was enqueued by the one claim of its period, whichever worker made it.
    task_paths = {job.name: job.task.module_path for job in periodic_jobs()}
    for job in ("heartbeat", "authorization_clocks", "notices_sweep"):
        claimed = set(PeriodicRun.objects.filter(job=job).values_list("task_result_id", flat=True))
        enqueued = set(DBTaskResult.objects.filter(task_path=task_paths[job]).values_list("id", flat=True))
        assert claimed and claimed == enqueued, job
    assert WorkerHeartbeat.objects.exists()
    _applied_once(expired)
    notice.refresh_from_db()
    assert notice.status == "produced"  # a member's letter, made once and left for the day's mail batch
    assert AuditEvent.objects.filter(action="notice.produce", object_id=str(notice.pk)).count() == 1


def test_the_demo_runs_a_worker_beside_the_server_and_stops_it(worker_db, settings, monkeypatch, tmp_path):
    worker_db.push()
    monkeypatch.setenv("DATABASE_URL", worker_db.url)
    settings.VAR_DIR = tmp_path
    out, handler = io.StringIO(), signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit), worker_running(out) as worker:
        wait_for(lambda: worker_db.scalar("SELECT COUNT(*) FROM jobs_workerheartbeat"), what="the demo's worker")
        assert worker.poll() is None
        os.kill(os.getpid(), signal.SIGTERM)  # `kill` sent to the demo alone, not to its worker
        time.sleep(30)
    assert worker.returncode == 0 and "Background worker: pid" in out.getvalue()
    assert "Starting worker" in (tmp_path / "worker.log").read_text()
    assert signal.getsignal(signal.SIGTERM) == handler
