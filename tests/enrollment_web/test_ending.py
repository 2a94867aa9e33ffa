"""Ending ECM: a confirmation lists what will be cancelled and closed before anything changes; "Other" needs a note;
the referrer is told the reason's category, never the staff note; the other supports offered are on the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.careplans.models import Task
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.notices.email import notification_message
from calaim.notices.mailroom import notice_send
from calaim.notices.models import Notice, Notification
from calaim.referrals.models import LoopEvent, Referral
from calaim.workflows.ecm_enrollment import ecm_disenroll

pytestmark = pytest.mark.django_db
NOTE = "Daughter says he is moving in with her in Reno next week"


def _path(enrolled: dict[str, Any]) -> str:
    return f"/enrollments/{enrolled['enrollment']}/disenroll/"


def _nothing_changed(enrolled: dict[str, Any], open_tasks: int) -> None:
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    assert enrollment.status == "enrolled" and enrollment.ended_on is None
    assert Task.objects.filter(enrollment=enrollment, status__in=["requested", "in-progress"]).count() == open_tasks
    assert Referral.objects.get(pk=enrolled["referral"]).status == "enrolled"
    assert not AuditEvent.objects.filter(action__in=["enrollment.end", "task.cancel"]).exists()
    assert not Notice.objects.filter(kind="ecm_disenrollment_letter").exists()


@pytest.fixture
def with_task(enrolled: dict[str, Any], network: Any) -> Task:
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    return Task.objects.create(
        member_id=enrollment.member_id,
        enrollment=enrollment,
        organization=network.provider_a,
        owner=network.users["cm_a"],
        kind="appointment",
        description="Cardiology follow-up on Tuesday",
        due_date=plan_today() + dt.timedelta(days=5),
    )


def test_the_confirmation_lists_the_tasks_and_changes_nothing(web, enrolled, with_task):
    open_tasks = Task.objects.filter(enrollment_id=enrolled["enrollment"], status="requested").count()
    assert open_tasks == 2  # the welcome call and the appointment
    response = web("member_services").post(_path(enrolled), {"reason": "moved_out_of_area", "note": NOTE})
    body = response.content.decode()
    assert response.status_code == 200 and "Nothing has changed yet" in body
    cancelled = body.split('id="tasks-cancelled"', 1)[1].split("</li>", 1)[0]
    assert "2 open tasks will be cancelled" in cancelled
    assert "Appointment: Cardiology follow-up on Tuesday" in cancelled and "Welcome call" in cancelled
    assert "cm_a" in cancelled  # the owner (no full name recorded)
    assert "told the reason's category only" in body and "Member moved out of the plan&#x27;s service area" in body
    assert "ECM through the new county&#x27;s Medi-Cal plan" in body  # the supports the letter offers
    assert 'name="confirmed" value="yes"' in body and "Confirm: end ECM" in body
    _nothing_changed(enrolled, open_tasks)
    back = web("member_services").post(
        _path(enrolled), {"reason": "moved_out_of_area", "note": NOTE, "confirmed": "yes", "change": "1"}
    )
    assert back.status_code == 200 and "Review what ending changes" in back.content.decode()
    _nothing_changed(enrolled, open_tasks)


def test_confirming_ends_ecm_and_shows_the_supports_offered(web, enrolled, with_task):
    body = {"reason": "moved_out_of_area", "note": NOTE, "confirmed": "yes"}
    response = web("member_services").post(_path(enrolled), body)
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    assert enrollment.status == "disenrolled" and enrollment.discontinuation_note == NOTE
    assert "ECM through the new county's Medi-Cal plan" in enrollment.other_supports_offered
    assert not Task.objects.filter(enrollment=enrollment, status="requested").exists()
    page = web("member_services").get(response["Location"]).content.decode()
    assert "ECM ended. Offer the member: ECM through the new county&#x27;s Medi-Cal plan" in page
    section = web("member_services").get(f"/members/{enrolled['member'].pk}/sections/ecm/").content.decode()
    assert "Other supports offered</dt><dd>ECM through the new county&#x27;s Medi-Cal plan" in section
    assert NOTE in section  # plan staff still see the note
    referral_page = web("intake").get(f"/referrals/{enrolled['referral']}/").content.decode()
    assert "Other supports offered to the member: ECM through the new county" in referral_page
    assert NOTE in referral_page


@pytest.mark.parametrize("confirmed", ["", "yes"])
def test_other_without_a_note_is_refused_on_the_note(web, enrolled, confirmed):
    response = web("cm_a").post(_path(enrolled), {"reason": "other", "note": "  ", "confirmed": confirmed})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="id_note-error"' in body and "this reason needs a note" in body
    _nothing_changed(enrolled, 1)


def test_other_with_a_note_is_accepted(web, enrolled):
    review = web("cm_a").post(_path(enrolled), {"reason": "other", "note": "Member chose a hospice program"})
    assert review.status_code == 200 and "Confirm: end ECM" in review.content.decode()
    body = {"reason": "other", "note": "Member chose a hospice program", "confirmed": "yes"}
    assert web("cm_a").post(_path(enrolled), body).status_code == 302
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "disenrolled"


def test_the_api_refuses_other_without_a_note(api, enrolled):
    response = api("cm_a").post(f"/enrollments/{enrolled['enrollment']}/disenroll", {"reason": "other"})
    assert response.status_code == 422 and "needs a note" in str(response.json())
    _nothing_changed(enrolled, 1)


def test_the_referrer_sees_the_category_never_the_note(web, api, enrolled):
    body = {"reason": "moved_out_of_area", "note": NOTE, "confirmed": "yes"}
    assert web("member_services").post(_path(enrolled), body).status_code == 302
    category = "Member moved out of the plan's service area."
    page = web("referrer").get(f"/referrals/{enrolled['referral']}/").content.decode()
    assert "Member moved out of the plan&#x27;s service area." in page and "Reno" not in page
    seen = api("referrer").get(f"/referrals/{enrolled['referral']}").json()
    assert seen["closure_reason"] == category and seen["status_updates"][-1]["reason"] == category
    assert "Reno" not in str(seen)
    assert not LoopEvent.objects.filter(reason__contains="Reno").exists()
    notice = Notice.objects.get(referral_id=enrolled["referral"], recipient="referrer", content__status="closed")
    assert notice.content["reason"] == category and "Reno" not in str(notice.content)
    assert notice_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert "Reno" not in notice.document
    told = Notification.objects.filter(notice=notice)
    assert told.exists()
    for notification in told:
        email = notification_message(notification)
        assert "Reno" not in notification.message and "Reno" not in email.subject and "Reno" not in email.body
    # The plan's audit trail keeps the note for staff.
    assert NOTE in AuditEvent.objects.get(action="enrollment.end", object_id=enrolled["enrollment"]).reason


def test_a_provider_change_reason_is_not_told_to_the_referrer(web, api, network, enrolled):
    body = {"provider_id": str(network.provider_b.pk), "reason": "Member distrusts Alpha after an argument"}
    path = f"/enrollments/{enrolled['enrollment']}/provider-change/"
    assert web("member_services").post(path, body).status_code == 302
    seen = api("referrer").get(f"/referrals/{enrolled['referral']}").json()
    assert "argument" not in str(seen) and "ECM provider changed to Bravo Health Navigators." in str(seen)


def test_the_workflow_used_by_files_and_pages_keeps_the_note_from_the_loop(network, enrolled):
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    ecm_disenroll(actor=network.users["cm_a"], enrollment=enrollment, reason_code="opted_out", note=NOTE)
    assert Referral.objects.get(pk=enrolled["referral"]).closure_reason == "Member declined or opted out."


@pytest.mark.parametrize(
    ("caller", "shown", "posted"), [(None, 302, 302), ("cm_b", 404, 404), ("hpsm_intake", 404, 404), ("um", 200, 400)]
)
def test_ending_access(web, enrolled, caller, shown, posted):
    assert web(caller).get(_path(enrolled)).status_code == shown
    for confirmed in ("", "yes"):
        response = web(caller).post(_path(enrolled), {"reason": "opted_out", "confirmed": confirmed})
        assert response.status_code == posted
        if posted == 400:
            assert "may not end ECM" in response.content.decode()
        if posted == 404:
            assert enrolled["member"].cin.encode() not in response.content
    _nothing_changed(enrolled, 1)
