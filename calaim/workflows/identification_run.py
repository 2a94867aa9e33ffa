"""Identification from the web app and the API: a plan's analyst starts `identify` on the plan's member and claims
files as a task, and loads the candidates it found as plan-identified referrals with the same rules as
`manage.py load_candidates` (`candidates_load`), as a second task.

Each task is enqueued in the transaction that records its run or load (the task queue is a table of the same
database), so a recorded run always has its task and a rolled-back one has none. A task may run more than once
(a retry, a lost worker): the run and the load lock their row and check its state first.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from calaim.accounts.models import User
from calaim.analytics.files import foreign_plan_row, output_path, private_dir, run_folder
from calaim.analytics.models import Engine, IdentificationLoad, IdentificationRun, InputOrigin, LoadStatus, RunSource
from calaim.analytics.services import (
    RunInput,
    identification_load_begin,
    identification_load_create,
    identification_load_fail,
    identification_load_lock,
    identification_load_record,
    identification_load_task_set,
    identification_run_begin,
    identification_run_complete,
    identification_run_create,
    identification_run_fail,
    identification_run_progress,
    identification_run_task_set,
)
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.core.files import file_sha256
from calaim.workflows.plan_identification import candidates_load
from identification.config import load_rules
from identification.errors import InputError, RulesError
from identification.run import identify

logger = logging.getLogger("calaim.identification")


def identification_engine() -> Engine:
    """Spark when a master URL is configured (settings.CALAIM_SPARK_MASTER), else DuckDB."""
    return Engine.SPARK if settings.CALAIM_SPARK_MASTER else Engine.DUCKDB


def identification_rule_version() -> str:
    """The version of the identification rules a run started now uses."""
    return load_rules().version


def identification_run_start(
    *, actor: User, as_of: dt.date, members: RunInput, claims: RunInput, source: RunSource
) -> IdentificationRun:
    """Record the run (uploads moved into its folder) and queue `identify` on it."""
    with transaction.atomic():
        run = identification_run_create(
            actor=actor, as_of=as_of, members=members, claims=claims, source=source,
            engine=identification_engine(), rule_version=identification_rule_version(),
        )  # fmt: skip
        result = identification_run_task.enqueue(str(run.pk))
        identification_run_task_set(run=run, task_id=str(result.id))
    return run


def identification_run_execute(*, run_id: uuid.UUID | str) -> str:
    """Run `identify` on the run's files into its folder, then keep the summary and candidates; an invalid input
    fails the run with the file, row and column, and keeps no output."""
    run = identification_run_begin(run_id=run_id)
    if run is None:
        return "already finished"
    members, claims = Path(run.members_path), Path(run.claims_path)
    names = {str(members): ("members", run.members_name), str(claims): ("claims", run.claims_name)}
    hashes: dict[str, tuple[str, int]] = {}
    private_dir(run_folder(run.pk))  # the outputs are PHI: calaim's own user only, as the uploads are
    try:
        for kind, path in (("members", members), ("claims", claims)):
            if getattr(run, f"{kind}_origin") == InputOrigin.SERVER:
                hashes[kind] = _hash_server_file(path, getattr(run, f"{kind}_name"))
        summary = identify(
            members, claims, run.as_of, output_path(run.pk, "candidates"), output_path(run.pk, "exclusions"),
            engine=run.engine, spark_master=settings.CALAIM_SPARK_MASTER or None,
            progress=lambda step: identification_run_progress(run_id=run.pk, phase=step.replace("_", " ")),
        )  # fmt: skip
        if (foreign := foreign_plan_row(members, run.plan.code)) is not None:
            raise foreign
    except (InputError, RulesError) as exc:
        _outputs_remove(run)
        identification_run_fail(run_id=run.pk, hashes=hashes, **_input_problem(exc, names))
        return "failed"
    except Exception as exc:  # an engine that stopped (Spark lost, disk full): the analyst is told, then may rerun
        logger.error("Identification run id=%s stopped: %s", run.pk, type(exc).__name__)  # no message: it may hold PHI
        _outputs_remove(run)
        message = f"The identification job stopped: {type(exc).__name__}: {exc}"
        identification_run_fail(run_id=run.pk, message=message, error={"problem": message}, hashes=hashes)
        return "failed"
    identification_run_complete(run_id=run.pk, summary=summary, hashes=hashes)
    return "completed"


def _hash_server_file(path: Path, name: str) -> tuple[str, int]:
    try:
        return file_sha256(path)
    except OSError as exc:
        raise InputError(str(path), None, None, f"cannot be read ({exc.strerror}); was it moved?") from None


def _input_problem(exc: InputError | RulesError, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The error as the analyst sent the files: the file by the name they gave it, the row and the column."""
    if not isinstance(exc, InputError):
        return {"message": str(exc), "error": {"problem": str(exc)}}
    kind, name = names.get(exc.file, ("", Path(exc.file).name))
    shown = InputError(name, exc.row, exc.column, exc.problem)
    error = {"input": kind, "file": name, "row": exc.row, "column": exc.column, "problem": exc.problem}
    return {"message": str(shown), "error": error}


def _outputs_remove(run: IdentificationRun) -> None:
    for kind in ("candidates", "exclusions"):
        output_path(run.pk, kind).unlink(missing_ok=True)


@task()
def identification_run_task(run_id: str) -> str:
    return identification_run_execute(run_id=run_id)


def identification_load_start(*, actor: User, run: IdentificationRun) -> IdentificationLoad:
    """Record the load of a completed run's candidates and queue it."""
    with transaction.atomic():
        load = identification_load_create(actor=actor, run=run)
        result = identification_load_task.enqueue(str(load.pk))
        identification_load_task_set(load=load, task_id=str(result.id))
    return load


def identification_load_execute(*, load_id: uuid.UUID | str) -> str:
    """`candidates_load` on the run's candidates file as the analyst who asked, all or nothing, recording what it
    created and skipped in the same transaction; refused (the file, the caller's role), it records why."""
    if identification_load_begin(load_id=load_id) is None:
        return "already finished"
    try:
        with transaction.atomic():
            load = identification_load_lock(load_id)
            if load.status != LoadStatus.RUNNING:
                return "already finished"
            report = candidates_load(
                actor=load.created_by, path=output_path(load.run_id, "candidates"), day=plan_today()
            )
            identification_load_record(
                load=load, rows=report.rows, members=report.members, created=report.created,
                skipped=report.skipped, determined=report.determined,
            )  # fmt: skip
    except DomainError as exc:
        identification_load_fail(load_id=load_id, message=exc.message)
        return "failed"
    return "completed"


@task()
def identification_load_task(load_id: str) -> str:
    return identification_load_execute(load_id=load_id)
