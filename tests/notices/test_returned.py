"""Returned mail opens an address flag for the member; member services resolve it with a note; a reprint is recorded
and never changes the letter. Each refused for the wrong role, the wrong plan and the wrong state, changing nothing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from calaim.core.clock import plan_today
from calaim.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.notices.batch import mail_batch_create
from calaim.notices.models import AddressFlag, Notice, NoticeLetter, NoticeStatus
from calaim.notices.returned import address_flag_resolve, notice_letter_reprint, notice_return_record
from calaim.notices.selectors import address_flag_get, member_open_flags, notice_get
from calaim.plans.models import Plan
from tests.notices.mailroom_support import addressed_member, letter_notice, mailroom_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(network: Any, tmp_path: Any) -> Notice:
    """A letter mailed in today's batch."""
    notice = letter_notice(addressed_member())
    hpsj = Plan.objects.get(code="HPSJ")
    mail_batch_create(actor=network.users["member_services"], plan=hpsj, mail_date=plan_today(), out_dir=tmp_path)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    return notice


def test_returned_mail_is_recorded_and_flags_the_members_address(network, mailed):
    ms = network.users["member_services"]
    flag = notice_return_record(actor=ms, notice=notice_get(ms, mailed.pk), reason="Moved, left no address")

    mailed.refresh_from_db()
    assert mailed.returned_at is not None and mailed.return_reason == "Moved, left no address"
    assert mailed.status == NoticeStatus.SENT  # it was mailed; it came back
    assert (flag.member, flag.notice, flag.reported_by, flag.resolved_at) == (mailed.member, mailed, ms, None)
    assert flag.reason == "Returned mail: Moved, left no address"
    event = AuditEvent.objects.get(action="notice.return", object_id=str(mailed.pk))
    assert (event.actor, event.member_id, event.before["returned_at"], event.reason) == (
        ms, mailed.member_id, None, "Moved, left no address"
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="address_flag.open", object_id=str(flag.pk), actor=ms).exists()
    assert member_open_flags(ms, mailed.member) == [flag]


def _unchanged(notice: Notice) -> None:
    notice.refresh_from_db()
    assert (notice.returned_at, notice.return_reason) == (None, "")
    assert not AddressFlag.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["notice.return", "address_flag.open"]).exists()


@pytest.mark.parametrize(("who", "error"), [("compliance", Forbidden), ("intake", NotFound), ("hpsm_ms", NotFound)])
def test_only_member_services_of_the_plan_record_returned_mail(network, mailed, who, error):
    mailroom_users(network)
    with pytest.raises(error):
        notice_return_record(actor=network.users[who], notice=mailed, reason="Unknown at this address")
    _unchanged(mailed)


def test_a_letter_not_mailed_cannot_come_back(network):
    ms = network.users["member_services"]
    produced = letter_notice(addressed_member())
    with pytest.raises(Conflict, match="Only a letter mailed"):
        notice_return_record(actor=ms, notice=produced, reason="Unknown at this address")
    _unchanged(produced)


def test_returned_mail_is_recorded_once_and_needs_a_reason(network, mailed):
    ms = network.users["member_services"]
    with pytest.raises(ValidationFailed) as blank:
        notice_return_record(actor=ms, notice=mailed, reason="   ")
    assert blank.value.field == "reason"
    _unchanged(mailed)
    with pytest.raises(ValidationFailed, match="control character"):
        notice_return_record(actor=ms, notice=mailed, reason="Moved\x1b[31m")
    notice_return_record(actor=ms, notice=mailed, reason="Moved")
    with pytest.raises(Conflict, match="already recorded"):
        notice_return_record(actor=ms, notice=mailed, reason="Moved again")
    assert AddressFlag.objects.count() == 1


def test_member_services_resolve_a_flag_with_a_note(network, mailed):
    ms = network.users["member_services"]
    flag = notice_return_record(actor=ms, notice=mailed, reason="Moved")

    resolved = address_flag_resolve(actor=ms, flag=address_flag_get(ms, flag.pk), note="New address on file.")

    assert resolved.resolved_at is not None and resolved.resolved_by == ms
    assert resolved.resolution_note == "New address on file."
    event = AuditEvent.objects.get(action="address_flag.resolve", object_id=str(flag.pk))
    assert (event.actor, event.member_id, event.before["resolved_at"]) == (ms, mailed.member_id, None)
    assert member_open_flags(ms, mailed.member) == []
    with pytest.raises(Conflict, match="already resolved"):
        address_flag_resolve(actor=ms, flag=resolved, note="Again")


@pytest.mark.parametrize(("who", "error"), [("compliance", Forbidden), ("intake", NotFound), ("hpsm_ms", NotFound)])
def test_only_member_services_of_the_plan_resolve_a_flag(network, mailed, who, error):
    mailroom_users(network)
    flag = notice_return_record(actor=network.users["member_services"], notice=mailed, reason="Moved")
    with pytest.raises(error):
        address_flag_resolve(actor=network.users[who], flag=flag, note="Looked")
    flag.refresh_from_db()
    assert (flag.resolved_at, flag.resolved_by, flag.resolution_note) == (None, None, "")
    assert not AuditEvent.objects.filter(action="address_flag.resolve").exists()


def test_a_flag_is_out_of_scope_for_another_plan_and_for_referrers(network, mailed):
    mailroom_users(network)
    flag = notice_return_record(actor=network.users["member_services"], notice=mailed, reason="Moved")
    for who in ("hpsm_ms", "referrer"):
        with pytest.raises(NotFound):
            address_flag_get(network.users[who], flag.pk)


def test_a_reprint_is_recorded_and_the_letter_never_changes(network, mailed):
    ms = network.users["member_services"]
    letter = NoticeLetter.objects.get(notice=mailed)
    before = (bytes(letter.pdf), letter.sha256, letter.produced_at)

    notice_letter_reprint(actor=ms, notice=notice_get(ms, mailed.pk))

    letter.refresh_from_db()
    assert (bytes(letter.pdf), letter.sha256, letter.produced_at) == before
    assert hashlib.sha256(bytes(letter.pdf)).hexdigest() == letter.sha256
    event = AuditEvent.objects.get(action="notice.reprint")
    assert (event.actor, event.object_id, event.member_id) == (ms, str(mailed.pk), mailed.member_id)
    mailroom_users(network)
    with pytest.raises(Forbidden):
        notice_letter_reprint(actor=network.users["compliance"], notice=mailed)
    assert AuditEvent.objects.filter(action="notice.reprint").count() == 1
