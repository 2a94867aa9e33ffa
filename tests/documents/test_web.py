"""The documents on a record's page, through the web app: the panel lists them and offers the attach form only to
those who may attach; attach, download and remove, each for anonymous, wrong-role, other-organization or -plan and
allowed callers; out of scope is 404 and nothing changes; a download is on the PHI read log."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calaim.core.models import PhiRead
from calaim.documents.models import Document
from tests.documents.conftest import PDF, PNG, attached, stored_files

pytestmark = pytest.mark.django_db


def attach_url(slug, record):
    return reverse("web:document_upload", args=[slug, record.pk])


def form(content=PDF, name="referral.pdf", **extra):
    return {"file": SimpleUploadedFile(name, content), "kind": "referral_form", "title": "Signed form", **extra}


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_referrer_attaches_from_its_referral_page_and_um_sees_it(web, users, referral):
    page_url = reverse("web:referral", args=[referral.pk])
    page = web("referrer").get(page_url).content.decode()
    assert "No documents attached." in page and 'enctype="multipart/form-data"' in page
    done = web("referrer").post(attach_url("referral", referral), form(next=page_url))
    assert done.status_code == 302 and done["Location"] == f"{page_url}#documents-referral"
    document = Document.objects.get()
    assert document.uploaded_by == users["referrer"] and document.referral == referral
    um_page = web("um").get(page_url).content.decode()
    assert "Signed form" in um_page and "Referral form" in um_page
    assert reverse("web:document_download", args=[document.pk]) in um_page
    assert "Dr" in um_page or users["referrer"].get_full_name() in um_page


def test_compliance_sees_the_documents_but_no_attach_form(web, users, referral):
    attached(users["referrer"], referral)
    page = web("compliance").get(reverse("web:referral", args=[referral.pk])).content.decode()
    assert "Signed referral form" in page and 'enctype="multipart/form-data"' not in page


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("compliance", 403), ("hpsm_intake", 404), ("cm_b", 404)])
def test_attach_is_refused_to_others_and_changes_nothing(web, users, referral, documents_dir, who, status):
    response = web(who).post(attach_url("referral", referral), form())
    assert response.status_code == status
    assert not Document.objects.exists() and not stored_files(documents_dir)


def test_a_refused_file_comes_back_on_the_form_naming_it(web, users, referral, documents_dir):
    response = web("referrer").post(attach_url("referral", referral), form(PNG, "scan.pdf"))
    page = response.content.decode()
    assert response.status_code == 400 and "content is a PNG image" in page and 'id="document_file-error"' in page
    empty = web("referrer").post(attach_url("referral", referral), form(b"", "empty.pdf"))
    assert empty.status_code == 400 and "The file is empty" in empty.content.decode()
    no_kind = web("referrer").post(attach_url("referral", referral), form(kind=""))
    assert no_kind.status_code == 400 and 'id="document_kind-error"' in no_kind.content.decode()
    assert not Document.objects.exists() and not stored_files(documents_dir)


def test_a_body_over_the_limit_is_refused_before_it_is_read(web, referral, monkeypatch):
    monkeypatch.setattr("calaim.documents.rules.DocumentRules.max_bytes", 10)
    monkeypatch.setattr("calaim.web.views.documents.BODY_SLACK_BYTES", 0)
    response = web("referrer").post(attach_url("referral", referral), form())
    assert response.status_code == 413 and "larger than" in response.content.decode()
    assert not Document.objects.exists()


def test_the_download_streams_the_bytes_as_an_attachment_and_logs_the_read(web, users, referral):
    document = attached(users["referrer"], referral, name="Rivera referral.pdf")
    response = web("um").get(reverse("web:document_download", args=[document.pk]))
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "Rivera referral.pdf" in response["Content-Disposition"]
    )
    assert PhiRead.objects.filter(member=referral.member, user=users["um"], view="web:document_download").exists()


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("referrer_cbo", 404), ("hpsm_um", 404), ("cm_b", 404)])
def test_the_download_is_refused_outside_the_records_scope(web, users, referral, who, status):
    document = attached(users["referrer"], referral)
    response = web(who).get(reverse("web:document_download", args=[document.pk]))
    assert response.status_code == status
    assert not PhiRead.objects.filter(member=referral.member).exists()


def test_removal_through_the_page(web, users, referral, documents_dir):
    document = attached(users["referrer"], referral)
    url = reverse("web:document_remove", args=[document.pk])
    assert web("compliance").post(url, {"reason": "x"}).status_code == 403
    assert web("hpsm_intake").post(url, {"reason": "x"}).status_code == 404
    assert web(None).post(url, {"reason": "x"}).status_code == 302
    assert web("intake").post(url, {"reason": ""}).status_code == 400
    assert not Document.objects.get().removed
    page_url = reverse("web:referral", args=[referral.pk])
    done = web("intake").post(url, {"reason": "Wrong member", "next": page_url})
    assert done.status_code == 302 and done["Location"] == f"{page_url}#documents-referral"
    assert Document.objects.get().removed and len(stored_files(documents_dir)) == 1
    page = web("um").get(page_url).content.decode()
    assert "Removed" in page and "Wrong member" in page
    assert reverse("web:document_download", args=[document.pk]) not in page
    assert web("um").get(reverse("web:document_download", args=[document.pk])).status_code == 404


def test_an_offsite_next_is_ignored(web, referral):
    done = web("referrer").post(attach_url("referral", referral), form(next="https://evil.example/"))
    assert done["Location"] == f"{reverse('web:referral', args=[referral.pk])}#documents-referral"


def test_the_panel_on_the_cs_request_and_appeal_pages(web, users, cs_request, appeal):
    attached(users["intake"], cs_request, title="Discharge summary", kind="clinical_notes")
    cs_page = web("um").get(reverse("web:cs_request", args=[cs_request.pk])).content.decode()
    assert "Discharge summary" in cs_page and "Clinical notes" in cs_page
    done = web("appeals").post(attach_url("appeal", appeal), form(title="Appeal letter"))
    assert done.status_code == 302
    appeal_page = web("appeals").get(reverse("web:appeal", args=[appeal.pk])).content.decode()
    assert "Appeal letter" in appeal_page and "This appeal" in appeal_page
    assert web("um").post(attach_url("appeal", appeal), form()).status_code == 404  # UM does not read appeals


def test_an_unknown_record_kind_is_404(web, referral):
    assert web("um").get(reverse("web:document_upload", args=["member", referral.pk])).status_code == 404
