"""Action forms call the services: a valid post changes state and writes the audit event; a refused one
re-renders with the error on its field and changes nothing; out of scope is 404; CSRF is enforced."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from calaim.authorizations.models import AuthorizationRequest
from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.plans.models import DiscontinuationReason

pytestmark = pytest.mark.django_db
TODAY = plan_today()


def _outreach(**overrides: object) -> dict[str, object]:
    return {"attempted_on": TODAY.isoformat(), "method": "phone", "reached": "on", "minutes_spent": 20, **overrides}


def _field_error(response, field: str, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}-error"' in body and text in body
    assert re.search(rf'aria-describedby="[^"]*id_{field}-error"', body)


def test_outreach_attempt_recorded(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/outreach/"
    assert web("cm_a").get(path).status_code == 200
    response = web("cm_a").post(path, _outreach(notes="Left a message"))
    assert response["Location"] == f"/members/{enrolled['member'].pk}/"
    attempt = OutreachAttempt.objects.get(enrollment_id=enrolled["enrollment"])
    assert attempt.method == "phone" and attempt.reached and attempt.notes == "Left a message"
    assert AuditEvent.objects.filter(action="outreach.record", object_id=str(attempt.pk)).exists()
    assert b"Left a message" in web("cm_a").get(response["Location"]).content


def test_outreach_in_the_future_is_refused_on_its_field(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/outreach/"
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    _field_error(web("cm_a").post(path, _outreach(attempted_on=future)), "attempted_on", "cannot be in the future")
    _field_error(web("cm_a").post(path, _outreach(minutes_spent=5000)), "minutes_spent", "between 0 and 1440")
    _field_error(web("cm_a").post(path, _outreach(method="pigeon")), "method", "Select a valid choice")
    assert not OutreachAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action="outreach.record").exists()


def test_outreach_by_another_organization_is_404_and_changes_nothing(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/outreach/"
    assert web("cm_b").post(path, _outreach()).status_code == 404
    assert web("cm_b").get(path).status_code == 404
    assert not OutreachAttempt.objects.exists()


def test_plan_staff_cannot_record_outreach(web, enrolled):
    response = web("member_services").post(f"/enrollments/{enrolled['enrollment']}/outreach/", _outreach())
    assert response.status_code in (400, 404)
    assert not OutreachAttempt.objects.exists()


@pytest.mark.parametrize("caller", ["member_services", "cm_a"])
def test_opt_out(web, enrolled, caller):
    path = f"/enrollments/{enrolled['enrollment']}/disenroll/"
    assert b"Choose a reason" in web(caller).get(path).content
    review = web(caller).post(path, {"reason": "opted_out", "note": "Member called"})
    assert review.status_code == 200 and "Confirm: end ECM" in review.content.decode()
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "enrolled"  # nothing until confirmed
    response = web(caller).post(path, {"reason": "opted_out", "note": "Member called", "confirmed": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "disenrolled"
    event = AuditEvent.objects.get(action="enrollment.end", object_id=enrolled["enrollment"])
    assert "Member called" in event.reason
    ecm = web("member_services").get(f"/members/{enrolled['member'].pk}/sections/ecm/").content.decode()
    label = DiscontinuationReason.objects.filter(code="opted_out").latest("effective_from").label
    assert f"{label} (Member called)" in ecm and "opted_out" not in ecm


def test_disenroll_before_the_start_is_refused_on_its_field(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/disenroll/"
    early = (TODAY - dt.timedelta(days=400)).isoformat()
    _field_error(
        web("cm_a").post(path, {"reason": "opted_out", "effective_on": early}), "effective_on", "cannot be before"
    )
    _field_error(web("cm_a").post(path, {"reason": ""}), "reason", "This field is required")
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "enrolled"
    assert not AuditEvent.objects.filter(action="enrollment.end").exists()


def test_disenroll_by_another_organization_is_404(web, enrolled):
    body = {"reason": "opted_out", "confirmed": "yes"}
    response = web("cm_b").post(f"/enrollments/{enrolled['enrollment']}/disenroll/", body)
    assert response.status_code == 404
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "enrolled"


def test_um_decision_approve(web, pending):
    path = f"/authorizations/{pending['authorization'].pk}/decision/"
    page = web("um").get(path)
    assert page.status_code == 200 and b"left" in page.content
    response = web("um").post(path, {"outcome": "approve", "reason": "Meets A1"})
    assert response["Location"] == "/"
    assert AuthorizationRequest.objects.get(pk=pending["authorization"].pk).status == "approved"
    assert AuditEvent.objects.filter(
        action="authorization.approve", object_id=str(pending["authorization"].pk)
    ).exists()


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"outcome": "deny", "reason": "Not homeless"}, "criteria", "reason and the criteria"),
        ({"outcome": "approve_modified"}, "modification", "Say what was modified"),
        ({"outcome": "pend"}, "information_requested", "what information is needed"),
        ({"outcome": "approve", "period_months": 30}, "period_months", "between 1 and 24"),
    ],
)
def test_um_decision_refused_on_its_field(web, pending, body, field, text):
    path = f"/authorizations/{pending['authorization'].pk}/decision/"
    _field_error(web("um").post(path, body), field, text)
    assert AuthorizationRequest.objects.get(pk=pending["authorization"].pk).status == "pending"
    assert (
        not AuditEvent.objects.filter(action__startswith="authorization.", object_id=str(pending["authorization"].pk))
        .exclude(action="authorization.open")
        .exists()
    )


def test_um_decision_needs_the_um_role_and_the_plan(web, pending):
    path = f"/authorizations/{pending['authorization'].pk}/decision/"
    assert web("hpsm_um").post(path, {"outcome": "approve"}).status_code == 404
    refused = web("intake").post(path, {"outcome": "approve"})
    assert refused.status_code == 400 and b"error-summary" in refused.content
    assert AuthorizationRequest.objects.get(pk=pending["authorization"].pk).status == "pending"


def test_posts_need_the_csrf_token(web, enrolled, network):
    client = Client(enforce_csrf_checks=True)
    client.cookies = web("cm_a").cookies
    response = client.post(f"/enrollments/{enrolled['enrollment']}/outreach/", _outreach())
    assert response.status_code == 403
    assert not OutreachAttempt.objects.exists()


def test_supervisor_assigns_the_lead_care_manager(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/lead-care-manager/"
    assert f'href="{path}"'.encode() in web("sup_a").get("/").content
    page = web("sup_a").get(path).content.decode()
    assert "cm_a2" in page and "cm_b" not in page
    assert web("sup_a").post(path, {"care_manager": "cm_a2"})["Location"] == "/"
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).lead_care_manager.username == "cm_a2"
    assert (
        AuditEvent.objects.filter(action="enrollment.lead_care_manager", object_id=enrolled["enrollment"]).count() == 2
    )


def test_lead_care_manager_outside_the_provider_is_refused(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/lead-care-manager/"
    _field_error(web("sup_a").post(path, {"care_manager": "cm_b"}), "care_manager", "Select a valid choice")
    assert web("cm_b").post(path, {"care_manager": "cm_b"}).status_code == 404
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).lead_care_manager.username == "cm_a"


def test_a_care_manager_cannot_name_the_lead_care_manager(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/lead-care-manager/"
    assert f'href="{path}"'.encode() not in web("cm_a").get("/").content
    refused = web("cm_a").post(path, {"care_manager": "cm_a2"})
    assert refused.status_code == 400 and "may not assign Lead Care Managers" in refused.content.decode()
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).lead_care_manager.username == "cm_a"
