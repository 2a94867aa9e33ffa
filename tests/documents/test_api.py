"""The documents API: list a record's documents, attach (multipart), read, download and remove, each for anonymous,
wrong-role, other-organization or -plan and allowed callers; errors in the API's one shape, naming the field."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calaim.core.models import AuditEvent, PhiRead
from calaim.documents.models import Document
from tests.documents.conftest import PDF, PNG, attached, stored_files

pytestmark = pytest.mark.django_db


def upload(api, who, path, content=PDF, name="referral.pdf", **fields):
    client = api(who)
    data = {"file": SimpleUploadedFile(name, content), "kind": "referral_form", "title": "Signed form", **fields}
    return client.client.post(f"/api{path}", data, headers=client.headers)


def test_the_referrer_attaches_and_um_lists_and_downloads(api, users, referral):
    created = upload(api, "referrer", f"/referrals/{referral.pk}/documents")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["attached_to"] == {"type": "referral", "id": str(referral.pk)} and body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf" and body["kind_label"] == "Referral form"
    assert "storage_key" not in body
    listed = api("um").get(f"/referrals/{referral.pk}/documents").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    download = api("um").get(f"/documents/{body['id']}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert PhiRead.objects.filter(member=referral.member, user=users["um"], view="api:get_document_file").exists()


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("compliance", 403), ("hpsm_intake", 404), ("cm_b", 404)])
def test_attach_is_refused_to_others_and_changes_nothing(api, referral, documents_dir, who, status):
    response = upload(api, who, f"/referrals/{referral.pk}/documents")
    assert response.status_code == status and "detail" in response.json()
    assert not Document.objects.exists() and not stored_files(documents_dir)


def test_a_bad_file_or_kind_is_a_422_naming_the_field(api, referral, documents_dir):
    disguised = upload(api, "referrer", f"/referrals/{referral.pk}/documents", PNG, "scan.pdf")
    assert disguised.status_code == 422 and disguised.json()["detail"][0]["loc"] == ["body", "file"]
    kind = upload(api, "referrer", f"/referrals/{referral.pk}/documents", kind="x-ray")
    assert kind.status_code == 422 and kind.json()["detail"][0]["loc"] == ["body", "kind"]
    assert not Document.objects.exists() and not stored_files(documents_dir)


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("referrer_cbo", 404), ("hpsm_um", 404), ("cm_b", 404)])
def test_list_read_and_download_are_404_outside_the_records_scope(api, users, referral, who, status):
    document = attached(users["referrer"], referral)
    for path in (f"/referrals/{referral.pk}/documents", f"/documents/{document.pk}", f"/documents/{document.pk}/file"):
        assert api(who).get(path).status_code == status, path
    assert not PhiRead.objects.filter(member=referral.member).exists()


def test_each_kind_of_record_lists_its_documents(api, users, cs_request, authorization, appeal):
    on_cs = attached(users["intake"], cs_request)
    on_authorization = attached(users["um"], authorization)
    on_appeal = attached(users["appeals"], appeal)
    cases = [
        ("um", f"/community-supports/requests/{cs_request.pk}/documents", {on_cs}),
        ("um", f"/authorizations/{authorization.pk}/documents", {on_authorization}),
        ("appeals", f"/appeals/{appeal.pk}/documents", {on_appeal}),
    ]
    for who, path, expected in cases:
        response = api(who).get(path)
        assert response.status_code == 200, path
        assert {item["id"] for item in response.json()["items"]} == {str(d.pk) for d in expected}, path
    assert api("um").get(f"/appeals/{appeal.pk}/documents").status_code == 404  # UM does not read appeals
    assert upload(api, "appeals", f"/appeals/{appeal.pk}/documents").status_code == 201
    assert upload(api, "um", f"/authorizations/{authorization.pk}/documents").status_code == 201


def test_removal(api, users, referral, documents_dir):
    document = attached(users["referrer"], referral)
    path = f"/documents/{document.pk}/removal"
    assert api(None).post(path, {"reason": "x"}).status_code == 401
    assert api("hpsm_intake").post(path, {"reason": "x"}).status_code == 404
    assert api("cm_a").post(path, {"reason": "x"}).status_code == 403  # sees it, did not attach it
    blank = api("referrer").post(path, {"reason": " "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", "reason"]
    assert not AuditEvent.objects.filter(action="document.remove").exists()
    removed = api("referrer").post(path, {"reason": "Wrong member"})
    assert (
        removed.status_code == 200 and removed.json()["removed"] and removed.json()["removal_reason"] == "Wrong member"
    )
    assert api("referrer").post(path, {"reason": "again"}).status_code == 409
    assert api("um").get(f"/documents/{document.pk}/file").status_code == 404
    assert api("um").get(f"/documents/{document.pk}").json()["removed"] is True
    assert len(stored_files(documents_dir)) == 1


def test_the_openapi_document_describes_the_endpoints_and_their_errors(api):
    schema = api("um").get("/openapi.json").json()
    attach = schema["paths"]["/api/referrals/{record_id}/documents"]["post"]
    assert {"401", "403", "404", "409", "413", "422"} <= set(attach["responses"])
    assert "multipart/form-data" in attach["requestBody"]["content"]
    download = schema["paths"]["/api/documents/{document_id}/file"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in download


def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(api, referral, monkeypatch):
    monkeypatch.setattr("calaim.documents.rules.DocumentRules.max_bytes", 10)
    monkeypatch.setattr("calaim.api.documents.BODY_SLACK_BYTES", 0)
    response = upload(api, "referrer", f"/referrals/{referral.pk}/documents")
    assert response.status_code == 413 and response.json()["detail"][0]["loc"] == ["body", "file"]
    assert not Document.objects.exists()
