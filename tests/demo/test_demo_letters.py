"""The demo's letters step on a small demo: appeals (overturned, upheld with the hearing deadline, open and
expedited, late and extended) and grievances filed by each plan's appeals coordinator; the referrers' notices sent
as inbox items and emails; member letters produced as PDFs in the members' languages; past days' mail batches
written under the data folder with today's letters left on the worklist; one returned letter per plan flagging an
address. Made once, the same for a seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from calaim.appeals.models import Appeal, AppealOutcome, AppealStatus, Grievance
from calaim.core.clock import local_date, plan_today
from calaim.core.models import AuditEvent
from calaim.demo.cs_lifecycle import demo_cs_create
from calaim.demo.history import demo_history_create
from calaim.demo.letters import demo_letters_create
from calaim.demo.lifecycle import demo_lifecycle_create
from calaim.demo.population import demo_population_create
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeLetter, NoticeStatus, Notification
from calaim.referrals.models import ReferralStatus

SEED = 2026


@pytest.fixture
def demo(db: Any, settings: Any, tmp_path: Path) -> dict[str, int]:
    settings.CALAIM_DATA_DIR = tmp_path
    today = plan_today()
    demo_population_create(seed=SEED, members=400, as_of=today)
    demo_lifecycle_create(seed=SEED, per_plan=36)
    demo_history_create(seed=SEED, per_plan=40)
    demo_cs_create(seed=SEED, per_plan=10)
    return demo_letters_create(seed=SEED, as_of=today)


def _appeals_and_grievances_filed_by_each_plans_coordinator(demo: dict[str, int]) -> None:
    assert {key: demo[key] for key in demo if key.startswith("appeals_")} == {
        "appeals_overturned": 2,
        "appeals_upheld": 2,
        "appeals_open_expedited": 2,
        "appeals_late": 2,
    }
    for appeal in Appeal.objects.select_related("filed_by", "member__plan", "authorization"):
        assert appeal.filed_by.username == f"{appeal.member.plan.code.lower()}.appeals"
        assert Notice.objects.filter(content__appeal_id=str(appeal.pk), kind="appeal_acknowledgment").exists()
    overturned = Appeal.objects.filter(outcome=AppealOutcome.OVERTURNED)
    # An overturned denial authorizes: the authorization approved and the referral moved on from "denied".
    assert all(appeal.authorization.status == "approved" for appeal in overturned)
    assert all(appeal.authorization.referral.status != ReferralStatus.DENIED for appeal in overturned)  # type: ignore[union-attr]
    upheld = Appeal.objects.filter(outcome=AppealOutcome.UPHELD)
    assert upheld.count() == 2 and all(appeal.hearing_deadline for appeal in upheld)
    assert Appeal.objects.filter(expedited=True, status=AppealStatus.ACKNOWLEDGED).count() == 2
    late = Appeal.objects.filter(late=True)
    assert late.count() == 2 and {appeal.status for appeal in late} == {AppealStatus.EXTENDED}
    for appeal in late:  # its Notice of Action was issued the day its denial was decided, over 60 days ago
        assert appeal.notice_of_action.issued_at == appeal.authorization.decided_at
        assert (plan_today() - local_date(appeal.notice_of_action.issued_at)).days > 60
    assert demo["grievances"] == Grievance.objects.count() == 4
    assert sorted(Grievance.objects.values_list("status", flat=True)) == ["acknowledged"] * 2 + ["resolved"] * 2


def _referrers_and_coordinators_told_and_the_past_read(demo: dict[str, int]) -> None:
    assert not Notice.objects.exclude(recipient="member").exclude(status=NoticeStatus.SENT).exists()
    told = Notification.objects.all()
    assert told.count() >= demo["notifications_read"] + demo["notifications_unread"] > 0
    assert told.filter(event="appeal.filed", user__username__endswith=".appeals", read_at=None).count() == 8
    assert told.filter(event="referral.authorized", read_at=None).exists()
    assert told.filter(read_at__isnull=False).exists()  # what the past year told them, read by now
    assert AuditEvent.objects.filter(action="notification.read_all").exists()


def _letters_produced_in_the_members_languages_the_rest_left_for_the_worker(demo: dict[str, int]) -> None:
    letters = NoticeLetter.objects.select_related("notice")
    assert letters.count() == demo["letters_produced"] > 0
    assert all(letter.pdf[:5] == b"%PDF-" and letter.notice.status != "planned" for letter in letters)
    assert {"es", "zh", "tl"} <= set(letters.values_list("language", flat=True))
    # A member who reads a language that is not a threshold language gets English with the taglines.
    assert letters.filter(language="en", in_preferred_language=False).exists()
    kinds = set(letters.values_list("notice__kind", flat=True))
    assert {"ecm_assignment_letter", "notice_of_action", "cs_authorization_letter", "appeal_resolution"} <= kinds
    assert Notice.objects.filter(recipient="member", status="planned").count() == demo["letters_left_for_worker"]


def _past_days_mailed_in_batches_todays_letters_waiting(demo: dict[str, int], settings: Any) -> None:
    today = plan_today()
    batches = MailBatch.objects.all()
    assert batches.count() == demo["mail_batches"] > 0
    for batch in batches:
        assert batch.mail_date < today and batch.created_by.username.endswith(".memberservices")  # type: ignore[union-attr]
        folder = Path(batch.out_dir)
        assert folder.is_relative_to(Path(settings.CALAIM_DATA_DIR)) and (folder / "manifest.csv").is_file()
        mailed = Notice.objects.filter(mail_batch=batch)
        assert mailed.count() == batch.letter_count and all(
            local_date(notice.sent_at) == batch.mail_date for notice in mailed if notice.sent_at
        )
        assert all(local_date(notice.letter.produced_at) <= batch.mail_date for notice in mailed)
    assert Notice.objects.filter(status="sent", recipient="member").count() == demo["letters_mailed"]
    waiting = Notice.objects.filter(status=NoticeStatus.PRODUCED)
    assert waiting.exists() and all(local_date(n.letter.produced_at) == today for n in waiting)


def _one_returned_letter_per_plan_flags_the_address(demo: dict[str, int]) -> None:
    returned = Notice.objects.filter(returned_at__isnull=False)
    assert returned.count() == demo["letters_returned"] == 2
    assert {notice.member.plan.code for notice in returned} == {"HPSJ", "HPSM"}
    flags = AddressFlag.objects.filter(resolved_at=None)
    assert {flag.member_id for flag in flags} == {notice.member_id for notice in returned}


# One test: the demo step takes tens of seconds (it renders some fifty PDFs), so it is made once and read for each
# part.
def test_the_demos_letters_step(demo: dict[str, int], settings: Any) -> None:
    _appeals_and_grievances_filed_by_each_plans_coordinator(demo)
    _referrers_and_coordinators_told_and_the_past_read(demo)
    _letters_produced_in_the_members_languages_the_rest_left_for_the_worker(demo)
    _past_days_mailed_in_batches_todays_letters_waiting(demo, settings)
    _one_returned_letter_per_plan_flags_the_address(demo)
    # Made once: nothing again.
    counts = (Appeal.objects.count(), MailBatch.objects.count(), NoticeLetter.objects.count())
    assert demo_letters_create(seed=SEED, as_of=plan_today()) == {}
    assert (Appeal.objects.count(), MailBatch.objects.count(), NoticeLetter.objects.count()) == counts
