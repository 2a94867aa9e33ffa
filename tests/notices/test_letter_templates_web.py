"""The letter templates page, its previews and the translation review, on the web and from the command line: plan
staff see them, plan compliance alone records a review (once per translation, with an audit event); anyone else
is refused and nothing changes; a preview shows made-up data and reads no member's."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from calaim.accounts.models import Role
from calaim.core.models import AuditEvent, PhiRead
from calaim.notices.letters.reviews import translation_reviewed
from calaim.notices.models import TranslationReview
from tests.factories import UserFactory
from tests.notices.test_letter_pdf import pdf_text, squeeze

pytestmark = pytest.mark.django_db
PAGE = reverse("web:letter_templates")
PREVIEW = reverse("web:letter_template_preview", args=["notice_of_action", "2026.1", "zh"])
REVIEW = reverse("web:letter_template_review", args=["notice_of_action", "2026.1", "es"])
SIGNED = {"reviewer_name": "María López, CHI", "note": "Checked against the English."}


@pytest.fixture
def compliance(network):
    network.users["compliance"] = UserFactory(
        username="compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj
    )
    network.users["hpsm_compliance"] = UserFactory(
        username="hpsm_compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsm
    )
    return network.users["compliance"]


def _footprint() -> tuple[int, int]:
    return TranslationReview.objects.count(), AuditEvent.objects.filter(action="translation.review").count()


def test_plan_staff_see_every_template_version_language_and_its_review_status(web, compliance):
    page = web("intake").get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("Preview PDF") == 60 and "awaiting review by a qualified translator" in body
    assert "Notice of Action" in body and "source text" in body and "Mark reviewed" not in body  # intake may not
    assert "Mark reviewed" in web("compliance").get(PAGE).content.decode()


@pytest.mark.parametrize("who", [None, "cm_a", "referrer"])
def test_others_see_no_template_page_nor_preview(web, compliance, who):
    for path in (PAGE, PREVIEW):
        response = web(who).get(path)
        if who is None:
            assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
        else:
            assert response.status_code == 403 and b"%PDF" not in response.content


def test_a_preview_is_a_pdf_of_sample_data_for_the_callers_plan_and_reads_no_member(web, compliance, member):
    reads = PhiRead.objects.count()
    response = web("hpsm_intake").get(PREVIEW)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "notice_of_action-2026.1-zh-sample.pdf" in response["Content-Disposition"]
    text = squeeze(pdf_text(response.content))
    assert squeeze("Health Plan of San Mateo") in text and "行动通知" in text and "SampleMember" in text
    assert member.last_name not in text and PhiRead.objects.count() == reads
    missing = reverse("web:letter_template_preview", args=["notice_of_action", "1999.1", "es"])
    untranslated = reverse("web:letter_template_preview", args=["notice_of_action", "2026.1", "ru"])
    assert web("intake").get(missing).status_code == 404 and web("intake").get(untranslated).status_code == 404


@pytest.mark.parametrize("who", ["intake", "um", "member_services", "cm_a", "referrer"])
def test_only_plan_compliance_records_a_review(web, compliance, who):
    before = _footprint()
    assert web(who).post(REVIEW, SIGNED).status_code == 403
    assert _footprint() == before and not translation_reviewed("notice_of_action", "2026.1", "es")


def test_plan_compliance_records_a_review_once_with_an_audit_event(web, compliance):
    response = web("compliance").post(REVIEW, SIGNED, follow=True)
    assert response.status_code == 200 and "Recorded the review" in response.content.decode()
    review = TranslationReview.objects.get()
    assert (review.template_key, review.template_version, review.language) == ("notice_of_action", "2026.1", "es")
    assert review.reviewer_name == "María López, CHI" and review.reviewed_by == compliance
    event = AuditEvent.objects.get(action="translation.review")
    assert event.actor == compliance and event.after["reviewer_name"] == "María López, CHI"
    assert "reviewed by María López, CHI" in web("intake").get(PAGE).content.decode()

    again = web("hpsm_compliance").post(REVIEW, SIGNED, follow=True)
    assert "already reviewed" in again.content.decode() and _footprint() == (1, 1)
    unsigned = web("compliance").post(
        reverse("web:letter_template_review", args=["notice_of_action", "2026.1", "vi"]), {"reviewer_name": " "}
    )
    assert unsigned.status_code == 302 and _footprint() == (1, 1)
    source = reverse("web:letter_template_review", args=["notice_of_action", "2026.1", "en"])
    assert "has no" in web("compliance").post(source, SIGNED, follow=True).content.decode()
    unknown = reverse("web:letter_template_review", args=["no_such_letter", "2026.1", "es"])
    web("compliance").post(unknown, SIGNED)
    assert _footprint() == (1, 1)


def test_the_review_command_lists_and_records(compliance):
    out = StringIO()
    call_command("letters_review", "--as", "compliance", stdout=out)
    assert out.getvalue().count("awaiting review by a qualified translator") == 48
    call_command(
        "letters_review", "--as", "compliance", "--template", "appeal_resolution", "--template-version", "2026.1",
        "--language", "zh", "--reviewer", "Wei Chen", stdout=StringIO(),
    )  # fmt: skip
    assert translation_reviewed("appeal_resolution", "2026.1", "zh")
    assert AuditEvent.objects.get(action="translation.review").actor == compliance
    with pytest.raises(CommandError, match="may not record"):
        call_command(
            "letters_review", "--as", "intake", "--template", "appeal_resolution", "--template-version", "2026.1",
            "--language", "vi", "--reviewer", "X",
        )  # fmt: skip
    assert _footprint() == (1, 1)


def test_the_preview_command_writes_a_sample_pdf(reference, tmp_path: Path):
    out = tmp_path / "noa-vi.pdf"
    call_command(
        "letters_preview", "--kind", "notice_of_action", "--plan", "HPSJ", "--language", "vi", "--out", str(out),
        stdout=StringIO(),
    )  # fmt: skip
    text = squeeze(pdf_text(out.read_bytes()))
    assert "ThôngBáoQuyếtĐịnh" in text and squeeze("Health Plan of San Joaquin") in text
    with pytest.raises(CommandError, match="no 'ru' translation"):
        call_command(
            "letters_preview", "--kind", "notice_of_action", "--plan", "HPSJ", "--language", "ru",
            "--out", str(out),
        )  # fmt: skip
