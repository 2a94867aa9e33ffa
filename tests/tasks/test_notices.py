"""Notices are generated and sent by tasks: enqueued when the change that owes them commits, swept up if that
enqueue was lost, and sent exactly once however often their task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.core.models import AuditEvent
from calaim.notices.mailroom import notice_send, notice_send_task, notices_sweep_task
from calaim.notices.models import Notice, NoticeKind, NoticeLetter, NoticeRecipient
from calaim.notices.services import notice_queue

pytestmark = pytest.mark.django_db


def _queue(member, **content):
    return notice_queue(
        actor=None,
        member=member,
        kind=NoticeKind.ECM_ASSIGNMENT_LETTER,
        recipient=NoticeRecipient.MEMBER,
        due_date=timezone.localdate(),
        content={"provider": "Alpha Care Partners", **content},
    )


def _send_tasks():
    return DBTaskResult.objects.filter(task_path="calaim.notices.mailroom.notice_send_task")


def test_a_notice_is_enqueued_when_its_change_commits_and_not_when_it_rolls_back(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notice = _queue(member)
        assert _send_tasks().count() == 0  # nothing before the commit
    assert [task.args_kwargs["args"] for task in _send_tasks()] == [[str(notice.pk)]]

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue(member)
        raise RuntimeError("the change fails")
    assert callbacks == [] and _send_tasks().count() == 1


def test_the_task_produces_the_member_letter_once(member):
    notice = _queue(member, reason="Assigned to your nearest provider")
    assert notice_send_task.call(str(notice.pk)) is True
    notice.refresh_from_db()
    # A member's letter is produced (a PDF, kept immutable) and left for the day's mail batch, which sends it.
    assert notice.status == "produced" and notice.sent_at is None
    assert "ECM provider assignment notice" in notice.document and "Alpha Care Partners" in notice.document
    assert f"To: {member.full_name}" in notice.document
    letter = NoticeLetter.objects.get(notice=notice)
    assert letter.pdf[:5] == b"%PDF-" and letter.data["content"]["provider"] == "Alpha Care Partners"
    event = AuditEvent.objects.get(action="notice.produce")
    assert event.actor is None and event.actor_label == "system" and "document" not in event.after

    assert notice_send_task.call(str(notice.pk)) is False
    assert notice_send(notice_id=notice.pk) is False
    assert NoticeLetter.objects.get(notice=notice).sha256 == letter.sha256
    assert AuditEvent.objects.filter(action="notice.produce").count() == 1


def test_the_sweep_sends_notices_whose_task_was_lost_and_leaves_fresh_ones_to_theirs(member):
    lost, fresh = _queue(member), _queue(member)
    Notice.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert notices_sweep_task.call() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == "produced" and fresh.status == "planned"
    assert notices_sweep_task.call() == 0
