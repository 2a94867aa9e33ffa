"""The identification run and the load of its candidates through the real task queue: `manage.py calaim_worker` in
its own process takes each task from the database, runs `identify` on the run's files and then `candidates_load`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from calaim.analytics.models import IdentificationLoad, IdentificationRun
from calaim.referrals.models import Referral
from calaim.workflows.identification_run import identification_load_start, identification_run_start
from tests.analytics.identification_data import TODAY
from tests.analytics.test_identification_runs import upload
from tests.tasks.conftest import worker_db  # noqa: F401 - fixture


def _work_one_task(worker_db: Any) -> None:  # noqa: F811 - the fixture's value
    worker_db.push()
    worker = worker_db.start("--no-schedule", "--max-tasks", "1")
    assert worker.wait(timeout=120) == 0, worker_db.logs()
    worker_db.pull()


def test_a_worker_runs_identify_then_loads_the_candidates(
    worker_db: Any,  # noqa: F811 - the fixture
    analysts: Any,
    plan_files: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("CALAIM_DATA_DIR", str(settings.CALAIM_DATA_DIR))  # the worker keeps runs where the test looks
    analyst = analysts["analyst"]
    run = identification_run_start(
        actor=analyst, as_of=TODAY, members=upload(plan_files.members, tmp_path),
        claims=upload(plan_files.claims, tmp_path), source="web",
    )  # fmt: skip
    _work_one_task(worker_db)
    run = IdentificationRun.objects.get(pk=run.pk)
    assert DBTaskResult.objects.get(pk=run.task_id).status == "SUCCESSFUL", worker_db.logs()
    assert run.status == "completed" and run.candidates_count == 4 and run.summary["candidates_by_pof"]["A2"] == 4

    load = identification_load_start(actor=analyst, run=run)
    _work_one_task(worker_db)
    load = IdentificationLoad.objects.get(pk=load.pk)
    assert DBTaskResult.objects.get(pk=load.task_id).return_value == "completed", worker_db.logs()
    assert load.status == "completed" and load.referrals_created == 2
    assert set(Referral.objects.filter(source_type="plan_identification").values_list("member__cin", flat=True)) == {
        plan_files.homeless.cin,
        plan_files.frequent.cin,
    }
