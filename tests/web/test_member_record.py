"""The member record and each of its partials scope alike: plan staff and the assigned provider see it;
another organization, another plan and referrers get 404 on the page and on every partial."""

from __future__ import annotations

import uuid

import pytest

from calaim.ecm.models import Enrollment
from calaim.web.templatetags.policy_tags import POLICIES
from calaim.web.views.members import SECTIONS

pytestmark = pytest.mark.django_db

PARTIALS = [name for name in SECTIONS if name != "audit"]


@pytest.mark.parametrize("caller", ["intake", "um", "member_services", "cm_a", "sup_a"])
def test_record_opens_for_plan_staff_and_the_assigned_provider(web, enrolled, caller):
    member = enrolled["member"]
    response = web(caller).get(f"/members/{member.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert member.cin in body and "Alpha Care Partners" in body and "What could this member get" in body
    assert ("Audit trail" in body) == (caller in ("intake", "um", "member_services"))


def test_record_shows_eligibility_evidence_to_plan_staff(web, enrolled):
    body = web("intake").get(f"/members/{enrolled['member'].pk}/").content.decode()
    assert "A1" in body and "member data" in body and "qualifies" in body


@pytest.mark.parametrize("caller", ["cm_b", "hpsm_intake", "referrer"])
def test_record_and_every_partial_are_404_outside_scope(web, enrolled, caller):
    member = enrolled["member"]
    assert web(caller).get(f"/members/{member.pk}/").status_code == 404
    for name in SECTIONS:
        response = web(caller).get(f"/members/{member.pk}/sections/{name}/")
        assert response.status_code == 404, name
        assert member.cin.encode() not in response.content


@pytest.mark.parametrize("name", PARTIALS)
def test_every_partial_opens_for_the_assigned_provider(web, enrolled, name):
    response = web("cm_a").get(f"/members/{enrolled['member'].pk}/sections/{name}/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.content


def test_audit_partial_is_plan_work(web, enrolled):
    path = f"/members/{enrolled['member'].pk}/sections/audit/"
    assert web("cm_a").get(path).status_code == 404
    body = web("intake").get(path).content.decode()
    assert "Enrolled in ECM" in body and "enrollment.enroll" not in body


def test_unknown_member_and_section_are_404(web, enrolled):
    assert web("intake").get(f"/members/{uuid.uuid4()}/").status_code == 404
    assert web("intake").get(f"/members/{enrolled['member'].pk}/sections/nope/").status_code == 404


def test_action_forms_appear_for_the_roles_that_use_them(web, enrolled):
    path = f"/members/{enrolled['member'].pk}/"
    care_manager = web("cm_a").get(path).content.decode()
    assert "Record an outreach attempt" in care_manager and "End ECM or record an opt-out" in care_manager
    assert 'name="csrfmiddlewaretoken"' in care_manager
    member_services = web("member_services").get(path).content.decode()
    assert "End ECM or record an opt-out" in member_services and "Record an outreach attempt" not in member_services
    assert "Record an outreach attempt" not in web("intake").get(path).content.decode()


# What a page offers is what the service allows: the same policy decides both.
ACTIONS = {
    "end_ecm": "End ECM or record an opt-out",
    "change_provider": "Change ECM provider",
    "record_outreach": "Record an outreach attempt",
    "reauthorize": "Request re-authorization",
}


@pytest.mark.parametrize("caller", ["intake", "um", "member_services", "cm_a", "sup_a"])
def test_the_record_offers_exactly_the_actions_the_policies_allow(web, network, enrolled, caller):
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    authorization = enrollment.authorization
    user = network.users[caller]
    body = web(caller).get(f"/members/{enrollment.member_id}/").content.decode()
    for action, label in ACTIONS.items():
        allowed = POLICIES[action](user, authorization if action == "reauthorize" else enrollment)
        assert (label in body) == bool(allowed), (caller, action, allowed.reason)


def test_plan_intake_may_end_ecm_on_the_page_as_in_the_service(web, network, enrolled):
    """Intake used to be refused the button the service allowed it."""
    path = f"/members/{enrolled['member'].pk}/"
    assert "End ECM or record an opt-out" in web("intake").get(path).content.decode()
    assert "End ECM or record an opt-out" not in web("um").get(path).content.decode()
    body = {"reason": "goals_met", "confirmed": "yes"}
    response = web("intake").post(f"/enrollments/{enrolled['enrollment']}/disenroll/", body)
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "disenrolled"
