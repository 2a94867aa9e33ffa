"""Identification runs end to end through the workflow and its tasks: files in, `identify` run, its summary and the
candidates of the plan's members kept, bad input reported with file, row and column, and the candidates loaded as
plan-identified referrals once however often the load runs."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from calaim.analytics.files import output_path, run_folder
from calaim.analytics.models import IdentificationCandidate, IdentificationLoad, IdentificationRun, InputOrigin
from calaim.analytics.services import RunInput
from calaim.core.errors import Conflict, NotFound, ValidationFailed
from calaim.core.files import file_sha256
from calaim.core.models import AuditEvent
from calaim.referrals.models import Referral
from calaim.workflows.identification_run import (
    identification_load_start,
    identification_load_task,
    identification_run_execute,
    identification_run_start,
    identification_run_task,
)
from tests.analytics.identification_data import (
    CLAIM_COLUMNS,
    STRAY_CIN,
    TODAY,
    UNKNOWN_CIN,
    ed_visits,
    write_csv,
)

pytestmark = pytest.mark.django_db


def upload(path: Path, tmp_path: Path) -> RunInput:
    """An input as the upload handler leaves it: staged under the data folder, hashed."""
    staged = tmp_path / "staged" / path.name
    staged.parent.mkdir(exist_ok=True)
    shutil.copy(path, staged)
    sha256, size = file_sha256(staged)
    return RunInput(InputOrigin.UPLOAD, f"export-{path.name}", staged, sha256, size)


def start(user, members: Path, claims: Path, tmp_path: Path, as_of: dt.date = TODAY) -> IdentificationRun:
    return identification_run_start(
        actor=user, as_of=as_of, members=upload(members, tmp_path), claims=upload(claims, tmp_path), source="web"
    )


def run_to_end(user, plan_files, tmp_path) -> IdentificationRun:
    run = start(user, plan_files.members, plan_files.claims, tmp_path)
    assert identification_run_task.call(str(run.pk)) == "completed"
    run.refresh_from_db()
    return run


def test_a_run_is_recorded_queued_and_runs_to_its_summary_and_candidates(analysts, plan_files, tmp_path):
    analyst = analysts["analyst"]
    run = start(analyst, plan_files.members, plan_files.claims, tmp_path)
    assert run.status == "queued" and run.rule_version == "2026.1" and run.engine == "duckdb"
    assert run.plan.code == "HPSJ" and run.created_by == analyst and run.as_of == TODAY
    # The uploads moved into the run's own folder, with the hash of their bytes.
    assert run.members_path == str(run_folder(run.pk) / "members.csv") and Path(run.members_path).is_file()
    assert run.members_sha256 == file_sha256(plan_files.members)[0] and run.members_name == "export-members.csv"
    task = DBTaskResult.objects.get(pk=run.task_id)
    assert task.task_path == "calaim.workflows.identification_run.identification_run_task"
    assert task.args_kwargs["args"] == [str(run.pk)]

    assert identification_run_task.call(str(run.pk)) == "completed"
    run.refresh_from_db()
    assert run.status == "completed" and run.finished_at is not None and run.elapsed_seconds >= 0
    assert (run.members_read, run.claims_read, run.unknown_member_claims) == (6, 28, 1)
    assert run.summary["candidates_by_pof"] == {"A1": 1, "A2": 4}
    assert run.summary["exclusions_by_reason"] == {"HOSPICE": 1}
    assert run.summary["unknown_member_rows"] == [28]
    # Listed: the plan's members (known or not to calaim); the CIN calaim knows in HPSM is counted, not listed.
    rows = {(c.cin, c.pof): c for c in IdentificationCandidate.objects.filter(run=run)}
    assert set(rows) == {(plan_files.homeless.cin, "A1"), (plan_files.frequent.cin, "A2"),
                         (plan_files.delegated.cin, "A2"), (UNKNOWN_CIN, "A2")}  # fmt: skip
    assert run.candidates_count == 4 and run.candidates_other_plan == 1 and run.exclusions_count == 1
    frequent = rows[(plan_files.frequent.cin, "A2")]
    assert frequent.member == plan_files.frequent and frequent.evidence_count == 6
    assert frequent.evidence_claim_ids == ["F5", "F4", "F3", "F2", "F1", "F0"]  # earliest first
    assert frequent.first_evidence_date == TODAY - dt.timedelta(days=45)
    assert frequent.last_evidence_date == TODAY - dt.timedelta(days=10)
    assert rows[(UNKNOWN_CIN, "A2")].member is None
    assert rows[(plan_files.delegated.cin, "A2")].route_to == "KAISER"
    assert output_path(run.pk, "candidates").read_text().startswith("member_id,pof,as_of,rule_version,")
    assert output_path(run.pk, "exclusions").read_text() == f"member_id,reason\n{plan_files.hospice.cin},HOSPICE\n"
    actions = list(AuditEvent.objects.filter(object_id=str(run.pk)).order_by("id").values_list("action", "actor"))
    assert actions == [("identification_run.create", analyst.pk), ("identification_run.start", None),
                       ("identification_run.complete", None)]  # fmt: skip


def test_a_task_run_again_changes_nothing_and_a_lost_one_starts_over(analysts, plan_files, tmp_path):
    run = run_to_end(analysts["analyst"], plan_files, tmp_path)
    assert identification_run_task.call(str(run.pk)) == "already finished"
    assert IdentificationCandidate.objects.filter(run=run).count() == 4

    # A worker that died mid-run left it "running": the next attempt runs it from the start, and keeps its rows once.
    lost = start(analysts["analyst"], plan_files.members, plan_files.claims, tmp_path)
    IdentificationRun.objects.filter(pk=lost.pk).update(status="running")
    assert identification_run_execute(run_id=lost.pk) == "completed"
    assert IdentificationCandidate.objects.filter(run=lost).count() == 4
    assert AuditEvent.objects.get(object_id=str(lost.pk), action="identification_run.start").reason.startswith(
        "started again"
    )


@pytest.mark.parametrize(
    ("which", "row", "column", "problem"),
    [
        ("claims", 3, "service_from", "2026-02-30"),
        ("claims", 2, "member_id", "1234"),
        ("members", 1, "plan_code", "'HPSM' is not your plan (HPSJ)"),
    ],
)
def test_bad_input_fails_the_run_naming_file_row_and_column_and_keeps_nothing(
    analysts, plan_files, tmp_path, which, row, column, problem
):
    if which == "claims":
        rows = ed_visits("10000001A", "X", 3)
        rows[row - 1][column] = problem
        plan_files.claims = write_csv(tmp_path / "bad-claims.csv", CLAIM_COLUMNS, rows)
    else:
        text = plan_files.members.read_text().splitlines()
        text[1] = text[1].replace(",HPSJ,", ",HPSM,")
        plan_files.members.write_text("\n".join(text) + "\n")
    run = start(analysts["analyst"], plan_files.members, plan_files.claims, tmp_path)
    assert identification_run_task.call(str(run.pk)) == "failed"
    run.refresh_from_db()
    name = f"export-{Path(getattr(plan_files, which)).name}"
    assert run.status == "failed" and run.error["input"] == which and run.error["file"] == name
    assert (run.error["row"], run.error["column"]) == (row, column)
    assert problem in run.error["problem"] or problem in run.message
    assert run.message.startswith(f"file {name}, row {row}, column {column}: ")
    assert not output_path(run.pk, "candidates").exists() and not output_path(run.pk, "exclusions").exists()
    assert IdentificationCandidate.objects.filter(run=run).count() == 0
    with pytest.raises(Conflict):
        identification_load_start(actor=analysts["analyst"], run=run)


def test_the_as_of_date_is_checked_before_anything_is_kept(analysts, plan_files, tmp_path):
    with pytest.raises(ValidationFailed) as error:
        start(analysts["analyst"], plan_files.members, plan_files.claims, tmp_path, TODAY + dt.timedelta(days=1))
    assert error.value.field == "as_of"
    assert IdentificationRun.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_only_the_plans_data_analysts_run_identification(analysts, network, plan_files, tmp_path):
    for name in ("intake", "um", "member_services", "cm_a", "referrer"):
        with pytest.raises(NotFound):
            start(network.users[name], plan_files.members, plan_files.claims, tmp_path)
    assert IdentificationRun.objects.count() == 0 and DBTaskResult.objects.count() == 0
    assert not (Path(settings.CALAIM_DATA_DIR) / "identification").exists()


def test_loading_creates_referrals_once_with_the_load_candidates_rules(analysts, network, plan_files, tmp_path):
    analyst = analysts["analyst"]
    run = run_to_end(analyst, plan_files, tmp_path)
    load = identification_load_start(actor=analyst, run=run)
    assert load.status == "queued" and DBTaskResult.objects.get(pk=load.task_id).args_kwargs["args"] == [str(load.pk)]
    with pytest.raises(Conflict):  # one load at a time
        identification_load_start(actor=analyst, run=run)
    assert identification_load_task.call(str(load.pk)) == "completed"
    load.refresh_from_db()
    assert load.status == "completed" and load.rows == 5 and load.members == 5 and load.referrals_created == 2
    assert load.skipped == {
        "delegated (ECM provided by the delegate)": 1,
        "member of another plan": 1,
        "no such member in calaim": 1,
    }
    referrals = Referral.objects.filter(source_type="plan_identification")
    assert {r.member for r in referrals} == {plan_files.homeless, plan_files.frequent}
    frequent = referrals.get(member=plan_files.frequent)
    assert frequent.submitted_by == analyst and frequent.status == "received"
    assert frequent.evidence["A2"]["evidence_count"] == 6 and frequent.evidence["A2"]["rule_version"] == "2026.1"
    assert identification_load_task.call(str(load.pk)) == "already finished"

    again = identification_load_start(actor=analyst, run=run)
    assert identification_load_task.call(str(again.pk)) == "completed"
    again.refresh_from_db()
    assert again.referrals_created == 0 and again.skipped["already loaded"] == 2
    # Another analyst of the plan: the members now hold open referrals, so nothing new either.
    other = identification_load_start(actor=analysts["analyst2"], run=run)
    identification_load_task.call(str(other.pk))
    other.refresh_from_db()
    assert other.referrals_created == 0 and other.skipped["has an open referral"] == 2
    assert referrals.count() == 2


def test_another_plans_analyst_finds_no_run_and_a_refused_load_records_why(analysts, plan_files, tmp_path):
    analyst = analysts["analyst"]
    run = run_to_end(analyst, plan_files, tmp_path)
    with pytest.raises(NotFound):
        identification_load_start(actor=analysts["hpsm_analyst"], run=run)
    assert IdentificationLoad.objects.count() == 0

    load = identification_load_start(actor=analyst, run=run)
    analyst.role = "member_services"  # no longer an analyst: the load is refused as who asked; nothing is kept
    analyst.save()
    assert identification_load_task.call(str(load.pk)) == "failed"
    load.refresh_from_db()
    assert load.status == "failed" and "may not load plan identification files" in load.message
    assert Referral.objects.count() == 0


def test_a_server_file_is_hashed_when_the_run_starts(analysts, plan_files, tmp_path):
    inbox = Path(settings.CALAIM_SERVER_FILES_DIR) / "HPSJ" / "2026-11"
    inbox.mkdir(parents=True)
    shutil.copy(plan_files.claims, inbox / "claims.csv")
    claims = RunInput(InputOrigin.SERVER, "2026-11/claims.csv", inbox / "claims.csv")
    run = identification_run_start(
        actor=analysts["analyst"], as_of=TODAY, members=upload(plan_files.members, tmp_path), claims=claims,
        source="api",
    )  # fmt: skip
    assert run.claims_sha256 == "" and run.claims_path == str(inbox / "claims.csv")
    identification_run_task.call(str(run.pk))
    run.refresh_from_db()
    assert run.status == "completed" and (run.claims_sha256, run.claims_size) == file_sha256(plan_files.claims)
    assert (inbox / "claims.csv").exists()  # a server file stays where it is


def test_a_stray_claim_is_a_warning_naming_its_row(analysts, plan_files, tmp_path):
    run = run_to_end(analysts["analyst"], plan_files, tmp_path)
    assert run.unknown_member_claims == 1 and STRAY_CIN not in {c.cin for c in run.candidates.all()}


def test_the_engine_is_spark_when_a_master_is_configured(analysts, plan_files, tmp_path, settings):
    settings.CALAIM_SPARK_MASTER = "spark://cluster.example:7077"
    run = start(analysts["analyst"], plan_files.members, plan_files.claims, tmp_path)
    assert run.engine == "spark"


@pytest.mark.spark
def test_a_run_on_spark_finds_what_duckdb_finds(analysts, plan_files, tmp_path, settings):
    sql = pytest.importorskip("pyspark.sql")
    duckdb_run = run_to_end(analysts["analyst"], plan_files, tmp_path)
    settings.CALAIM_SPARK_MASTER = "local[1]"
    try:
        spark_run = run_to_end(analysts["analyst"], plan_files, tmp_path)
    finally:
        sql.SparkSession.builder.getOrCreate().stop()  # the worker keeps its session; a test stops the one it made
    assert spark_run.engine == "spark" and spark_run.status == "completed", spark_run.message
    for kind in ("candidates", "exclusions"):
        assert output_path(spark_run.pk, kind).read_bytes() == output_path(duckdb_run.pk, kind).read_bytes()
    assert spark_run.summary["candidates_by_pof"] == duckdb_run.summary["candidates_by_pof"]
