"""The audit trail as a timeline: by the plan's day, who by name and organization, what in words, what changed
(before → after, values labelled) and why; plan work only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment

pytestmark = pytest.mark.django_db


def _audit(web: Any, who: str, member: Any) -> str:
    response = web(who).get(f"/members/{member.pk}/sections/audit/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_each_change_names_the_person_in_words_with_before_and_after(web, named, enrolled):
    text = _audit(web, "intake", enrolled["member"])
    assert "Lead Care Manager named by Sam Ortiz, Alpha Care Partners" in text
    assert "Lead care manager: was (none) → now Cara Mendes, Alpha Care Partners" in text
    assert "Enrolled in ECM by Cara Mendes, Alpha Care Partners" in text
    assert "Status: was Assigned; outreach under way → now Enrolled" in text
    assert "ECM referral found eligible; authorization requested" in text
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", text), re.findall(r"\b[a-z_]+\.[a-z_]+\b", text)


def test_a_new_row_shows_what_it_was_created_with_and_the_reason_is_kept(web, named, network, enrolled):
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    event = AuditEvent.objects.get(action="enrollment.assign", object_id=str(enrollment.pk))
    event.reason = "Member asked for a Spanish-speaking provider"
    event.save(update_fields=["reason"])
    text = _audit(web, "intake", enrolled["member"])
    assert "Assigned to an ECM provider by intake, Health Plan of San Joaquin" in text
    assert "Provider: Alpha Care Partners" in text
    assert "Reason: Member asked for a Spanish-speaking provider" in text


def test_days_are_the_plans_days_most_recent_first(web, enrolled):
    body = web("intake").get(f"/members/{enrolled['member'].pk}/sections/audit/").content.decode()
    days = re.findall(r'<h3 class="timeline-day">(.*?)</h3>', body)
    assert days and len(days) == len(set(days))
    times = re.findall(r'<time datetime="([^"]+)"', body)
    assert times == sorted(times, reverse=True)


def test_an_automatic_step_is_said_to_be_calaims(web, enrolled):
    AuditEvent.objects.filter(member=enrolled["member"], action="enrollment.enroll").update(
        actor=None, actor_label="system"
    )
    assert "Enrolled in ECM by calaim (automatic)" in _audit(web, "intake", enrolled["member"])


@pytest.mark.parametrize("caller", ["cm_a", "sup_a", "cm_b", "hpsm_intake", "referrer"])
def test_the_timeline_is_plan_work_and_404_for_others(web, named, enrolled, caller):
    response = web(caller).get(f"/members/{enrolled['member'].pk}/sections/audit/")
    assert response.status_code == 404 and b"Lead Care Manager named" not in response.content
