"""Reads of identification runs, each starting from the caller's scope: a plan's data analysts see their plan's runs,
their candidates (members of that plan only) and their loads; to anyone else none exists (404).

Reading candidates is reading member data: each candidate row names calaim's member when calaim knows them, so the
rows a page or answer materializes put those members on the PHI read log, as every member-linked row does; a
download notes the plan's members the file names."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from django.db.models import Count, Q, QuerySet

from calaim.access.scopes import plan_of
from calaim.accounts.models import User
from calaim.analytics.files import INPUTS, OUTPUT_FILES, output_path, server_file_path, server_files
from calaim.analytics.models import (
    IdentificationCandidate,
    IdentificationLoad,
    IdentificationRun,
    InputOrigin,
    RunStatus,
)
from calaim.analytics.policies import can_run_identification, can_view_identification_run
from calaim.analytics.services import RunInput
from calaim.analytics.uploads import StagedFile
from calaim.core.errors import NotFound, ValidationFailed
from calaim.members.models import Member

NOTE_CHUNK = 1000


def identification_runs(user: User) -> QuerySet[IdentificationRun]:
    """The caller's plan's runs, latest first."""
    can_run_identification(user).enforce()
    plan_id = plan_of(user)
    assert plan_id is not None  # can_run_identification: plan staff
    return IdentificationRun.objects.filter(plan_id=plan_id).select_related("created_by__organization")


def identification_run_get(user: User, run_id: uuid.UUID | str) -> IdentificationRun:
    """One run of the caller's plan, else 404 whether or not it exists."""
    run = IdentificationRun.objects.select_related("plan", "created_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound("No identification run with this id in your scope.")
    can_view_identification_run(user, run).enforce()
    return run


def identification_candidates(user: User, run: IdentificationRun, pof: str = "") -> QuerySet[IdentificationCandidate]:
    """The run's candidates (all of members of its plan), by CIN then POF; one POF's when `pof` is given."""
    can_view_identification_run(user, run).enforce()
    rows = IdentificationCandidate.objects.filter(run=run).select_related("member")
    return (rows.filter(pof=pof) if pof else rows).order_by("cin", "pof")


def identification_candidates_by_pof(user: User, run: IdentificationRun) -> dict[str, int]:
    """How many of the run's listed candidates each POF has (the POFs of its summary, in order)."""
    can_view_identification_run(user, run).enforce()
    pofs = sorted(run.summary.get("candidates_by_pof", {}))
    if not pofs:
        return {}
    counts = IdentificationCandidate.objects.filter(run=run).aggregate(
        **{pof: Count("id", filter=Q(pof=pof)) for pof in pofs}
    )
    return {pof: int(counts[pof]) for pof in pofs}


def identification_loads(user: User, run: IdentificationRun) -> QuerySet[IdentificationLoad]:
    """The loads of the run's candidates, latest first."""
    can_view_identification_run(user, run).enforce()
    return IdentificationLoad.objects.filter(run=run).select_related("created_by__organization")


def identification_load_get(user: User, load_id: uuid.UUID | str) -> IdentificationLoad:
    load = IdentificationLoad.objects.select_related("run", "created_by").filter(pk=load_id).first()
    if load is None:
        raise NotFound("No load with this id in your scope.")
    can_view_identification_run(user, load.run).enforce()
    return load


def identification_output(user: User, run: IdentificationRun, kind: str) -> Path:
    """A completed run's candidates or exclusions file; the plan's members it names go on the PHI read log."""
    can_view_identification_run(user, run).enforce()
    path = output_path(run.pk, kind) if kind in OUTPUT_FILES else None
    if path is None or run.status != RunStatus.COMPLETED or not path.is_file():
        raise NotFound("This run has no such file.")
    _note_file_members(run, path)
    return path


def _note_file_members(run: IdentificationRun, path: Path) -> None:
    # Materializing the members notes them (calaim.members.signals): only the run's plan's, only the id and plan.
    with path.open(newline="", encoding="utf-8") as handle:
        cins = sorted({record["member_id"] for record in csv.DictReader(handle)})
    for start in range(0, len(cins), NOTE_CHUNK):
        list(Member.objects.filter(plan_id=run.plan_id, cin__in=cins[start : start + NOTE_CHUNK]).only("plan"))


def identification_server_files(user: User) -> list[str]:
    """The files in the caller's plan's server folder that a run may read."""
    return server_files(_plan_code(user))


def _plan_code(user: User) -> str:
    can_run_identification(user).enforce()
    plan = user.organization.plan if user.organization is not None else None
    assert plan is not None  # can_run_identification: plan staff
    return plan.code


def identification_input(user: User, kind: str, staged: StagedFile | None, server_name: str) -> RunInput:
    """One input of a new run: the file uploaded for it, or the server file named; exactly one of the two. A name
    is only ever one the plan's server folder lists (never a path)."""
    assert kind in INPUTS
    plan_code = _plan_code(user)
    if staged is not None and server_name:
        raise ValidationFailed(f"Upload the {kind} file or pick one on the server, not both.", field=kind)
    if staged is not None:
        return RunInput(InputOrigin.UPLOAD, staged.name, staged.path, staged.sha256, staged.size)
    if not server_name:
        raise ValidationFailed(f"Upload the {kind} file (CSV or Parquet) or pick one on the server.", field=kind)
    path = server_file_path(plan_code, server_name)
    if path is None:
        raise ValidationFailed(
            f"{server_name!r} is not a file in your plan's server folder; pick one of those listed.",
            field=f"{kind}_server_file",
        )
    return RunInput(InputOrigin.SERVER, server_name, path)
