"""The appeals API: file, list, read, extend, resolve and withdraw appeals; file, list, read and resolve
grievances; every refusal names the field at fault and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.appeals.models import Appeal, Grievance
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import local_date, plan_today
from calaim.core.models import AuditEvent
from calaim.notices.models import Notice
from calaim.referrals.models import Referral
from tests.appeals.conftest import issued_days_ago
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def fields(response):
    return {str(part) for item in response.json()["detail"] for part in item["loc"]}


def file(api, notice, caller="member_services", **body):
    return api(caller).post("/appeals", {"notice_of_action_id": str(notice.pk), "channel": "phone", **body})


def test_an_appeal_from_filing_to_overturn(api, staff, denied):
    filed = file(api, issued_days_ago(denied, 61), aid_paid_pending=True, description="I live in my car")
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["late"] is True and body["aid_paid_pending_timely"] is False and body["status"] == "acknowledged"
    assert body["reference"].startswith("AP-") and body["overdue"] is False
    assert local_date(dt.datetime.fromisoformat(body["resolution_due_at"])) == plan_today() + dt.timedelta(days=30)
    listed = api("appeals").get("/appeals").json()
    assert [a["id"] for a in listed["items"]] == [body["id"]] and listed["count"] == 1
    extended = api("appeals").post(f"/appeals/{body['id']}/extension", {"extension_days": 14, "reason": "Records"})
    assert extended.status_code == 200 and extended.json()["status"] == "extended"
    resolved = api("appeals").post(f"/appeals/{body['id']}/resolution", {"outcome": "overturned", "reason": "Met"})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["outcome"] == "overturned" and resolved.json()["hearing_deadline"] is None
    authorization = api("um").get(f"/authorizations/{denied.authorization_id}").json()
    assert authorization["status"] == "approved"
    assert api("appeals").get("/appeals").json()["count"] == 0
    assert api("compliance").get("/appeals", show="resolved").json()["count"] == 1
    assert api("compliance").get(f"/appeals/{body['id']}").status_code == 200


def test_upheld_answers_the_hearing_deadline(api, staff, denied):
    appeal_id = file(api, denied).json()["id"]
    resolved = api("appeals").post(f"/appeals/{appeal_id}/resolution", {"outcome": "upheld", "reason": "Not met"})
    assert resolved.json()["hearing_deadline"] == (plan_today() + dt.timedelta(days=120)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"received_at": "2999-01-01T10:00:00"}, "received_at"),
        ({"on_behalf": "lawyer"}, "on_behalf"),
        ({"notice_of_action_id": "00000000-0000-0000-0000-000000000000"}, "notice_of_action_id"),
    ],
)
def test_an_invalid_filing_names_the_field_and_changes_nothing(api, staff, denied, body, field):
    events = AuditEvent.objects.count()
    response = file(api, denied, **body)
    assert response.status_code in (404, 422), response.content
    assert field in fields(response)
    assert not Appeal.objects.exists() and AuditEvent.objects.count() == events


def test_plan_staff_file_for_the_provider_that_asked_for_the_service(api, staff, denied):
    asked_by = denied.authorization.requesting_organization
    assert asked_by is not None
    AuthorizationRequest.objects.filter(pk=denied.authorization_id).update(requesting_organization=None)
    response = file(api, denied, on_behalf="provider")
    assert response.status_code == 422 and "on_behalf" in fields(response)
    AuthorizationRequest.objects.filter(pk=denied.authorization_id).update(requesting_organization=asked_by)
    response = file(api, denied, on_behalf="provider")
    assert response.json()["on_behalf"] == "provider"
    assert response.json()["provider_organization_id"] == str(asked_by.pk)


@pytest.mark.parametrize(
    ("path", "body", "field", "status"),
    [
        ("extension", {"extension_days": 15, "reason": "x"}, "extension_days", 422),
        ("extension", {"extension_days": 3, "reason": ""}, "reason", 422),
        ("resolution", {"outcome": "maybe", "reason": "x"}, "outcome", 422),
        ("resolution", {"outcome": "upheld"}, "reason", 422),
        ("withdrawal", {}, "reason", 422),
    ],
)
def test_invalid_steps_name_the_field_and_change_nothing(api, staff, denied, path, body, field, status):
    appeal_id = file(api, denied).json()["id"]
    before = Appeal.objects.values().get(pk=appeal_id)
    response = api("appeals").post(f"/appeals/{appeal_id}/{path}", body)
    assert response.status_code == status and field in fields(response)
    assert Appeal.objects.values().get(pk=appeal_id) == before


def test_a_second_extension_is_a_conflict(api, staff, denied):
    appeal_id = file(api, denied).json()["id"]
    api("appeals").post(f"/appeals/{appeal_id}/extension", {"extension_days": 2, "reason": "x"})
    again = api("appeals").post(f"/appeals/{appeal_id}/extension", {"extension_days": 2, "reason": "x"})
    assert again.status_code == 409 and Appeal.objects.get(pk=appeal_id).extension_days == 2


def test_a_grievance_through_the_api(api, staff, denied):
    categories = api("member_services").get("/grievance-categories").json()
    assert {"code": "transportation", "label": "Transportation"} in categories
    referral = Referral.objects.get(pk=denied.authorization.referral_id)
    filed = api("member_services").post(
        "/grievances",
        {
            "member_id": str(denied.member_id),
            "category": "quality_of_service",
            "description": "Nobody called back",
            "channel": "phone",
            "expedited": True,
            "referral_id": str(referral.pk),
        },
    )
    assert filed.status_code == 201, filed.content
    grievance = filed.json()
    received = dt.datetime.fromisoformat(grievance["received_at"])
    assert dt.datetime.fromisoformat(grievance["resolution_due_at"]) - received == dt.timedelta(hours=72)
    assert grievance["referral_id"] == str(referral.pk)
    letter = Notice.objects.get(kind="grievance_acknowledgment")
    assert letter.content["grievance_id"] == grievance["id"] and letter.content["category"].startswith("Quality")
    assert api("appeals").get("/grievances").json()["items"][0]["id"] == grievance["id"]
    resolved = api("appeals").post(f"/grievances/{grievance['id']}/resolution", {"resolution": "Called back"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert Notice.objects.get(kind="grievance_resolution").content == {
        "grievance_id": grievance["id"],
        "reference": grievance["reference"],
        "category": "Quality of service (customer service, staff conduct)",
        "resolution": "Called back",
        "resolved_on": plan_today().isoformat(),
    }


def test_a_standard_grievance_is_due_in_30_calendar_days(api, staff, member):
    body = {"member_id": str(member.pk), "category": "billing", "description": "Billed $40", "channel": "mail"}
    grievance = api("member_services").post("/grievances", body).json()
    assert local_date(dt.datetime.fromisoformat(grievance["resolution_due_at"])) == plan_today() + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"description": ""}, "description"),
        ({"member_id": "00000000-0000-0000-0000-000000000000"}, "member_id"),
        ({"authorization_id": "00000000-0000-0000-0000-000000000000"}, "authorization_id"),
    ],
)
def test_an_invalid_grievance_names_the_field(api, staff, member, body, field):
    base = {"member_id": str(member.pk), "category": "billing", "description": "x", "channel": "mail"}
    response = api("member_services").post("/grievances", {**base, **body})
    assert response.status_code in (404, 422) and field in fields(response)
    assert not Grievance.objects.exists()


def test_another_members_record_cannot_be_named(api, staff, denied):
    other = MemberFactory()
    body = {
        "member_id": str(other.pk),
        "category": "billing",
        "description": "x",
        "channel": "mail",
        "authorization_id": str(denied.authorization_id),
    }
    response = api("member_services").post("/grievances", body)
    assert response.status_code == 422 and "authorization_id" in fields(response)
    assert not Grievance.objects.exists()
