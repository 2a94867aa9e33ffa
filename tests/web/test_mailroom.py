"""The mailroom page: who sees it (member services run it, compliance reads it, everyone else finds nothing), its
lists (due and overdue in the plan's dates, produced, planned and stuck, mailed, returned), the kind filter and paging,
the alerts and the open address flags; the day's mail batch from the page, the batch's page and its ZIP (on the PHI
read log)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone

from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeKind, NoticeStatus
from calaim.notices.returned import notice_return_record
from tests.factories import MemberFactory
from tests.notices.mailroom_support import addressed_member, hpsm_member, letter_notice, mailroom_users, sample_pdf

pytestmark = pytest.mark.django_db
TODAY = plan_today()


@pytest.fixture
def users(network: Any) -> Any:
    return mailroom_users(network)


@pytest.mark.parametrize("who", ["intake", "um", "cm_a", "sup_a", "referrer"])
def test_no_mailroom_for_other_roles(web, users, who):
    letter_notice(addressed_member(last_name="Hidden"))
    response = web(who).get("/mailroom/")
    assert response.status_code == 404 and b"Hidden" not in response.content
    assert not PhiRead.objects.filter(view="web:mailroom").exists()


def test_anonymous_goes_to_the_login_page(web, users):
    response = web(None).get("/mailroom/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_member_services_run_it_and_compliance_reads_it(web, users):
    letter_notice(addressed_member(last_name="Ourplan"))
    letter_notice(hpsm_member(last_name="Theirplan"))
    ms = web("member_services").get("/mailroom/")
    assert ms.status_code == 200
    assert b"Ourplan" in ms.content and b"Theirplan" not in ms.content
    assert b"Make the mail batch" in ms.content
    compliance = web("compliance").get("/mailroom/")
    assert compliance.status_code == 200 and b"Ourplan" in compliance.content
    assert b"Make the mail batch" not in compliance.content and b"read-only" in compliance.content
    other = web("hpsm_ms").get("/mailroom/")
    assert b"Theirplan" in other.content and b"Ourplan" not in other.content


def _names(response: Any) -> set[str]:
    return {n.member.last_name for n in response.context["page"].object_list}


def test_the_lists_of_letters(web, users):
    overdue = letter_notice(addressed_member(last_name="Overdue"), due_date=TODAY - dt.timedelta(days=2))
    letter_notice(addressed_member(last_name="Duetoday"), status=NoticeStatus.PLANNED, due_date=TODAY)
    letter_notice(addressed_member(last_name="Later"), due_date=TODAY + dt.timedelta(days=3))
    letter_notice(addressed_member(last_name="Mailed"), status=NoticeStatus.SENT)
    stuck = letter_notice(addressed_member(last_name="Stuck"), status=NoticeStatus.PLANNED, due_date=TODAY)
    Notice.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    Notice.objects.create(
        member=addressed_member(last_name="Referrer"), kind=NoticeKind.REFERRER_OUTCOME, recipient="referrer",
        due_date=TODAY - dt.timedelta(days=5),
    )  # fmt: skip  # a notification, not a letter: never in the mailroom
    client = web("member_services")

    due = client.get("/mailroom/")
    assert [n.member.last_name for n in due.context["page"].object_list] == [
        "Overdue",
        "Stuck",
        "Duetoday",
    ]  # due date, then oldest owed
    assert due.context["alerts"].overdue == 1 and due.context["alerts"].stuck == 1
    assert b"Overdue</strong>" in due.content and b"planned but not produced" in due.content
    assert _names(client.get("/mailroom/?show=produced")) == {"Overdue", "Later"}
    planned = client.get("/mailroom/?show=planned")
    assert _names(planned) == {"Duetoday", "Stuck"} and planned.context["stuck"] == {stuck.pk}
    assert _names(client.get("/mailroom/?show=sent")) == {"Mailed"}
    assert len(client.get("/mailroom/?show=all").context["page"].object_list) == 5
    counts = {value: count for value, _, count in due.context["lists"]}
    assert counts == {"due": "3", "produced": "2", "planned": "2", "sent": "1", "returned": "0", "all": "5"}
    assert f"/notices/{overdue.pk}/letter.pdf".encode() in client.get("/mailroom/?show=produced").content


def test_the_kind_filter_and_paging(web, users):
    for n in range(51):
        letter_notice(addressed_member(last_name=f"Page{n:02d}"), status=NoticeStatus.PLANNED, due_date=TODAY)
    letter_notice(addressed_member(last_name="Denied"), kind=NoticeKind.NOTICE_OF_ACTION)
    client = web("compliance")
    first = client.get("/mailroom/?show=planned")
    assert len(first.context["page"].object_list) == 50 and first.context["page"].has_next
    second = client.get("/mailroom/?show=planned&page=2")
    assert len(second.context["page"].object_list) == 1
    noa = client.get("/mailroom/?show=all&kind=notice_of_action")
    assert _names(noa) == {"Denied"}
    assert client.get("/mailroom/?show=nonsense").status_code == 400


def test_returned_mail_and_open_flags_on_the_page(web, users, network, tmp_path):
    ms = network.users["member_services"]
    notice = letter_notice(addressed_member(last_name="Returned"), status=NoticeStatus.SENT)
    batch = MailBatch.objects.create(plan=notice.member.plan, mail_date=TODAY, letter_count=1)
    Notice.objects.filter(pk=notice.pk).update(mail_batch=batch)
    notice.refresh_from_db()
    flag = notice_return_record(actor=ms, notice=notice, reason="Moved")
    page = web("member_services").get("/mailroom/?show=returned")
    assert _names(page) == {"Returned"}
    assert page.context["alerts"].open_flags == 1 and list(page.context["flags"]) == [flag]
    assert f"/address-flags/{flag.pk}/resolve/".encode() in page.content
    assert f"/address-flags/{flag.pk}/resolve/".encode() not in web("compliance").get("/mailroom/").content


def test_member_services_make_the_batch_from_the_page(web, users, settings):
    ours = [letter_notice(addressed_member(last_name=f"Mail{n}")) for n in range(2)]
    no_address = letter_notice(MemberFactory(last_name="Nowhere"))
    response = web("member_services").post("/mailroom/batches/", {"mail_date": TODAY.isoformat()})
    batch = MailBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mailroom/batches/{batch.pk}/"
    assert batch.letter_count == 2 and str(settings.CALAIM_DATA_DIR) in batch.out_dir
    for notice in ours:
        notice.refresh_from_db()
        assert (notice.status, notice.mail_batch) == (NoticeStatus.SENT, batch)
    assert AddressFlag.objects.get().notice == no_address

    page = web("member_services").get(response["Location"])
    assert page.status_code == 200 and b"Mail0" in page.content and b"Not mailed: no mailing address" in page.content
    assert b"Nowhere" in page.content and f"/mailroom/batches/{batch.pk}/letters.zip".encode() in page.content
    assert b"1 letter not mailed" in page.content  # the message from the batch


def test_the_batch_zip_holds_the_pdfs_and_manifest_and_is_a_logged_read(web, users):
    ours = [letter_notice(addressed_member(last_name=f"Zip{n}")) for n in range(2)]
    web("member_services").post("/mailroom/batches/", {"mail_date": TODAY.isoformat()})
    batch = MailBatch.objects.get()
    PhiRead.objects.all().delete()

    response = web("compliance").get(f"/mailroom/batches/{batch.pk}/letters.zip")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted(["manifest.csv", *(f"letter-{n.pk}.pdf" for n in ours)])
    assert archive.read(f"letter-{ours[0].pk}.pdf") == sample_pdf("Your ECM provider")
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert {row["notice_id"] for row in rows} == {str(n.pk) for n in ours}
    logged = PhiRead.objects.filter(view="web:mail_batch_zip")
    assert {read.member_id for read in logged} == {n.member_id for n in ours}
    assert {read.user.username for read in logged} == {"compliance"}


@pytest.mark.parametrize(
    ("who", "status"),
    [("compliance", 403), ("intake", 404), ("cm_a", 404), ("referrer", 404), ("hpsm_ms", 302)],  # HPSM's own: empty
)
def test_the_batch_refused_to_anyone_else_changes_nothing(web, users, network, who, status):
    notice = letter_notice(addressed_member())
    assert web(who).post("/mailroom/batches/", {"mail_date": TODAY.isoformat()}).status_code == status
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PRODUCED and not MailBatch.objects.exists()


def test_a_batch_of_another_plan_is_not_found(web, users, network):
    letter_notice(hpsm_member())
    web("hpsm_ms").post("/mailroom/batches/", {"mail_date": TODAY.isoformat()})
    batch = MailBatch.objects.get()
    for who in ("member_services", "compliance", "intake"):
        assert web(who).get(f"/mailroom/batches/{batch.pk}/").status_code == 404
        assert web(who).get(f"/mailroom/batches/{batch.pk}/letters.zip").status_code == 404


def test_a_bad_mail_date_comes_back_on_the_form(web, users):
    letter_notice(addressed_member())
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = web("member_services").post("/mailroom/batches/", {"mail_date": tomorrow})
    assert response.status_code == 400 and b"in the future" in response.content
    assert not MailBatch.objects.exists()
