"""The coordinators are told, in the inbox and with no member data, when an appeal is filed and when an open appeal
or grievance is due within the configured hours (24) or overdue: once, again after an extension moves the due time,
never after it is resolved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from calaim.appeals.grievances import GrievanceInput, grievance_file
from calaim.appeals.models import Appeal, Grievance
from calaim.appeals.reminders import appeal_clocks_check
from calaim.appeals.schedule import appeal_clocks_task, appeals_periodic_jobs
from calaim.appeals.services import AppealInput, appeal_extend, appeal_file, appeal_resolve
from calaim.core.models import AuditEvent
from calaim.notices.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(staff, denied):
    return appeal_file(actor=staff["member_services"], notice=denied, data=AppealInput(channel="phone"))


def due_in(row, delta):
    type(row).objects.filter(pk=row.pk).update(resolution_due_at=timezone.now() + delta)


def told(event):
    return Notification.objects.filter(event=event).order_by("user__username")


def test_the_coordinators_hear_of_a_new_appeal_without_member_data(staff, appeal):
    notes = told("appeal.filed")
    assert [n.user.username for n in notes] == ["appeals", "appeals2"]  # not another plan's coordinator
    member = appeal.member
    for note in notes:
        assert note.link == f"/appeals/{appeal.pk}/"
        assert not {member.last_name, member.first_name, member.cin, appeal.reference} & set(note.message.split())


def test_an_appeal_due_within_a_day_is_told_once(staff, appeal):
    due_in(appeal, dt.timedelta(hours=30))
    assert appeal_clocks_check()["appeals_told"] == 0
    due_in(appeal, dt.timedelta(hours=10))
    assert appeal_clocks_check()["appeals_told"] == 1
    assert [n.user.username for n in told("appeal.due_soon")] == ["appeals", "appeals2"]
    assert "is due by" in told("appeal.due_soon")[0].message
    assert Appeal.objects.get(pk=appeal.pk).due_soon_notified_at is not None
    assert AuditEvent.objects.filter(action="appeal.due_soon", object_id=str(appeal.pk), actor=None).count() == 1
    assert appeal_clocks_check()["appeals_told"] == 0 and told("appeal.due_soon").count() == 2


def test_an_extension_brings_a_new_reminder(staff, appeal):
    due_in(appeal, dt.timedelta(hours=10))
    appeal_clocks_check()
    extended = appeal_extend(actor=staff["appeals"], appeal=appeal, extension_days=1, reason="Records")
    assert extended.due_soon_notified_at is None
    assert appeal_clocks_check()["appeals_told"] == 0  # due in about 34 hours now
    due_in(appeal, -dt.timedelta(hours=1))
    assert appeal_clocks_check()["appeals_told"] == 1
    assert any("overdue since" in n.message for n in told("appeal.due_soon"))


def test_a_resolved_appeal_is_never_told(staff, appeal):
    appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="upheld", reason="Criteria not met")
    due_in(appeal, dt.timedelta(hours=1))
    assert appeal_clocks_check() == {"appeals_told": 0, "grievances_told": 0, "failed": 0}


def test_a_grievance_due_soon_is_told(staff, member):
    data = GrievanceInput(category="transportation", description="Ride never came", channel="phone", expedited=True)
    grievance = grievance_file(actor=staff["member_services"], member=member, data=data)
    assert appeal_clocks_check()["grievances_told"] == 0  # 72 hours
    due_in(grievance, dt.timedelta(hours=23))
    assert appeal_clocks_check()["grievances_told"] == 1
    assert Grievance.objects.get(pk=grievance.pk).due_soon_notified_at is not None
    assert told("grievance.due_soon").count() == 2


def test_the_worker_runs_the_check_on_the_clock_sweeps_schedule(settings, staff, appeal):
    (job,) = appeals_periodic_jobs()
    assert job.task is appeal_clocks_task
    assert job.every == dt.timedelta(seconds=settings.CALAIM_WORKER["CLOCK_SWEEP_SECONDS"])
    due_in(appeal, dt.timedelta(hours=2))
    assert appeal_clocks_task.call()["appeals_told"] == 1
