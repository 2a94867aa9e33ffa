"""The roster loads' pages: who sees them (the plan's data analysts and compliance officers; to anyone else a load
does not exist), the history, each state of a load's page and its polled status part, the preview's samples and
rejected rows (showing members is a PHI read), the apply confirmation, and uploads refused for size or ending.

Loads here are made as rows in each state, so the pages are tested apart from the load's services; the whole path
through the services and the worker is in test_roster_flow.py. The fixtures are shared with the API's tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.accounts.models import Role
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.plans.models import Plan
from calaim.roster.models import LoadSource, LoadStatus, RosterLoad
from calaim.roster.tasks import PROGRESS_FILE
from calaim.roster.uploads import UploadWriter
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
OTHER_ROLES = ("intake", "um", "member_services", "cm_a", "sup_a", "referrer")


@pytest.fixture
def network(network: Any) -> Any:
    """The shared network plus each plan's data analyst and compliance officer."""
    network.users["data"] = UserFactory(
        username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj, first_name="Dana",
        last_name="Okafor",
    )  # fmt: skip
    network.users["hpsm_data"] = UserFactory(
        username="hpsm.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsm
    )
    network.users["compliance"] = UserFactory(
        username="hpsj.compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj
    )
    return network


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    return Path(settings.CALAIM_DATA_DIR)


def kept(name: str = "roster.csv", content: bytes = b"member_id\n") -> Path:
    """A file kept as an upload is, for a load made as a row."""
    writer = UploadWriter(name)
    writer.write(content)
    return writer.finish().path


def make_load(network: Any, status: str = LoadStatus.PREVIEWED, *, plan: str = "HPSJ", **fields: Any) -> RosterLoad:
    """A load as the services leave it in `status`, uploaded by the plan's analyst."""
    analyst = network.users["data" if plan == "HPSJ" else "hpsm_data"]
    defaults: dict[str, Any] = {
        "plan": Plan.objects.get(code=plan),
        "as_of": plan_today(),
        "file_name": "roster-2026-12.csv",
        "file_sha256": "ab" * 32,
        "file_size": 2048,
        "source": LoadSource.WEB,
        "status": status,
        "created_by": analyst,
        "actor_label": analyst.username,
    }
    return RosterLoad.objects.create(**{**defaults, **fields})


def previewed(network: Any, *members: Any, **fields: Any) -> RosterLoad:
    """A previewed load whose samples name `members` (updated, termed, excluded, delegated) and one new member."""
    counts = {"rows_read": 120, "created": 1, "updated": 1, "unchanged": 115, "termed": 1, "excluded": 1,
              "delegated": 1, "rejected": 0}  # fmt: skip
    samples: dict[str, list[dict[str, Any]]] = {
        "created": [{"cin": "99999999Z", "name": "Newton, Nora", "changes": {}}],
    }
    kinds = [
        ("updated", {"phone": ["", "+12095550111"], "city": ["Stockton", "Lodi"]}),
        ("termed", {"enrollment_end": [None, "2026-11-30"]}),
        ("excluded", {"other_programs": ["", "HOSPICE"]}),
        ("delegated", {"delegated_to": [None, "KAISER"]}),
    ]
    for member, (kind, changes) in zip(members, kinds, strict=False):
        samples[kind] = [{"cin": member.cin, "name": f"{member.last_name}, {member.first_name}", "changes": changes}]
    return make_load(network, LoadStatus.PREVIEWED, counts=counts, samples=samples, **fields)


def page(client: Any, load: RosterLoad, suffix: str = "") -> Any:
    return client.get(f"/data/roster/{load.pk}/{suffix}")


# Who lands where, and who sees what


def test_the_data_analyst_lands_on_the_roster_loads_with_the_upload_form(web, network):
    response = web("data").get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/data/roster/"
    html = response.content.decode()
    assert "Upload a roster" in html and 'enctype="multipart/form-data"' in html
    assert f'value="{plan_today():%m/%d/%Y}"' in html  # as of: the plan's today
    assert 'aria-current="page">Roster loads</a>' in html


def test_the_history_shows_the_plans_loads_latest_first_and_not_another_plans(web, network):
    older = make_load(network, LoadStatus.APPLIED, file_name="november.csv", counts={"created": 3, "updated": 7,
                      "termed": 2})  # fmt: skip
    RosterLoad.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    make_load(network, LoadStatus.REJECTED, file_name="december.csv", error_count=4)
    make_load(network, LoadStatus.APPLIED, plan="HPSM", file_name="san-mateo.csv")
    html = web("data").get("/data/roster/").content.decode()
    assert html.index("december.csv") < html.index("november.csv")
    assert "3 new, 7 updated, 2 termed" in html and "4 errors" in html
    assert "Rejected: the file has errors, nothing written" in html
    assert "san-mateo.csv" not in html


def test_compliance_reads_the_loads_but_gets_no_upload_form_and_may_not_act(
    web, network, django_capture_on_commit_callbacks
):
    load = previewed(network)
    client = web("compliance")
    html = client.get("/data/roster/").content.decode()
    assert "roster-2026-12.csv" in html and "Upload a roster" not in html
    detail = page(client, load).content.decode()
    assert "Apply this roster" not in detail and "Cancel</button>" not in detail
    upload = {"file": SimpleUploadedFile("r.csv", b"member_id\n"), "as_of": plan_today().isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/data/roster/", upload).status_code == 403
        assert client.post(f"/data/roster/{load.pk}/apply/").status_code == 403
    load.refresh_from_db()
    assert load.confirmed_by is None and RosterLoad.objects.count() == 1 and not DBTaskResult.objects.exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_and_finds_no_load(web, network, role, django_capture_on_commit_callbacks):
    load = previewed(network)
    client = web(role)
    assert client.get("/data/roster/").status_code == 403
    upload = {"file": SimpleUploadedFile("r.csv", b"member_id\n"), "as_of": plan_today().isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/data/roster/", upload).status_code == 403
        for suffix in ("", "status/", "rejects.csv"):
            assert page(client, load, suffix).status_code == 404, suffix
        for action in ("apply", "cancel", "rerun"):
            assert client.post(f"/data/roster/{load.pk}/{action}/", {"confirm": "on"}).status_code == 404, action
    assert list(RosterLoad.objects.values_list("status", "confirmed_by")) == [(LoadStatus.PREVIEWED, None)]
    assert not DBTaskResult.objects.exists() and not AuditEvent.objects.filter(action__startswith="roster").exists()


def test_another_plans_analyst_finds_no_load_and_changes_nothing(web, network, django_capture_on_commit_callbacks):
    load = previewed(network)
    client = web("hpsm_data")
    assert "roster-2026-12.csv" not in client.get("/data/roster/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for suffix in ("", "status/", "rejects.csv"):
            assert page(client, load, suffix).status_code == 404, suffix
        for action in ("apply", "cancel", "rerun"):
            assert client.post(f"/data/roster/{load.pk}/{action}/", {"confirm": "on"}).status_code == 404, action
    load.refresh_from_db()
    assert load.status == LoadStatus.PREVIEWED and load.confirmed_by is None and not DBTaskResult.objects.exists()


def test_anonymous_callers_are_sent_to_sign_in(client, network):
    load = previewed(network)
    for path in ("/data/roster/", f"/data/roster/{load.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/data/roster/", {"as_of": "2026-12-01"}).status_code == 302
    assert RosterLoad.objects.count() == 1


# Each state of a load's page


def test_a_load_waiting_for_the_worker_polls_every_two_seconds(web, network):
    load = make_load(network, LoadStatus.UPLOADED, stored_path=str(kept()))
    html = page(web("data"), load).content.decode()
    assert f'hx-get="/data/roster/{load.pk}/status/"' in html and 'hx-trigger="every 2s"' in html
    assert "Waiting for the background worker" in html and "Apply this roster" not in html
    assert "has not started on this file yet" not in html
    RosterLoad.objects.filter(pk=load.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    stuck = page(web("data"), load).content.decode()
    assert "The background worker has not started on this file yet." in stuck
    assert "calaim_worker</code> is running" in stuck


def test_a_step_silent_for_ten_minutes_says_so(web, network):
    path = kept()
    load = make_load(network, LoadStatus.APPLYING, stored_path=str(path), started_at=timezone.now())
    (path.parent / PROGRESS_FILE).write_text(
        json.dumps({"phase": "Writing members", "done": 10, "total": 99, "at": timezone.now().isoformat()})
    )
    assert "No progress reported" not in page(web("data"), load, "status/").content.decode()
    late = timezone.now() - dt.timedelta(minutes=12)
    (path.parent / PROGRESS_FILE).write_text(
        json.dumps({"phase": "Writing members", "done": 10, "total": 99, "at": late.isoformat()})
    )
    html = page(web("data"), load, "status/").content.decode()
    assert "No progress reported for 12 minutes." in html and "Writing members: 10 of 99 rows" in html


def test_a_running_preview_shows_its_progress_from_the_progress_file(web, network):
    path = kept()
    load = make_load(network, LoadStatus.PREVIEWING, stored_path=str(path))
    (path.parent / PROGRESS_FILE).write_text(
        json.dumps({"phase": "Reading rows", "done": 250, "total": 1000, "at": timezone.now().isoformat()})
    )
    html = page(web("data"), load, "status/").content.decode()
    assert html.startswith('<div id="load-body" hx-get=') and 'hx-trigger="every 2s"' in html
    assert "Reading rows: 250 of 1000 rows" in html and "(25%)" in html
    assert 'max="1000" value="250"' in html


def test_the_preview_shows_counts_samples_by_kind_and_the_actions(web, network):
    updated, termed, excluded, delegated = (MemberFactory(last_name=n) for n in ("Upton", "Terman", "Exley", "Dell"))
    load = previewed(network, updated, termed, excluded, delegated)
    html = page(web("data"), load, "status/").content.decode()
    assert "hx-trigger" not in html  # done: the polling stops
    assert "What this roster would change" in html
    assert '<th scope="row">Members termed (absent from the file)</th><td>1</td>' in html
    for title in ("New members", "Members updated", "Members termed", "Members entering an excluding program",
                  "Members delegated"):  # fmt: skip
        assert title in html
    assert "Phone: (blank) → <strong>+12095550111</strong>" in html and "City: Stockton → <strong>Lodi</strong>" in html
    assert "Enrollment ends: (none) → <strong>2026-11-30</strong>" in html
    assert "Programs: (blank) → <strong>HOSPICE</strong>" in html
    assert "Delegated to: (none) → <strong>KAISER</strong>" in html
    assert f'<a href="/members/{termed.pk}/">{termed.cin}</a>' in html and "Newton, Nora" in html
    assert "Apply this roster" in html and "Cancel</button>" in html


def test_showing_the_samples_is_a_phi_read_of_those_members(web, network):
    members = [MemberFactory() for _ in range(4)]
    san_mateo = network.provider_m.contracts.first().counties.first()
    stranger = MemberFactory(plan=Plan.objects.get(code="HPSM"), county=san_mateo)
    load = previewed(network, *members)
    load.samples["updated"].append({"cin": stranger.cin, "name": "Not Ours", "changes": {}})
    load.save(update_fields=["samples"])
    PhiRead.objects.all().delete()
    assert page(web("data"), load).status_code == 200
    reads = PhiRead.objects.filter(user=network.users["data"])
    assert {read.member_id for read in reads} == {m.pk for m in members}
    assert {read.view for read in reads} == {"web:roster_load"}
    # While a step runs the page shows no member, so it reads none.
    PhiRead.objects.all().delete()
    running = make_load(network, LoadStatus.APPLYING, samples=load.samples, stored_path=str(kept()))
    assert page(web("data"), running, "status/").status_code == 200
    assert not PhiRead.objects.exists()


def test_a_rejected_file_lists_its_rows_and_offers_the_rejects_file(web, network, data_dir):
    rejects = kept("roster-rejects.csv", b"row,column,value,message\n3,birth_date,1990-13-01,not a date\n")
    errors = [{"row": 3, "column": "birth_date", "value": "1990-13-01", "message": "Expected a date as MM/DD/YYYY."}]
    errors += [
        {"row": 4 + n, "column": "county", "value": "Atlantis", "message": "Unknown county."} for n in range(250)
    ]
    load = make_load(
        network, LoadStatus.REJECTED, errors=errors, error_count=1234, rejects_path=str(rejects),
        counts={"rows_read": 1300, "rejected": 251, "rejected_by_reason": {"Unknown county.": 250, "Bad date": 1}},
        message="roster-2026-12.csv: 1,234 errors in 251 rows; nothing was written.",
    )  # fmt: skip
    html = page(web("data"), load).content.decode()
    assert "1234 errors, the first 200 shown" in html
    assert "<td>3</td><td>birth_date</td><td>1990-13-01</td><td>Expected a date as MM/DD/YYYY.</td>" in html
    assert html.count("<td>Atlantis</td>") == 199 and "Unknown county.: 250" in html
    assert "1,234 errors in 251 rows; nothing was written." in html
    assert "Apply this roster" not in html
    response = page(web("data"), load, "rejects.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert 'filename="roster-2026-12-rejects.csv"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"row,column,value,message\n3,birth_date")
    assert page(web("compliance"), load, "rejects.csv").status_code == 200
    assert page(web("data"), make_load(network, LoadStatus.APPLIED), "rejects.csv").status_code == 404


def test_a_refused_file_shows_the_numbers_and_a_rerun_that_needs_the_explicit_tick(web, network):
    counts = {"rows_read": 800, "termed": 200, "enrolled_before": 1000, "term_percent": 20.0}
    load = make_load(network, LoadStatus.REFUSED, counts=counts, stored_path=str(kept()))
    html = page(web("data"), load).content.decode()
    assert "This file would term <strong>200</strong> of the plan's <strong>1000</strong> enrolled members" in html
    assert "(<strong>20.0%</strong>)" in html and "Run again, allowing mass termination" in html
    response = web("data").post(f"/data/roster/{load.pk}/rerun/", {})
    assert response.status_code == 400
    assert "Tick the box to confirm that so many members should be termed." in response.content.decode()
    assert RosterLoad.objects.count() == 1
    assert "Run again, allowing" not in page(web("compliance"), load).content.decode()


def test_a_duplicate_says_when_and_by_whom_it_was_loaded_before(web, network):
    first = make_load(network, LoadStatus.APPLIED, file_name="december.csv")
    RosterLoad.objects.filter(pk=first.pk).update(created_at=dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC))
    again = make_load(network, LoadStatus.DUPLICATE, duplicate_of=first, file_name="december-again.csv")
    html = page(web("data"), again).content.decode()
    # 01:30 UTC on 2 December is 17:30 on 1 December in the plan's time zone.
    assert "was loaded on <strong>2026-12-01 17:30</strong> by <strong>hpsj.data</strong>" in html
    assert f'href="/data/roster/{first.pk}/">see that load' in html


# Confirming the apply


def test_apply_records_who_confirmed_and_enqueues_the_apply_task_once(web, network, django_capture_on_commit_callbacks):
    load = previewed(network)
    client = web("data")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/data/roster/{load.pk}/apply/", follow=True)
    assert response.status_code == 200 and "Applying the roster." in response.content.decode()
    load.refresh_from_db()
    assert load.confirmed_by == network.users["data"]
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "calaim.roster.tasks.roster_apply_task"
    assert queued.args_kwargs["args"] == [str(load.pk), network.users["data"].pk] and load.task_id == str(queued.id)
    event = AuditEvent.objects.get(action="roster_load.confirm")
    assert event.actor == network.users["data"] and event.after["confirmed_by"] == network.users["data"].pk
    html = response.content.decode()
    assert "Apply confirmed by Dana Okafor, Health Plan of San Joaquin; waiting for the background worker" in html
    assert "every 2s" in html
    assert "Apply this roster" not in html

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/data/roster/{load.pk}/apply/", follow=True)
    assert "This roster is already being applied." in again.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_a_load_not_previewed_cannot_be_applied(web, network, django_capture_on_commit_callbacks):
    load = make_load(network, LoadStatus.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = web("data").post(f"/data/roster/{load.pk}/apply/", follow=True)
    assert "cannot be applied now: it is rejected" in response.content.decode()
    assert not DBTaskResult.objects.exists()


# Uploads refused before any load is recorded


def test_a_file_with_an_unknown_ending_is_refused_on_the_field_and_nothing_is_kept(web, network, data_dir):
    upload = {"file": SimpleUploadedFile("members.docx", b"PK\x03\x04"), "as_of": plan_today().isoformat()}
    response = web("data").post("/data/roster/", upload)
    assert response.status_code == 400
    html = response.content.decode()
    assert "members.docx: calaim cannot read this kind of file." in html
    assert ".csv, .tsv, .txt or .psv (pipe-separated), .xlsx or .parquet" in html
    assert not RosterLoad.objects.exists() and not any(data_dir.rglob("*.*"))


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(web, network, settings, data_dir):
    settings.CALAIM_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("roster.csv", b"x" * (1024 * 1024 + 1))
    response = web("data").post("/data/roster/", {"file": big, "as_of": plan_today().isoformat()})
    assert response.status_code == 400
    assert "roster.csv is larger than 1 MB, the largest file calaim takes" in response.content.decode()
    assert not RosterLoad.objects.exists() and not any(p for p in data_dir.rglob("*") if p.is_file())


def test_an_upload_without_a_file_or_a_date_names_the_field(web, network):
    response = web("data").post("/data/roster/", {"as_of": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "Choose the roster file to upload." in html
    assert "This field is required." in html and not RosterLoad.objects.exists()
