"""A member's letters on the record: the letters section and its links, the PDF as stored (scoped, inline, on the PHI
read log), its reprint (member services, recorded, the same bytes), returned mail and the address flag it raises (the
record's alert, resolved with a note)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeKind, NoticeStatus
from tests.factories import EnrollmentFactory
from tests.notices.mailroom_support import addressed_member, hpsm_member, letter_notice, mailroom_users, sample_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(network: Any) -> Any:
    return mailroom_users(network)


def mailed(member: Any, **fields: Any) -> Notice:
    """A letter mailed in a batch."""
    notice = letter_notice(member, status=NoticeStatus.SENT, **fields)
    batch = MailBatch.objects.create(plan=member.plan, mail_date=plan_today(), letter_count=1)
    Notice.objects.filter(pk=notice.pk).update(mail_batch=batch)
    notice.refresh_from_db()
    return notice


def test_the_letter_is_served_inline_as_stored_and_the_read_is_logged(web, users):
    notice = letter_notice(addressed_member(), text="Exactly these bytes")
    PhiRead.objects.all().delete()
    response = web("intake").get(f"/notices/{notice.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="letter-{notice.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == sample_pdf("Exactly these bytes")
    read = PhiRead.objects.get(view="web:notice_letter")
    assert (read.member_id, read.user.username, read.status) == (notice.member_id, "intake", 200)


def test_a_provider_reads_the_letters_of_its_caseload_only(web, users, network):
    enrollment = EnrollmentFactory(provider=network.provider_a, member=addressed_member())
    theirs = letter_notice(enrollment.member)
    other = letter_notice(addressed_member())
    assert web("cm_a").get(f"/notices/{theirs.pk}/letter.pdf").status_code == 200
    assert web("cm_a").get(f"/notices/{other.pk}/letter.pdf").status_code == 404


@pytest.mark.parametrize("who", ["hpsm_ms", "cm_b", "referrer"])
def test_a_letter_out_of_scope_is_not_found_and_not_logged(web, users, who):
    notice = letter_notice(addressed_member())
    PhiRead.objects.all().delete()
    response = web(who).get(f"/notices/{notice.pk}/letter.pdf")
    assert response.status_code == 404 and response.content != sample_pdf("Your ECM provider")
    assert not PhiRead.objects.exists()


def test_no_letter_before_it_is_produced(web, users):
    planned = letter_notice(addressed_member(), status=NoticeStatus.PLANNED)
    assert web("intake").get(f"/notices/{planned.pk}/letter.pdf").status_code == 404
    assert web(None).get(f"/notices/{planned.pk}/letter.pdf").status_code == 302  # to the login page


def test_member_services_reprint_the_same_bytes_and_it_is_recorded(web, users, network):
    notice = letter_notice(addressed_member(), text="Reprint me")
    response = web("member_services").post(f"/notices/{notice.pk}/letter/reprint/")
    assert response.status_code == 200 and response.content == sample_pdf("Reprint me")
    assert response["Content-Disposition"] == f'attachment; filename="letter-{notice.pk}.pdf"'
    event = AuditEvent.objects.get(action="notice.reprint")
    assert (event.actor, event.object_id) == (network.users["member_services"], str(notice.pk))
    assert web("member_services").get(f"/notices/{notice.pk}/letter/reprint/").status_code == 405


@pytest.mark.parametrize(("who", "status"), [("compliance", 403), ("intake", 404), ("hpsm_ms", 404), ("cm_a", 404)])
def test_a_reprint_refused_records_nothing(web, users, who, status):
    notice = letter_notice(addressed_member())
    response = web(who).post(f"/notices/{notice.pk}/letter/reprint/")
    assert response.status_code == status and response.content != sample_pdf("Your ECM provider")
    assert not AuditEvent.objects.filter(action="notice.reprint").exists()


def test_the_record_lists_each_letter_with_its_links(web, users):
    member = addressed_member(language="es")
    produced = letter_notice(member, language="es", kind=NoticeKind.ECM_ASSIGNMENT_LETTER)
    sent = mailed(member, kind=NoticeKind.NOTICE_OF_ACTION, content={"notice_of_action_id": "noa-1"})
    planned = letter_notice(member, status=NoticeStatus.PLANNED, kind=NoticeKind.ECM_ENROLLMENT_LETTER)

    page = web("member_services").get(f"/members/{member.pk}/").content.decode()

    assert f"/notices/{produced.pk}/letter.pdf" in page and f"/notices/{sent.pk}/letter.pdf" in page
    assert f"/notices/{planned.pk}/letter.pdf" not in page
    assert f"/notices/{sent.pk}/letter/reprint/" in page and f"/notices/{sent.pk}/returned/" in page
    assert f"/notices/{produced.pk}/returned/" not in page  # not mailed yet
    try:
        appeal = reverse("web:appeal_create")
    except NoReverseMatch:
        assert "File an appeal" not in page
    else:
        assert f"{appeal}?notice_of_action=noa-1" in page and page.count("File an appeal") == 1
    read_only = web("intake").get(f"/members/{member.pk}/").content.decode()
    assert f"/notices/{sent.pk}/letter.pdf" in read_only
    assert "/letter/reprint/" not in read_only and "/returned/" not in read_only


def test_returned_mail_from_the_record_flags_the_address_and_is_resolved(web, users, network):
    member = addressed_member()
    notice = mailed(member)
    client = web("member_services")
    assert client.get(f"/notices/{notice.pk}/returned/").status_code == 200

    response = client.post(f"/notices/{notice.pk}/returned/", {"reason": "Moved, left no address"})

    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    flag = AddressFlag.objects.get()
    notice.refresh_from_db()
    assert notice.returned_at is not None and flag.notice == notice
    record = client.get(f"/members/{member.pk}/").content.decode()
    assert "Mailing address to check" in record and "Returned mail: Moved, left no address" in record
    assert f"/address-flags/{flag.pk}/resolve/" in record
    assert "Mailing address to check" in web("intake").get(f"/members/{member.pk}/").content.decode()

    resolved = client.post(f"/address-flags/{flag.pk}/resolve/?from=mailroom", {"note": "Confirmed by phone."})
    assert resolved.status_code == 302 and resolved["Location"] == "/mailroom/"
    flag.refresh_from_db()
    assert flag.resolved_by == network.users["member_services"] and flag.resolution_note == "Confirmed by phone."
    assert "Mailing address to check" not in client.get(f"/members/{member.pk}/").content.decode()


def test_returned_mail_needs_a_reason_and_a_mailed_letter(web, users):
    notice = mailed(addressed_member())
    response = web("member_services").post(f"/notices/{notice.pk}/returned/", {"reason": ""})
    assert response.status_code == 400 and not AddressFlag.objects.exists()
    produced = letter_notice(addressed_member())
    response = web("member_services").post(f"/notices/{produced.pk}/returned/", {"reason": "Moved"})
    assert response.status_code == 400 and b"Only a letter mailed" in response.content
    assert not AddressFlag.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("compliance", 403), ("intake", 404), ("hpsm_ms", 404), ("cm_a", 404)])
def test_returned_mail_and_resolving_refused_change_nothing(web, users, network, who, status):
    notice = mailed(addressed_member())
    other = mailed(hpsm_member())
    flag = AddressFlag.objects.create(member=other.member, notice=other, reason="x", reported_by=network.users["um"])
    ours = AddressFlag.objects.create(member=notice.member, notice=notice, reason="y", reported_by=network.users["um"])
    assert web(who).post(f"/notices/{notice.pk}/returned/", {"reason": "Moved"}).status_code == status
    assert web(who).get(f"/notices/{notice.pk}/returned/").status_code == status
    assert web(who).post(f"/address-flags/{ours.pk}/resolve/", {"note": "n"}).status_code == status
    notice.refresh_from_db()
    assert notice.returned_at is None
    assert not AddressFlag.objects.filter(pk__in=[flag.pk, ours.pk], resolved_at__isnull=False).exists()
    assert AddressFlag.objects.count() == 2
