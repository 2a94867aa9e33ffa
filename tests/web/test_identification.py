"""Identification runs in the web app, as a plan's data analyst uses them: upload the files (or pick them on the
server), watch the run, read the summary and the candidates per POF, download the outputs, load the candidates as
referrals; bad input named by file, row and column; and nobody else sees any of it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.analytics.models import IdentificationLoad, IdentificationRun
from calaim.core.models import PhiRead
from calaim.referrals.models import Referral
from calaim.workflows.identification_run import identification_load_task, identification_run_task
from tests.analytics import identification_data as data
from tests.analytics.identification_data import CLAIM_COLUMNS, TODAY, UNKNOWN_CIN, ed_visits, write_csv

pytestmark = pytest.mark.django_db
# The identification fixtures (tests/analytics/identification_data.py), for this module's tests.
analysts, data_dirs, plan_files = data.analysts, data.data_dirs, data.plan_files
RUNS = "/data/identification/"


def post_run(client: Client, members: Path | None, claims: Path | None, **fields: str):
    body: dict[str, object] = {"as_of": TODAY.isoformat(), **fields}
    handles = []
    for name, path in (("members", members), ("claims", claims)):
        if path is not None:
            handles.append(path.open("rb"))
            body[name] = handles[-1]
    try:
        return client.post(RUNS, body)
    finally:
        for handle in handles:
            handle.close()


def completed_run(web, plan_files) -> IdentificationRun:
    response = post_run(web("analyst"), plan_files.members, plan_files.claims)
    run = IdentificationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{RUNS}{run.pk}/"
    identification_run_task.call(str(run.pk))
    run.refresh_from_db()
    return run


def incoming() -> list[Path]:
    folder = Path(settings.CALAIM_DATA_DIR) / "identification" / "incoming"
    return list(folder.rglob("*")) if folder.exists() else []


def test_the_analyst_uploads_watches_reads_downloads_and_loads(web, plan_files):
    page = web("analyst").get(RUNS)
    body = page.content.decode()
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in body
    assert "Engine: <strong>DuckDB</strong>" in body and f'value="{TODAY:%m/%d/%Y}"' in body

    response = post_run(web("analyst"), plan_files.members, plan_files.claims)
    run = IdentificationRun.objects.get()
    assert response.status_code == 302 and run.status == "queued" and run.members_name == "members.csv"
    assert incoming() == []  # the uploads moved into the run's folder; staging is empty
    queued = web("analyst").get(f"{RUNS}{run.pk}/").content.decode()
    assert "Queued" in queued and 'hx-trigger="every 2s"' in queued
    status = web("analyst").get(f"{RUNS}{run.pk}/status/")
    assert status.status_code == 200 and "HX-Refresh" not in status

    identification_run_task.call(str(run.pk))
    status = web("analyst").get(f"{RUNS}{run.pk}/status/")
    assert status["HX-Refresh"] == "true" and "every 2s" not in status.content.decode()
    page = web("analyst").get(f"{RUNS}{run.pk}/")
    body = page.content.decode()
    assert "every 2s" not in body and "ECM identification (duckdb, rules 2026.1)" in body
    for measure, value in [("members read", 6), ("claims read", 28), ("claims skipped: member_id not in members", 1),
                           ("candidates A1", 1), ("candidates A2", 4), ("excluded: HOSPICE", 1)]:  # fmt: skip
        assert re.search(rf'<th scope="row">{re.escape(measure)}</th><td>{value}</td>', body), measure
    assert "row 28, column member_id: not in the members file; claim skipped" in body
    assert "1 candidate row names CINs calaim knows as another plan" in body
    assert "Street, Hope" in body and "Visitor, Ed" in body and UNKNOWN_CIN in body and "not in calaim" in body
    assert plan_files.elsewhere.cin not in body and "Mateo" not in body  # another plan's member: not listed
    assert "F5, F4, F3, F2, F1, F0" in body and "KAISER" in body

    a1 = web("analyst").get(f"{RUNS}{run.pk}/?pof=A1").content.decode()
    assert "Street, Hope" in a1 and "Visitor, Ed" not in a1 and 'aria-current="page">A1 (1)' in a1

    candidates = web("analyst").get(f"{RUNS}{run.pk}/candidates.csv")
    assert candidates.status_code == 200 and candidates["Content-Type"] == "text/csv"
    assert b"".join(candidates.streaming_content).decode().startswith("member_id,pof,as_of,rule_version")
    exclusions = web("analyst").get(f"{RUNS}{run.pk}/exclusions.csv")
    assert b"".join(exclusions.streaming_content).decode() == f"member_id,reason\n{plan_files.hospice.cin},HOSPICE\n"
    assert web("analyst").get(f"{RUNS}{run.pk}/rejects.csv").status_code == 404

    response = web("analyst").post(f"{RUNS}{run.pk}/load/")
    load = IdentificationLoad.objects.get()
    assert response.status_code == 302 and load.status == "queued"
    loading = web("analyst").get(f"{RUNS}{run.pk}/").content.decode()
    assert "Queued</strong> the candidates as referrals" in loading and 'hx-trigger="every 2s"' in loading
    assert "Load as referrals</button>" not in loading  # one load at a time
    identification_load_task.call(str(load.pk))
    body = web("analyst").get(f"{RUNS}{run.pk}/").content.decode()
    assert '2 <span class="muted">of 5 members, 5 rows</span>' in body
    assert "member of another plan: 1" in body and "no such member in calaim: 1" in body
    assert Referral.objects.filter(source_type="plan_identification").count() == 2

    web("analyst").post(f"{RUNS}{run.pk}/load/")  # again: nothing new
    identification_load_task.call(str(IdentificationLoad.objects.latest("created_at").pk))
    assert "already loaded: 2" in web("analyst").get(f"{RUNS}{run.pk}/").content.decode()
    assert Referral.objects.filter(source_type="plan_identification").count() == 2

    history = web("analyst").get(RUNS).content.decode()
    assert f'href="{RUNS}{run.pk}/"' in history and "2026.1" in history and "Completed" in history


def test_reading_candidates_and_downloading_puts_the_plans_known_members_on_the_phi_log(web, plan_files):
    run = completed_run(web, plan_files)
    PhiRead.objects.all().delete()
    web("analyst").get(f"{RUNS}{run.pk}/")
    read = set(PhiRead.objects.filter(view="web:identification_run").values_list("member_id", flat=True))
    assert read == {plan_files.homeless.pk, plan_files.frequent.pk, plan_files.delegated.pk}
    response = web("analyst").get(f"{RUNS}{run.pk}/exclusions.csv")
    b"".join(response.streaming_content)
    read = set(PhiRead.objects.filter(view="web:identification_run_exclusions").values_list("member_id", flat=True))
    assert read == {plan_files.hospice.pk}


def test_bad_input_is_shown_with_its_file_row_and_column(web, plan_files, tmp_path):
    rows = ed_visits(plan_files.frequent.cin, "X", 3)
    rows[1]["claim_type"] = "dental"
    claims = write_csv(tmp_path / "march-claims.csv", CLAIM_COLUMNS, rows)
    post_run(web("analyst"), plan_files.members, claims)
    run = IdentificationRun.objects.get()
    identification_run_task.call(str(run.pk))
    body = web("analyst").get(f"{RUNS}{run.pk}/").content.decode()
    assert "file march-claims.csv, row 2, column claim_type:" in body
    assert "<dt>Row</dt><dd>2 " in body and "<dt>Column</dt><dd>claim_type</dd>" in body
    assert "Load as referrals</button>" not in body


def test_the_form_refuses_what_it_cannot_read_and_keeps_nothing(web, plan_files, tmp_path, settings):
    notes = tmp_path / "members.xlsx"
    notes.write_bytes(b"PK\x03\x04")
    response = post_run(web("analyst"), notes, plan_files.claims)
    body = response.content.decode()
    assert response.status_code == 400 and "members.xlsx: identification reads CSV (.csv) or Parquet" in body
    response = post_run(web("analyst"), None, None)
    assert "Upload the members file (CSV or Parquet) or pick one on the server." in response.content.decode()

    settings.CALAIM_UPLOAD_MAX_MB = 1
    big = tmp_path / "big-claims.csv"
    big.write_bytes(plan_files.claims.read_bytes() + b"x" * (1024 * 1024))
    response = post_run(web("analyst"), plan_files.members, big)
    assert response.status_code == 400 and "big-claims.csv is larger than 1 MB" in response.content.decode()
    assert IdentificationRun.objects.count() == 0 and incoming() == []

    response = post_run(web("analyst"), plan_files.members, plan_files.claims, as_of=str(TODAY + dt.timedelta(days=1)))
    assert response.status_code == 400 and "cannot be after today" in response.content.decode()
    assert IdentificationRun.objects.count() == 0 and incoming() == []


def test_files_on_the_server_are_picked_from_the_plans_folder_only(web, plan_files, settings):
    inbox = Path(settings.CALAIM_SERVER_FILES_DIR)
    (inbox / "HPSJ" / "nov").mkdir(parents=True)
    (inbox / "HPSM").mkdir()
    (inbox / "HPSJ" / "nov" / "claims.csv").write_bytes(plan_files.claims.read_bytes())
    (inbox / "HPSJ" / "members.csv").write_bytes(plan_files.members.read_bytes())
    (inbox / "HPSM" / "secret.csv").write_text("member_id\n")
    (inbox / "HPSJ" / "outside.csv").symlink_to(inbox / "HPSM" / "secret.csv")
    form = web("analyst").get(RUNS).content.decode()
    assert '<option value="nov/claims.csv">' in form and '<option value="members.csv">' in form
    assert "secret.csv" not in form and "outside.csv" not in form

    for name in ("../HPSM/secret.csv", "outside.csv", "/etc/passwd"):
        response = post_run(web("analyst"), None, None, members_server_file="members.csv", claims_server_file=name)
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert IdentificationRun.objects.count() == 0

    response = post_run(web("analyst"), None, None, members_server_file="members.csv",
                        claims_server_file="nov/claims.csv")  # fmt: skip
    run = IdentificationRun.objects.get()
    assert response.status_code == 302 and run.claims_origin == "server" and run.claims_name == "nov/claims.csv"
    identification_run_task.call(str(run.pk))
    run.refresh_from_db()
    assert run.status == "completed" and run.candidates_count == 4


def test_another_plans_analyst_finds_none_of_this_plans_runs(web, plan_files):
    run = completed_run(web, plan_files)
    client = web("hpsm_analyst")
    assert str(run.pk) not in client.get(RUNS).content.decode()
    for path in (f"{RUNS}{run.pk}/", f"{RUNS}{run.pk}/status/", f"{RUNS}{run.pk}/candidates.csv"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{RUNS}{run.pk}/load/").status_code == 404
    assert IdentificationLoad.objects.count() == 0 and Referral.objects.count() == 0


@pytest.mark.parametrize("name", ["intake", "um", "member_services", "cm_a", "referrer"])
def test_anyone_but_the_plans_analysts_finds_nothing_and_changes_nothing(web, plan_files, name):
    run = completed_run(web, plan_files)
    client = web(name)
    for path in (RUNS, f"{RUNS}{run.pk}/", f"{RUNS}{run.pk}/status/", f"{RUNS}{run.pk}/candidates.csv"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{RUNS}{run.pk}/load/").status_code == 404
    assert post_run(client, plan_files.members, plan_files.claims).status_code == 404
    assert IdentificationRun.objects.count() == 1 and IdentificationLoad.objects.count() == 0 and incoming() == []
    assert Client().get(RUNS)["Location"].startswith("/login/")


def test_the_run_form_checks_the_csrf_token(analysts, plan_files):
    client = Client(enforce_csrf_checks=True)
    user = analysts["analyst"]
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert post_run(client, plan_files.members, plan_files.claims).status_code == 403
    assert IdentificationRun.objects.count() == 0 and incoming() == []


def test_the_page_says_which_step_a_running_job_is_on(web, plan_files):
    post_run(web("analyst"), plan_files.members, plan_files.claims)
    run = IdentificationRun.objects.get()
    IdentificationRun.objects.filter(pk=run.pk).update(status="running", phase="validating claims")
    status = web("analyst").get(f"{RUNS}{run.pk}/status/").content.decode()
    assert "<strong>Running</strong>: validating claims" in status and 'hx-trigger="every 2s"' in status
    assert "Rules: version 2026.1." in web("analyst").get(RUNS).content.decode()
