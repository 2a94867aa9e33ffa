"""Documents in a real browser: the PCP's referrer attaches a signed referral form (PDF) to its referral from the
referral's page (a multipart form, no JavaScript needed); the plan's UM reviewer sees it on the referral's page and
downloads the same bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from calaim.demo.documents import tiny_pdf
from calaim.documents.models import Document
from calaim.referrals.models import ReferralStatus
from tests.factories import ReferralFactory

PDF = tiny_pdf(["ECM referral form", "Synthetic test document"])


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


def test_a_referrer_attaches_a_pdf_and_um_downloads_it(signed_in, network, member, shot):
    referral = ReferralFactory(member=member, status=ReferralStatus.RECEIVED)
    url = f"/referrals/{referral.pk}/"

    referrer = signed_in("referrer")
    referrer.goto(url)
    panel = referrer.get_by_role("region", name="Documents")
    expect(panel).to_contain_text("No documents attached.")
    form = referrer.get_by_role("form", name="Attach a document")
    form.get_by_label("File").set_input_files(
        {"name": "signed-referral.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_label("Kind of document").select_option(label="Referral form")
    form.get_by_label("Title").fill("Signed ECM referral form")
    shot(referrer, "1-attach")
    form.get_by_role("button", name="Attach").click()
    expect(referrer.get_by_role("status")).to_contain_text("Signed ECM referral form is attached.")
    expect(referrer.get_by_role("row").filter(has_text="Signed ECM referral form")).to_be_visible()
    document = Document.objects.get()
    assert document.uploaded_by == network.users["referrer"] and document.size == len(PDF)

    um = signed_in("um")
    um.goto(url)
    row = um.get_by_role("row").filter(has_text="Signed ECM referral form")
    expect(row).to_contain_text("Referral form")
    expect(row).to_contain_text("This referral")
    shot(um, "2-um-sees-it")
    with um.expect_download() as download:
        row.get_by_role("link", name="Download Signed ECM referral form").click()
    assert download.value.suggested_filename == "signed-referral.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
