"""The day's mail batch: which letters it takes, the files it writes (one PDF per letter and manifest.csv), the letters
it marks sent with an audit event each, a second run the same day, letters with no address, who may make one, and
that a failure part way marks nothing sent and leaves no files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from calaim.core.clock import PLAN_TIME_ZONE, plan_today
from calaim.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.notices import batch as batch_module
from calaim.notices.batch import NO_ADDRESS, mail_batch_create
from calaim.notices.batch_files import MANIFEST_COLUMNS
from calaim.notices.mailroom import notice_send
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeKind, NoticeLetter, NoticeStatus
from calaim.plans.models import Plan
from tests.factories import MemberFactory
from tests.notices.mailroom_support import (
    addressed_member,
    hpsm_member,
    letter_notice,
    mailroom_users,
    sample_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hpsj(network: Any) -> Plan:
    return Plan.objects.get(code="HPSJ")


def manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as text:
        return list(csv.DictReader(text))


def test_the_batch_writes_each_letter_and_the_manifest_and_marks_them_sent(network, hpsj, tmp_path):
    ms = network.users["member_services"]
    ana = addressed_member(first_name="Ana", last_name="Reyes", zip_code="95206", language="es")
    ben = addressed_member(first_name="Ben", last_name="Ortiz", address_line="55 Pine Ave\nApt 4", zip_code="95202")
    spanish = letter_notice(ana, kind=NoticeKind.NOTICE_OF_ACTION, language="es", text="Aviso")
    english = letter_notice(ben, due_date=plan_today() + dt.timedelta(days=5))  # mailed early: fine
    untouched = [
        letter_notice(hpsm_member()),  # another plan's
        letter_notice(addressed_member(), status=NoticeStatus.PLANNED),  # no PDF yet
        letter_notice(addressed_member(), status=NoticeStatus.SENT),  # already mailed
    ]

    result = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)

    batch = result.batch
    assert batch is not None and result.exceptions == []
    assert (batch.plan, batch.mail_date, batch.letter_count, batch.created_by) == (hpsj, plan_today(), 2, ms)
    folder = result.folder
    assert folder is not None and folder.parent == tmp_path and Path(batch.out_dir) == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.csv", f"letter-{spanish.pk}.pdf", f"letter-{english.pk}.pdf"]
    )
    assert (folder / f"letter-{spanish.pk}.pdf").read_bytes() == sample_pdf("Aviso")
    assert batch.manifest_sha256 == hashlib.sha256((folder / "manifest.csv").read_bytes()).hexdigest()
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as text:
        assert tuple(next(csv.reader(text))) == MANIFEST_COLUMNS
    rows = manifest(folder)
    assert [row["notice_id"] for row in rows] == [str(english.pk), str(spanish.pk)]  # ZIP order: 95202 then 95206
    assert rows[0] == {
        "notice_id": str(english.pk), "member_cin": ben.cin, "recipient_name": "Ben Ortiz",
        "address_line_1": "55 Pine Ave", "address_line_2": "Apt 4", "city": "Stockton", "state": "CA",
        "zip": "95202", "language": "en", "kind": "ecm_assignment_letter",
        "due_date": english.due_date.isoformat(), "page_count": "1",
        "sha256": hashlib.sha256(sample_pdf("Your ECM provider")).hexdigest(), "file_name": f"letter-{english.pk}.pdf",
    }  # fmt: skip
    assert (rows[1]["language"], rows[1]["kind"], rows[1]["address_line_2"]) == ("es", "notice_of_action", "")

    for notice in (spanish, english):
        notice.refresh_from_db()
        assert (notice.status, notice.mail_batch) == (NoticeStatus.SENT, batch) and notice.sent_at is not None
        event = AuditEvent.objects.get(action="notice.mail", object_id=str(notice.pk))
        assert (event.actor, event.member_id, event.before["status"], event.after["status"]) == (
            ms, notice.member_id, "produced", "sent"
        )  # fmt: skip
        assert event.after["mail_batch"] == str(batch.pk)
    assert AuditEvent.objects.get(action="notice.mail", object_id=str(english.pk)).after["address"] == [
        "Ben Ortiz", "55 Pine Ave", "Apt 4", "Stockton, CA 95202"
    ]  # fmt: skip
    created = AuditEvent.objects.get(action="mail_batch.create", object_id=str(batch.pk))
    assert (created.actor, created.after["letter_count"], created.after["exceptions"]) == (ms, 2, [])
    for notice in untouched:
        before = notice.status
        notice.refresh_from_db()
        assert (notice.status, notice.mail_batch) == (before, None)


def test_a_second_run_the_same_day_takes_only_what_the_first_did_not(network, hpsj, tmp_path):
    ms = network.users["member_services"]
    first = letter_notice(addressed_member())
    made = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    assert made.batch is not None

    again = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    assert (again.batch, again.folder, again.exceptions) == (None, None, [])
    assert MailBatch.objects.count() == 1 and list(tmp_path.iterdir()) == [made.folder]

    later = letter_notice(addressed_member())
    second = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    assert second.batch is not None and second.batch.letter_count == 1 and second.folder != made.folder
    assert [row["notice_id"] for row in manifest(second.folder)] == [str(later.pk)]
    assert [row["notice_id"] for row in manifest(made.folder)] == [str(first.pk)]
    assert AuditEvent.objects.filter(action="notice.mail", object_id=str(first.pk)).count() == 1


def test_only_letters_produced_by_the_mail_date_go(network, hpsj, tmp_path):
    ms = network.users["member_services"]
    yesterday = plan_today() - dt.timedelta(days=1)
    late_yesterday = dt.datetime.combine(yesterday, dt.time(23, 59), tzinfo=PLAN_TIME_ZONE)
    on_time = letter_notice(addressed_member(), produced_at=late_yesterday)
    today = letter_notice(addressed_member(), produced_at=timezone.now())

    result = mail_batch_create(actor=ms, plan=hpsj, mail_date=yesterday, out_dir=tmp_path)

    assert result.batch is not None
    assert [row["notice_id"] for row in manifest(result.folder)] == [str(on_time.pk)]
    today.refresh_from_db()
    assert today.status == NoticeStatus.PRODUCED


def test_a_letter_with_no_address_is_left_out_and_flagged_once(network, hpsj, tmp_path):
    ms = network.users["member_services"]
    homeless = MemberFactory(experiencing_homelessness=True)  # no street, city or ZIP on file
    no_zip = addressed_member(zip_code="")
    missing = [letter_notice(homeless), letter_notice(no_zip)]
    mailed = letter_notice(addressed_member())

    result = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)

    assert result.batch is not None and result.batch.letter_count == 1
    assert {e.notice_id for e in result.exceptions} == {n.pk for n in missing}
    assert {e.reason for e in result.exceptions} == {NO_ADDRESS}
    assert [row["notice_id"] for row in manifest(result.folder)] == [str(mailed.pk)]
    for notice in missing:
        notice.refresh_from_db()
        assert (notice.status, notice.mail_batch, notice.sent_at) == (NoticeStatus.PRODUCED, None, None)
        flag = AddressFlag.objects.get(notice=notice)
        assert (flag.member, flag.reason, flag.reported_by, flag.resolved_at) == (notice.member, NO_ADDRESS, ms, None)
        assert AuditEvent.objects.filter(action="address_flag.open", object_id=str(flag.pk), actor=ms).exists()
    created = AuditEvent.objects.get(action="mail_batch.create", object_id=str(result.batch.pk))
    assert {item["notice"] for item in created.after["exceptions"]} == {str(n.pk) for n in missing}

    again = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    assert again.batch is None and len(again.exceptions) == 2
    assert AddressFlag.objects.count() == 2  # still one open flag per letter

    # Once the address is on file, the next batch mails the letter.
    homeless.address_line, homeless.city, homeless.zip_code = "General Delivery", "Stockton", "95201"
    homeless.save()
    third = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    assert third.batch is not None and [row["notice_id"] for row in manifest(third.folder)] == [str(missing[0].pk)]


def test_the_command_without_a_user_lists_exceptions_and_flags_them_as_the_system(network, hpsj, tmp_path):
    notice = letter_notice(MemberFactory())
    result = mail_batch_create(actor=None, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path, actor_label="ops")
    assert result.batch is None and [e.notice_id for e in result.exceptions] == [notice.pk]
    flag = AddressFlag.objects.get()
    assert (flag.member_id, flag.notice_id, flag.reported_by, flag.resolved_at) == (
        notice.member_id,
        notice.pk,
        None,
        None,
    )


def test_the_batch_made_without_a_user_is_recorded_under_its_label(network, hpsj, tmp_path):
    notice = letter_notice(addressed_member())
    result = mail_batch_create(actor=None, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path, actor_label="ops (x)")
    assert result.batch is not None and result.batch.created_by is None
    event = AuditEvent.objects.get(action="notice.mail", object_id=str(notice.pk))
    assert (event.actor, event.actor_label) == (None, "ops (x)")


def _nothing_changed(notices: list[Notice], out: Path) -> None:
    assert not MailBatch.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["notice.mail", "mail_batch.create"]).exists()
    for notice in notices:
        notice.refresh_from_db()
        assert (notice.status, notice.mail_batch, notice.sent_at) == (NoticeStatus.PRODUCED, None, None)
    assert not out.exists() or list(out.iterdir()) == []  # no folder, not even the temporary one


def test_a_letter_that_fails_part_way_marks_nothing_sent_and_leaves_no_files(network, hpsj, tmp_path):
    """The third letter's stored bytes no longer match its hash: the batch stops after writing two PDFs."""
    notices = [letter_notice(addressed_member(zip_code=f"9520{n}")) for n in range(3)]
    NoticeLetter.objects.filter(notice=notices[2]).update(pdf=b"%PDF-1.7 not the letter calaim produced")
    out = tmp_path / "vendor"

    with pytest.raises(Conflict, match="does not match its recorded SHA-256"):
        mail_batch_create(actor=network.users["member_services"], plan=hpsj, mail_date=plan_today(), out_dir=out)

    _nothing_changed(notices, out)


def test_a_failure_after_the_folder_is_in_place_removes_it(network, hpsj, tmp_path, monkeypatch):
    notices = [letter_notice(addressed_member()), letter_notice(addressed_member())]

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away before the commit")

    monkeypatch.setattr(batch_module, "_batch_record", fail)
    with pytest.raises(RuntimeError):
        mail_batch_create(actor=network.users["member_services"], plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)

    _nothing_changed(notices, tmp_path)


def test_a_future_mail_date_is_refused(network, hpsj, tmp_path):
    notice = letter_notice(addressed_member())
    with pytest.raises(ValidationFailed, match="future") as refused:
        mail_batch_create(
            actor=network.users["member_services"],
            plan=hpsj,
            mail_date=plan_today() + dt.timedelta(days=1),
            out_dir=tmp_path,
        )
    assert refused.value.field == "mail_date"
    _nothing_changed([notice], tmp_path)


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("compliance", Forbidden),  # sees the mailroom, may not act
        ("intake", NotFound),  # another role of the plan: no mailroom
        ("hpsm_ms", NotFound),  # member services of another plan
        ("cm_a", NotFound),
        ("referrer", NotFound),
    ],
)
def test_only_the_plans_member_services_make_its_batch(network, hpsj, tmp_path, who, error):
    mailroom_users(network)
    notice = letter_notice(addressed_member())
    with pytest.raises(error):
        mail_batch_create(actor=network.users[who], plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    _nothing_changed([notice], tmp_path)


def test_a_manifest_cell_a_spreadsheet_would_run_is_kept_as_text(network, hpsj, tmp_path):
    letter_notice(addressed_member(first_name="=HYPERLINK(1)", last_name="X"))
    ms = network.users["member_services"]
    result = mail_batch_create(actor=ms, plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    assert manifest(result.folder)[0]["recipient_name"] == "'=HYPERLINK(1) X"


def test_a_letter_produced_by_the_mailroom_is_mailed_byte_for_byte(network, hpsj, tmp_path):
    """The whole path: a planned notice, produced by `notice_send` (calaim.notices.letters), then the day's batch."""
    member = addressed_member(first_name="Lucia", last_name="Vega", language="es")
    notice = Notice.objects.create(
        member=member,
        kind=NoticeKind.ECM_ASSIGNMENT_LETTER,
        recipient="member",
        recipient_name=member.full_name,
        language="es",
        due_date=plan_today(),
        content={"provider_name": "Alpha Care Partners", "provider_phone": "+12095550100"},
    )
    assert notice_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PRODUCED
    letter = NoticeLetter.objects.get(notice=notice)

    result = mail_batch_create(
        actor=network.users["member_services"], plan=hpsj, mail_date=plan_today(), out_dir=tmp_path
    )

    assert result.folder is not None
    pdf = (result.folder / f"letter-{notice.pk}.pdf").read_bytes()
    assert pdf == bytes(letter.pdf) and hashlib.sha256(pdf).hexdigest() == letter.sha256
    row = manifest(result.folder)[0]
    assert (row["language"], row["page_count"], row["sha256"]) == (
        letter.language,
        str(letter.page_count),
        letter.sha256,
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
