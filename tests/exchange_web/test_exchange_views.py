"""Provider files in the browser: the plan's page (every load by provider, period, status and errors; uploads on a
provider's behalf; each provider's MIF), the provider's page (its own files for each plan it contracts with), a
load's report with its progress and rejected rows, the rejects file and the files calaim makes. Who sees what is a
matrix (anonymous, a role without access, another plan, another provider, the allowed), and a refusal changes
nothing.

Loads are made here as rows in each state, so the pages are tested apart from the import; the whole path through
the upload, the worker and the import closes the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.accounts.models import Role
from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.exchange.columns import RTF_COLUMNS
from calaim.exchange.models import ExchangeExport, ExchangeLoad, FileKind, LoadSource, LoadStatus, ProviderReport
from calaim.jobs.worker import CalaimWorker
from calaim.network.models import Contract
from calaim.plans.models import Plan
from tests.exchange.conftest import ALPHA_NPI, BRAVO_NPI, MATEO_NPI, rtf_file, rtf_row, us
from tests.factories import EnrollmentFactory, MemberFactory, OrganizationFactory, UserFactory, ecm_contract

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
PERIOD = f"{plan_today():%Y-%m}"
# Roles that see no provider file at all: a referrer (plan roles and provider roles all see some).
NO_ACCESS = ("referrer",)
CS_NPI = "1000000004"


@pytest.fixture
def network(network: Any) -> Any:
    """The shared network with NPIs, provider A contracted with both plans, and each plan's data analyst and
    compliance officer, and HPSM's provider's supervisor."""
    for org, npi in ((network.provider_a, ALPHA_NPI), (network.provider_b, BRAVO_NPI), (network.provider_m, MATEO_NPI)):
        org.npi, org.tin = npi, "941234567"
        org.save(update_fields=["npi", "tin"])
    ecm_contract(network.provider_a, "HPSM", ["San Mateo"])
    users = network.users
    users["data"] = UserFactory(username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    users["hpsm_data"] = UserFactory(username="hpsm.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsm)
    users["compliance"] = UserFactory(username="hpsj.compl", role=Role.PLAN_COMPLIANCE, organization=network.hpsj)
    users["sup_m"] = UserFactory(username="sup_m", role=Role.PROVIDER_SUPERVISOR, organization=network.provider_m)
    return network


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    return Path(settings.CALAIM_DATA_DIR)


def make_load(
    network: Any, status: str = LoadStatus.APPLIED, *, plan: str = "HPSJ", provider: Any = None, **fields: Any
) -> ExchangeLoad:
    """A load as the import leaves it in `status`, uploaded by provider A's supervisor unless told."""
    defaults: dict[str, Any] = {
        "kind": FileKind.RTF, "plan": Plan.objects.get(code=plan), "provider": provider or network.provider_a,
        "file_name": "RTF_2026-11.csv", "file_format": "csv", "file_sha256": "ab" * 32, "file_size": 2048,
        "source": LoadSource.WEB, "status": status, "created_by": network.users["sup_a"], "actor_label": "sup_a",
        "period": "2026-11", "finished_at": timezone.now(),
    }  # fmt: skip
    return ExchangeLoad.objects.create(**{**defaults, **fields})


def rejected(network: Any, data_dir: Path, cin: str, **fields: Any) -> ExchangeLoad:
    """A rejected load naming `cin` in its CIN column, with its rejects file kept."""
    rejects = data_dir / "exchange" / "rejects.csv"
    rejects.parent.mkdir(parents=True, exist_ok=True)
    rejects.write_text(f"row,column,value,message\n2,Member Client Index Number (CIN),{cin},not assigned\n")
    errors = [
        {"row": 2, "column": "Member Client Index Number (CIN)", "value": cin,
         "message": f"member {cin} is not assigned to Alpha Care Partners under HPSJ"},
        {"row": 3, "column": "Date of Referral Status Update", "value": "13/45/2026",
         "message": "a date as MM/DD/YYYY or YYYY-MM-DD"},
    ]  # fmt: skip
    counts = {"rows_read": 3, "applied": 0, "rejected": 2, "rejected_by_reason": {"CIN: not assigned": 1}}
    defaults = {"errors": errors, "error_count": 2, "rejects_path": str(rejects), "counts": counts,
                "message": "RTF_2026-11.csv: 2 errors in 2 of 3 rows; nothing was applied."}  # fmt: skip
    return make_load(network, LoadStatus.REJECTED, **{**defaults, **fields})


def kept_files(data_dir: Path) -> list[Path]:
    """Every file kept under the uploads' folder."""
    return [path for path in (data_dir / "exchange").rglob("*") if path.is_file()]


def page(client: Any, load: ExchangeLoad, suffix: str = "") -> Any:
    return client.get(f"/exchange/loads/{load.pk}/{suffix}")


def upload_body(name: str = "rtf.csv", content: bytes = b"x\n", **form: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content), "kind": "rtf", **form}


# The plan's page --------------------------------------------------------------------------------------------------


def test_the_plan_page_lists_every_providers_load_of_the_plan_and_no_other_plans(web, network):
    make_load(network, file_name="alpha.csv")
    make_load(network, provider=network.provider_b, file_name="bravo.csv", created_by=network.users["cm_b"])
    make_load(network, plan="HPSM", provider=network.provider_m, file_name="mateo.csv")
    for role in ("data", "compliance", "intake", "member_services"):
        html = web(role).get("/data/exchange/").content.decode()
        assert "alpha.csv" in html and "bravo.csv" in html and "mateo.csv" not in html, role
    html = web("hpsm_data").get("/data/exchange/").content.decode()
    assert "mateo.csv" in html and "alpha.csv" not in html and "bravo.csv" not in html


def test_the_plan_page_filters_by_provider_period_status_and_errors(web, network, data_dir):
    make_load(network, file_name="alpha-nov.csv")
    make_load(network, file_name="alpha-oct.csv", period="2026-10")
    make_load(network, provider=network.provider_b, file_name="bravo-nov.csv")
    rejected(network, data_dir, "91234567A", file_name="alpha-bad.csv")
    client = web("data")

    def shown(**query: str) -> set[str]:
        html = client.get("/data/exchange/", query).content.decode()
        return {name for name in ("alpha-nov.csv", "alpha-oct.csv", "bravo-nov.csv", "alpha-bad.csv") if name in html}

    assert shown(provider=str(network.provider_b.pk)) == {"bravo-nov.csv"}
    assert shown(period="2026-10") == {"alpha-oct.csv"}
    assert shown(status="rejected") == {"alpha-bad.csv"}
    assert shown(with_errors="yes") == {"alpha-bad.csv"}
    assert shown(with_errors="no", provider=str(network.provider_a.pk)) == {"alpha-nov.csv", "alpha-oct.csv"}
    # A value that is not a choice filters nothing and says why.
    html = client.get("/data/exchange/", {"period": "November"}).content.decode()
    assert "is not a month" in html and "bravo-nov.csv" in html
    assert shown(provider=str(network.provider_m.pk)) == {
        "alpha-nov.csv",
        "alpha-oct.csv",
        "bravo-nov.csv",
        "alpha-bad.csv",
    }  # another plan's provider: no choice


def test_the_plan_page_pages_its_loads_keeping_the_filters(web, network):
    for n in range(27):
        make_load(network, file_name=f"file-{n:02d}.csv")
    html = web("data").get("/data/exchange/", {"status": "applied"}).content.decode()
    assert "Page 1 of 2" in html and "status=applied&amp;page=2" in html
    assert "file-00.csv" in web("data").get("/data/exchange/", {"status": "applied", "page": "2"}).content.decode()


def test_only_the_analysts_see_the_upload_and_make_buttons_the_other_plan_roles_see_the_files(web, network):
    made = ExchangeExport.objects.create(
        kind=FileKind.MIF, plan=network.hpsj.plan, provider=network.provider_a, period=PERIOD, file_format="csv",
        file_name="MIF_made.csv", stored_path="/nowhere/MIF_made.csv", source=LoadSource.WEB, actor_label="hpsj.data",
    )  # fmt: skip
    html = web("data").get("/data/exchange/").content.decode()
    assert "Upload a provider's file on its behalf" in html and "Make the MIF" in html and "Make it again" in html
    assert "Make a file in another format" in html and 'id="files-read-only"' not in html
    for role in ("intake", "member_services", "um", "compliance"):
        html = web(role).get("/data/exchange/").content.decode()
        assert "Upload a provider" not in html and "Make the " not in html and "Make it again" not in html, role
        assert "Make a file in another format" not in html, role
        assert 'id="files-read-only"' in html and made.file_name in html, role  # the files made, to download


def test_provider_staff_on_the_plan_page_go_to_their_own_and_plan_staff_the_other_way(web, network):
    assert web("sup_a").get("/data/exchange/")["Location"] == "/exchange/"
    assert web("data").get("/exchange/")["Location"] == "/data/exchange/"


@pytest.mark.parametrize("role", NO_ACCESS)
def test_a_role_without_access_is_refused_and_finds_no_load(
    web, network, role, data_dir, django_capture_on_commit_callbacks
):
    load = rejected(network, data_dir, "91234567A")
    client = web(role)
    assert client.get("/data/exchange/").status_code == 403
    assert client.get("/exchange/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/data/exchange/", upload_body(provider=str(network.provider_a.pk))).status_code == 403
        assert client.post("/exchange/", upload_body(plan="HPSJ")).status_code == 403
        assert client.post("/exchange/exports/", {"kind": "mif", "plan": "HPSJ", "period": PERIOD,
                                                  "file_format": "csv"}).status_code == 403  # fmt: skip
    for suffix in ("", "status/", "rejects.csv"):
        assert page(client, load, suffix).status_code == 404, suffix
    assert ExchangeLoad.objects.count() == 1 and not ExchangeExport.objects.exists()
    assert not DBTaskResult.objects.exists() and not AuditEvent.objects.exists()


def test_anonymous_callers_are_sent_to_sign_in(client, network):
    load = make_load(network)
    for path in ("/data/exchange/", "/exchange/", f"/exchange/loads/{load.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


# The provider's page ----------------------------------------------------------------------------------------------


def test_the_provider_page_lists_its_own_loads_for_each_of_its_plans_and_no_one_elses(web, network):
    make_load(network, file_name="alpha-hpsj.csv")
    make_load(network, plan="HPSM", file_name="alpha-hpsm.csv")
    make_load(network, provider=network.provider_b, file_name="bravo.csv")
    make_load(network, plan="HPSM", provider=network.provider_m, file_name="mateo.csv")
    for role in ("sup_a", "cm_a"):
        html = web(role).get("/exchange/").content.decode()
        assert "alpha-hpsj.csv" in html and "alpha-hpsm.csv" in html, role
        assert "bravo.csv" not in html and "mateo.csv" not in html, role
    html = web("sup_a").get("/exchange/", {"plan": "HPSM"}).content.decode()
    assert "alpha-hpsm.csv" in html and "alpha-hpsj.csv" not in html
    assert "bravo.csv" in web("cm_b").get("/exchange/").content.decode()


def test_the_provider_page_offers_each_plans_mif_rtf_otf_and_service_lines(web, network):
    html = web("sup_a").get("/exchange/").content.decode()
    assert '<th scope="col">Service lines</th>' in html
    for plan in ("HPSJ", "HPSM"):
        for kind in ("MIF", "RTF", "OTF", "service lines"):
            assert f'Make the {kind}<span class="sr-only"> for {plan}, {PERIOD}' in html, (plan, kind)
    html = web("cm_b").get("/exchange/").content.decode()
    assert "for HPSJ" in html and "for HPSM" not in html


def test_a_community_supports_provider_is_offered_its_rtf_only(web, network):
    cs = OrganizationFactory(name="Valley Recuperative Care", kind="cs_provider", npi=CS_NPI)
    Contract.objects.create(plan=Plan.objects.get(code="HPSJ"), organization=cs, program="cs", capacity=10,
                            start_date=dt.date(2022, 1, 1))  # fmt: skip
    network.users["cs_staff"] = UserFactory(username="cs_staff", role=Role.PROVIDER_CARE_MANAGER, organization=cs)
    html = web("cs_staff").get("/exchange/").content.decode()
    assert "Make the RTF" in html and "Make the MIF" not in html and "Make the OTF" not in html
    assert html.count("No contract for this file") == 2
    plan_page = web("data").get("/data/exchange/").content.decode()
    assert "Valley Recuperative Care" in plan_page and "No contract for this file" in plan_page


# A load's report --------------------------------------------------------------------------------------------------


def test_the_report_shows_the_rejected_rows_with_row_column_value_and_reason(web, network, data_dir):
    member = MemberFactory()
    load = rejected(network, data_dir, member.cin)
    for role in ("data", "compliance", "sup_a", "cm_a"):
        html = page(web(role), load).content.decode()
        assert "Status: Rejected: nothing applied" in html, role
        assert "Date of Referral Status Update" in html and "13/45/2026" in html and "<td>3</td>" in html
        assert f"member {member.cin} is not assigned" in html and "Download every rejected row" in html
    # Plan staff see the member named by the row as a link to the record, and that read is on the PHI log.
    html = page(web("data"), load).content.decode()
    assert f'href="/members/{member.pk}/">{member.cin}</a>' in html
    assert PhiRead.objects.filter(member=member, user=network.users["data"]).exists()


def test_the_rejects_file_downloads_and_names_its_members_on_the_phi_log(web, network, data_dir):
    member = MemberFactory()
    load = rejected(network, data_dir, member.cin)
    response = page(web("data"), load, "rejects.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="RTF_2026-11-rejects.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "column", "value", "message"] and rows[1][:3] == ["2", RTF_COLUMNS[2], member.cin]
    assert PhiRead.objects.filter(member=member, user=network.users["data"]).exists()
    assert page(web("data"), make_load(network), "rejects.csv").status_code == 404  # none to download


@pytest.mark.parametrize("role", ["hpsm_data", "cm_b", "sup_m"])
def test_another_plans_or_providers_staff_find_no_load(web, network, role, data_dir):
    load = rejected(network, data_dir, "91234567A")
    for suffix in ("", "status/", "rejects.csv"):
        assert page(web(role), load, suffix).status_code == 404, (role, suffix)
    assert "RTF_2026-11.csv" not in web(role).get("/exchange/", follow=True).content.decode()


def test_a_load_waiting_or_running_polls_every_two_seconds_with_its_progress(web, network):
    waiting = make_load(network, LoadStatus.UPLOADED, finished_at=None)
    html = page(web("sup_a"), waiting).content.decode()
    assert f'hx-get="/exchange/loads/{waiting.pk}/status/"' in html and 'hx-trigger="every 2s"' in html
    assert "Waiting for the worker" in html
    running = make_load(network, LoadStatus.RUNNING, finished_at=None, phase="Checking rows", progress_done=40,
                        progress_total=160)  # fmt: skip
    body = page(web("sup_a"), running, "status/").content.decode()
    assert body.startswith('<div id="load-body" hx-get=') and "Checking rows: 40 of 160 rows" in body
    assert "(25%)" in body and "<html" not in body


def test_a_finished_load_stops_polling_and_shows_what_it_did(web, network):
    counts = {"rows_read": 12, "applied": 10, "unchanged": 2, "loop_steps": 7, "reports": 3, "elapsed_seconds": 0.8}
    load = make_load(network, counts=counts, message="10 rows applied, 2 already on record.")
    body = page(web("data"), load, "status/").content.decode()
    assert "hx-trigger" not in body and "Status: Applied" in body and "10 rows applied" in body
    assert '<th scope="row">Closed-loop statuses recorded</th><td>7</td>' in body
    assert '<th scope="row">Time taken</th><td>0.8 s</td>' in body


def test_a_duplicate_says_when_and_by_whom_it_was_loaded_before(web, network):
    first = make_load(network)
    again = make_load(network, LoadStatus.DUPLICATE, duplicate_of=first)
    html = page(web("sup_a"), again).content.decode()
    assert "was loaded on" in html and f'href="/exchange/loads/{first.pk}/"' in html and "sup_a" in html


# Uploads ----------------------------------------------------------------------------------------------------------


def test_the_analyst_uploads_for_a_provider_and_the_import_is_queued_once(
    web, network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web("data").post(
            "/data/exchange/", upload_body("alpha-rtf.csv", accept_valid_rows="on", provider=str(network.provider_a.pk))
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    load = ExchangeLoad.objects.get()
    assert response["Location"] == f"/exchange/loads/{load.pk}/"
    assert (load.plan.code, load.provider, load.kind, load.source) == ("HPSJ", network.provider_a, "rtf", "web")
    assert load.accept_valid_rows and load.created_by == network.users["data"] and load.status == LoadStatus.UPLOADED
    assert Path(load.stored_path).read_bytes() == b"x\n" and "/exchange/" in load.stored_path
    assert DBTaskResult.objects.count() == 1 and load.task_id
    assert AuditEvent.objects.filter(action="exchange_load.create", actor=network.users["data"]).exists()


def test_a_provider_uploads_for_each_of_its_plans(web, network, django_capture_on_commit_callbacks):
    for plan in ("HPSJ", "HPSM"):
        with django_capture_on_commit_callbacks(execute=True):
            response = web("sup_a").post("/exchange/", upload_body(f"{plan}.csv", plan=plan))
        assert response.status_code == 302, response.content.decode()[:3000]
    loads = ExchangeLoad.objects.order_by("created_at")
    assert [(load.plan.code, load.provider) for load in loads] == [("HPSJ", network.provider_a),
                                                                   ("HPSM", network.provider_a)]  # fmt: skip
    assert DBTaskResult.objects.count() == 2


def test_uploads_outside_the_callers_scope_are_refused_and_keep_nothing(
    web, network, data_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # A plan the provider has no contract with, another plan's provider: not among the choices.
        assert web("cm_b").post("/exchange/", upload_body(plan="HPSM")).status_code == 400
        mateo, alpha = str(network.provider_m.pk), str(network.provider_a.pk)
        assert web("data").post("/data/exchange/", upload_body(provider=mateo)).status_code == 400
        # Roles that see the files but may not send them.
        for role in ("compliance", "um", "intake", "member_services"):
            assert web(role).post("/data/exchange/", upload_body(provider=alpha)).status_code == 403, role
    assert not ExchangeLoad.objects.exists() and not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.exists()
    assert kept_files(data_dir) == []


def test_a_file_with_an_unknown_ending_or_no_file_is_refused_on_the_field(web, network, data_dir):
    response = web("sup_a").post("/exchange/", upload_body("rtf.parquet", plan="HPSJ"))
    assert response.status_code == 400
    assert "rtf.parquet: calaim cannot read this kind of file" in response.content.decode()
    response = web("sup_a").post("/exchange/", {"kind": "rtf", "plan": "HPSJ"})
    assert response.status_code == 400 and "Choose the file to upload." in response.content.decode()
    assert not ExchangeLoad.objects.exists()
    assert kept_files(data_dir) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(web, network, settings, data_dir):
    settings.CALAIM_UPLOAD_MAX_MB = 1
    big = b"a" * (1024 * 1024 + 10)
    response = web("sup_a").post("/exchange/", upload_body("big.csv", big, plan="HPSJ"))
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    assert not ExchangeLoad.objects.exists()
    assert kept_files(data_dir) == []


# Files calaim makes -----------------------------------------------------------------------------------------------


def test_a_provider_makes_and_downloads_its_file_for_each_plan(web, network):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    client = web("sup_a")
    made = {}
    for plan in ("HPSJ", "HPSM"):
        body = {"kind": "mif", "plan": plan, "period": PERIOD, "file_format": "csv"}
        response = client.post("/exchange/exports/", body)
        assert response.status_code == 302, response.content.decode()[:3000]
        made[plan] = ExchangeExport.objects.get(plan__code=plan)
        assert response["Location"] == f"/exchange/exports/{made[plan].pk}/file"
        assert made[plan].provider == network.provider_a and made[plan].created_by == network.users["sup_a"]
    response = client.get(f"/exchange/exports/{made['HPSJ'].pk}/file")
    content = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and enrollment.member.cin in content
    assert made["HPSJ"].file_name in response["Content-Disposition"]
    assert PhiRead.objects.filter(member=enrollment.member, user=network.users["sup_a"]).exists()
    other_plan = client.get(f"/exchange/exports/{made['HPSM'].pk}/file")
    assert enrollment.member.cin not in b"".join(other_plan.streaming_content).decode()
    # Each plan's latest file is on the page.
    html = client.get("/exchange/").content.decode()
    assert made["HPSJ"].file_name in html and made["HPSM"].file_name in html


def test_the_analyst_makes_a_providers_mif_and_compliance_downloads_it(web, network):
    response = web("data").post("/exchange/exports/", {"kind": "mif", "provider": str(network.provider_b.pk),
                                                       "period": PERIOD, "file_format": "xlsx"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    export = ExchangeExport.objects.get()
    assert (export.provider, export.file_format, export.kind) == (network.provider_b, "xlsx", "mif")
    assert web("compliance").get(f"/exchange/exports/{export.pk}/file").status_code == 200
    assert export.file_name in web("data").get("/data/exchange/").content.decode()


def test_the_analyst_makes_a_providers_service_lines_from_the_grid_and_a_download_is_a_phi_read(web, network):
    enrollment = EnrollmentFactory(provider=network.provider_b, enrolled=True)
    OutreachAttempt.objects.create(
        member=enrollment.member, enrollment=enrollment, organization=network.provider_b, attempted_on=plan_today(),
        method="phone", reached=True, minutes_spent=20, performed_by=network.users["cm_b"],
    )  # fmt: skip
    html = web("data").get("/data/exchange/").content.decode()
    assert '<th scope="col">Service lines</th>' in html
    assert f'Make the service lines<span class="sr-only"> for {network.provider_b.name}, {PERIOD}' in html
    body = {"kind": "service_lines", "provider": str(network.provider_b.pk), "period": PERIOD, "file_format": "csv"}
    response = web("data").post("/exchange/exports/", body)
    assert response.status_code == 302, response.content.decode()[:3000]
    export = ExchangeExport.objects.get()
    assert (export.kind, export.provider, export.rows) == (FileKind.SERVICE_LINES, network.provider_b, 1)
    assert export.file_name.startswith(f"SERVICE_LINES_HPSJ_{BRAVO_NPI}_")
    assert export.file_name in web("data").get("/data/exchange/").content.decode()
    for role in ("compliance", "cm_b"):
        download = web(role).get(f"/exchange/exports/{export.pk}/file")
        assert enrollment.member.cin in b"".join(download.streaming_content).decode(), role
        assert PhiRead.objects.filter(member=enrollment.member, user=network.users[role]).exists(), role
    assert web("compliance").post("/exchange/exports/", body).status_code == 403
    assert ExchangeExport.objects.count() == 1


def test_made_files_are_not_found_outside_their_scope_and_refused_roles_make_none(web, network):
    web("data").post("/exchange/exports/", {"kind": "mif", "provider": str(network.provider_a.pk), "period": PERIOD,
                                           "file_format": "csv"})  # fmt: skip
    export = ExchangeExport.objects.get()
    for role in ("hpsm_data", "cm_b", "sup_m", "referrer"):
        assert web(role).get(f"/exchange/exports/{export.pk}/file").status_code == 404, role
    # The plan's other roles see the files but may not make one (403); a provider names a plan it has no contract
    # with (400).
    body = {"kind": "mif", "provider": str(network.provider_a.pk), "period": PERIOD, "file_format": "csv"}
    for role in ("intake", "member_services", "um", "compliance"):
        assert web(role).post("/exchange/exports/", body).status_code == 403, role
    assert web("cm_b").post("/exchange/exports/", {**body, "plan": "HPSM"}).status_code == 400
    future = (plan_today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
    response = web("data").post("/exchange/exports/", {**body, "period": future})
    assert response.status_code == 400 and "has not begun" in response.content.decode()
    assert ExchangeExport.objects.count() == 1


# The whole path: upload, the worker, the report -------------------------------------------------------------------


def work() -> int:
    """Run every queued task with the worker's own code, as `manage.py calaim_worker` does."""
    worker = CalaimWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while worker.step():
        ran += 1
    return ran


def test_an_rtf_uploaded_by_the_provider_is_rejected_then_applied_corrected(
    web, network, tmp_path, django_capture_on_commit_callbacks
):
    earlier = timezone.now() - dt.timedelta(days=20)
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True, assigned_at=earlier)
    other = MemberFactory()
    rows = [rtf_row(enrollment.member.cin, lcm="Rosa Diaz", acuity="High"),
            rtf_row(other.cin, status="Accepted", status_date=us(plan_today()))]  # fmt: skip
    path = rtf_file(tmp_path / "rtf.csv", rows)
    client = web("sup_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exchange/", upload_body("rtf.csv", path.read_bytes(), plan="HPSJ"))
    load = ExchangeLoad.objects.get()
    assert response.status_code == 302 and work() == 1
    load.refresh_from_db()
    assert load.status == LoadStatus.REJECTED and not ProviderReport.objects.exists()  # all or nothing
    html = page(client, load).content.decode()
    assert f"member {other.cin} is not assigned" in html and "<td>2</td>" in html
    # Corrected and sent again: the valid row applies, the report says so.
    fixed = rtf_file(tmp_path / "fixed.csv", rows[:1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exchange/", upload_body("fixed.csv", fixed.read_bytes(), plan="HPSJ"))
    assert work() == 1
    again = ExchangeLoad.objects.exclude(pk=load.pk).get()
    assert again.status == LoadStatus.APPLIED, again.message
    assert ProviderReport.objects.get().lead_care_manager_name == "Rosa Diaz"
    assert "Lead Care Manager and milestone reports</th><td>1</td>" in page(client, again).content.decode()
