"""An appeal's clocks: the 60-day filing window (late ones accepted and recorded late), aid paid pending within 10
days, 30 calendar days to resolve (72 hours when expedited), one extension of at most 14 days with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from calaim.appeals.models import Appeal, AppealStatus
from calaim.appeals.services import AppealInput, appeal_extend, appeal_file
from calaim.core.clock import PLAN_TIME_ZONE, end_of_local_day, local_date, plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.core.models import AuditEvent
from tests.appeals.conftest import issued_days_ago

pytestmark = pytest.mark.django_db
PHONE = AppealInput(channel="phone")


def file(staff, notice, data=PHONE, who="member_services"):
    return appeal_file(actor=staff[who], notice=notice, data=data)


@pytest.mark.parametrize(("days", "late"), [(0, False), (59, False), (60, False), (61, True), (90, True)])
def test_the_filing_window_is_60_calendar_days_from_the_notice(staff, denied, days, late):
    appeal = file(staff, issued_days_ago(denied, days))
    assert appeal.late is late
    assert appeal.status == AppealStatus.ACKNOWLEDGED and appeal.acknowledged_at is not None


def test_a_late_appeal_is_accepted_with_its_clock(staff, denied):
    appeal = file(staff, issued_days_ago(denied, 75))
    assert appeal.late and Appeal.objects.filter(pk=appeal.pk, late=True).exists()
    assert local_date(appeal.resolution_due_at) == plan_today() + dt.timedelta(days=30)


def test_mail_received_earlier_counts_from_its_day_of_receipt(staff, denied):
    notice = issued_days_ago(denied, 70)
    day_60 = dt.datetime.combine(plan_today() - dt.timedelta(days=10), dt.time(16), tzinfo=PLAN_TIME_ZONE)
    appeal = file(staff, notice, AppealInput(channel="mail", received_at=day_60))
    assert not appeal.late
    assert appeal.resolution_due_at == end_of_local_day(local_date(day_60) + dt.timedelta(days=30))


@pytest.mark.parametrize(("days", "timely"), [(10, True), (11, False)])
def test_aid_paid_pending_is_timely_within_10_days(staff, denied, days, timely):
    appeal = file(staff, issued_days_ago(denied, days), AppealInput(channel="phone", aid_paid_pending=True))
    assert appeal.aid_paid_pending_requested and appeal.aid_paid_pending_timely is timely


def test_aid_paid_pending_not_asked_is_not_judged(staff, denied):
    assert file(staff, denied).aid_paid_pending_timely is None


def test_a_standard_appeal_is_due_at_the_end_of_the_30th_calendar_day(staff, denied):
    appeal = file(staff, denied)
    assert appeal.resolution_due_at == end_of_local_day(local_date(appeal.received_at) + dt.timedelta(days=30))


def test_an_expedited_appeal_is_due_72_hours_after_receipt(staff, denied):
    appeal = file(staff, denied, AppealInput(channel="phone", expedited=True))
    assert appeal.resolution_due_at - appeal.received_at == dt.timedelta(hours=72)


@pytest.mark.parametrize(
    ("received", "field"),
    [
        (lambda notice: timezone.now() + dt.timedelta(hours=1), "received_at"),
        (lambda notice: notice.issued_at - dt.timedelta(minutes=1), "received_at"),
    ],
)
def test_a_receipt_in_the_future_or_before_the_notice_is_refused(staff, denied, received, field):
    with pytest.raises(ValidationFailed) as refused:
        file(staff, denied, AppealInput(channel="mail", received_at=received(denied)))
    assert refused.value.field == field and not Appeal.objects.exists()


def test_one_appeal_per_notice_until_withdrawn(staff, denied):
    file(staff, denied)
    with pytest.raises(Conflict):
        file(staff, denied, who="appeals")
    assert Appeal.objects.count() == 1


def test_one_extension_of_at_most_14_days_with_a_reason(staff, denied):
    appeal = file(staff, denied)
    due = appeal.resolution_due_at
    coordinator = staff["appeals"]
    for days, reason, field in [
        (15, "Records from the PCP", "extension_days"),
        (0, "x", "extension_days"),
        (7, " ", "reason"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            appeal_extend(actor=coordinator, appeal=appeal, extension_days=days, reason=reason)
        assert refused.value.field == field
    extended = appeal_extend(actor=coordinator, appeal=appeal, extension_days=14, reason="Records from the PCP")
    assert extended.status == AppealStatus.EXTENDED and extended.extension_days == 14
    assert extended.resolution_due_at == end_of_local_day(local_date(due) + dt.timedelta(days=14))
    assert AuditEvent.objects.filter(action="appeal.extend", object_id=str(appeal.pk)).count() == 1
    with pytest.raises(Conflict):
        appeal_extend(actor=coordinator, appeal=appeal, extension_days=3, reason="Again")
    extended.refresh_from_db()
    assert extended.extension_days == 14 and extended.resolution_due_at.astimezone(PLAN_TIME_ZONE).hour == 23


def test_an_expedited_appeal_extends_by_whole_days(staff, denied):
    appeal = file(staff, denied, AppealInput(channel="phone", expedited=True))
    extended = appeal_extend(actor=staff["appeals"], appeal=appeal, extension_days=3, reason="Member asked for time")
    assert extended.resolution_due_at - appeal.received_at == dt.timedelta(hours=72 + 3 * 24)
