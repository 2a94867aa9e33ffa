"""The notices API's letters: each notice's letter facts, the PDF (scoped, on the PHI read log), returned mail and the
address flags, and the mail batches (member services make them, compliance reads them, anyone else finds none), with
the OpenAPI document describing them."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from typing import Any

import pytest

from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeStatus
from tests.factories import MemberFactory
from tests.notices.mailroom_support import addressed_member, hpsm_member, letter_notice, mailroom_users, sample_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(network: Any) -> Any:
    return mailroom_users(network)


def test_a_notice_carries_its_letters_facts(api, users):
    member = addressed_member(language="vi")
    produced = letter_notice(member, language="en", text="English with taglines")
    planned = letter_notice(member, status=NoticeStatus.PLANNED)

    items = {item["id"]: item for item in api("intake").get("/notices", member_id=str(member.pk)).json()["items"]}

    letter = items[str(produced.pk)]
    assert (letter["status"], letter["language"], letter["letter_language"]) == ("produced", "vi", "en")
    assert letter["letter_in_preferred_language"] is False and letter["letter_page_count"] == 1
    assert letter["letter_sha256"] == hashlib.sha256(sample_pdf("English with taglines")).hexdigest()
    assert letter["produced_at"] and letter["letter_url"] == f"/api/notices/{produced.pk}/letter.pdf"
    assert (letter["mail_batch_id"], letter["returned_at"], letter["return_reason"]) == (None, None, "")
    assert items[str(planned.pk)]["letter_url"] is None and items[str(planned.pk)]["letter_sha256"] is None
    produced_only = api("intake").get("/notices", member_id=str(member.pk), status="produced").json()
    assert [item["id"] for item in produced_only["items"]] == [str(produced.pk)]
    single = api("intake").get(f"/notices/{produced.pk}")
    assert single.status_code == 200 and single.json()["letter_sha256"] == letter["letter_sha256"]


def test_the_letter_pdf_is_scoped_and_logged(api, users):
    notice = letter_notice(addressed_member(), text="The API's copy")
    PhiRead.objects.all().delete()
    response = api("um").get(f"/notices/{notice.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == sample_pdf("The API's copy")
    assert {(r.member_id, r.view) for r in PhiRead.objects.all()} == {(notice.member_id, "api:get_notice_letter")}
    PhiRead.objects.all().delete()
    for who in ("hpsm_ms", "cm_a", "referrer"):
        refused = api(who).get(f"/notices/{notice.pk}/letter.pdf")
        assert refused.status_code == 404 and refused.json()["detail"][0]["type"] == "not_found"
        assert api(who).get(f"/notices/{notice.pk}").status_code == 404
    assert api(None).get(f"/notices/{notice.pk}/letter.pdf").status_code == 401
    assert not PhiRead.objects.exists()
    planned = letter_notice(addressed_member(), status=NoticeStatus.PLANNED)
    assert api("um").get(f"/notices/{planned.pk}/letter.pdf").status_code == 404


def _mailed(member: Any) -> Notice:
    notice = letter_notice(member, status=NoticeStatus.SENT)
    Notice.objects.filter(pk=notice.pk).update(
        mail_batch=MailBatch.objects.create(plan=member.plan, mail_date=plan_today(), letter_count=1)
    )
    return notice


def test_returned_mail_opens_a_flag_that_member_services_resolve(api, users):
    notice = _mailed(addressed_member())
    response = api("member_services").post(f"/notices/{notice.pk}/returned", {"reason": "Unknown at this address"})
    assert response.status_code == 201
    flag = response.json()
    assert (flag["notice_id"], flag["member_id"], flag["reported_by"]) == (str(notice.pk), str(notice.member_id), "ms")
    assert flag["reason"] == "Returned mail: Unknown at this address" and flag["resolved_at"] is None
    returned = api("member_services").get(f"/notices/{notice.pk}").json()
    assert returned["returned_at"] and returned["return_reason"] == "Unknown at this address"
    assert [f["id"] for f in api("compliance").get("/address-flags").json()["items"]] == [flag["id"]]
    assert api("intake").get("/address-flags").json()["items"] == []
    assert api("hpsm_ms").get("/address-flags").json()["items"] == []

    assert api("compliance").post(f"/address-flags/{flag['id']}/resolve", {"note": "n"}).status_code == 403
    assert api("hpsm_ms").post(f"/address-flags/{flag['id']}/resolve", {"note": "n"}).status_code == 404
    resolved = api("member_services").post(f"/address-flags/{flag['id']}/resolve", {"note": "New address on file."})
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    again = api("member_services").post(f"/address-flags/{flag['id']}/resolve", {"note": "Again"})
    assert again.status_code == 409


@pytest.mark.parametrize(("who", "status"), [("compliance", 403), ("intake", 404), ("hpsm_ms", 404), ("cm_a", 404)])
def test_returned_mail_refused_changes_nothing(api, users, who, status):
    notice = _mailed(addressed_member())
    assert api(who).post(f"/notices/{notice.pk}/returned", {"reason": "Moved"}).status_code == status
    notice.refresh_from_db()
    assert notice.returned_at is None and not AddressFlag.objects.exists()


def test_returned_mail_of_a_letter_not_mailed_is_a_conflict(api, users):
    produced = letter_notice(addressed_member())
    response = api("member_services").post(f"/notices/{produced.pk}/returned", {"reason": "Moved"})
    assert response.status_code == 409 and not AddressFlag.objects.exists()
    assert api("member_services").post(f"/notices/{produced.pk}/returned", {"reason": ""}).status_code == 422


def test_member_services_make_the_batch_and_fetch_its_zip(api, users):
    ours = [letter_notice(addressed_member()) for _ in range(2)]
    left_out = letter_notice(MemberFactory())
    letter_notice(hpsm_member())

    response = api("member_services").post("/mail-batches", {})

    assert response.status_code == 201
    made = response.json()
    batch = made["batch"]
    assert (batch["plan"], batch["letter_count"], batch["made_by"]) == ("HPSJ", 2, "ms")
    assert batch["mail_date"] == plan_today().isoformat()
    assert made["exceptions"] == [{"notice_id": str(left_out.pk), "reason": made["exceptions"][0]["reason"]}]
    for notice in ours:
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.SENT and str(notice.mail_batch_id) == batch["id"]
    listed = api("compliance").get("/mail-batches").json()
    assert [item["id"] for item in listed["items"]] == [batch["id"]]
    assert api("intake").get("/mail-batches").json()["items"] == []
    assert api("hpsm_ms").get("/mail-batches").json()["items"] == []
    assert api("intake").get(f"/mail-batches/{batch['id']}").status_code == 404

    PhiRead.objects.all().delete()
    archive = api("compliance").get(batch["file_url"].removeprefix("/api"))
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content)))
    rows = list(csv.DictReader(io.StringIO(files.read("manifest.csv").decode())))
    assert {row["notice_id"] for row in rows} == {str(n.pk) for n in ours}
    assert hashlib.sha256(files.read("manifest.csv")).hexdigest() == batch["manifest_sha256"]
    assert {r.member_id for r in PhiRead.objects.filter(view="api:get_mail_batch_zip")} == {n.member_id for n in ours}
    assert api("hpsm_ms").get(batch["file_url"].removeprefix("/api")).status_code == 404

    again = api("member_services").post("/mail-batches", {"mail_date": plan_today().isoformat()})
    assert again.status_code == 200 and again.json()["batch"] is None


@pytest.mark.parametrize(("who", "status"), [("compliance", 403), ("intake", 404), ("cm_a", 404), ("referrer", 404)])
def test_a_batch_refused_changes_nothing(api, users, who, status):
    notice = letter_notice(addressed_member())
    assert api(who).post("/mail-batches", {}).status_code == status
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PRODUCED and not MailBatch.objects.exists()


def test_a_future_or_malformed_mail_date_is_refused(api, users):
    letter_notice(addressed_member())
    assert api("member_services").post("/mail-batches", {"mail_date": "2100-01-01"}).status_code == 422
    assert api("member_services").post("/mail-batches", {"mail_date": "soon"}).status_code == 422
    assert not MailBatch.objects.exists()


def test_the_openapi_document_describes_the_letters_and_batches(api, network):
    document = api(None).client.get("/api/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for path in (
        "/api/notices/{notice_id}/letter.pdf",
        "/api/notices/{notice_id}/returned",
        "/api/mail-batches",
        "/api/mail-batches/{batch_id}/letters.zip",
        "/api/address-flags/{flag_id}/resolve",
    ):
        assert path in paths, path
    pdf = paths["/api/notices/{notice_id}/letter.pdf"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf
    assert set(paths["/api/mail-batches"]) == {"get", "post"}
