"""Invalid input on the enrollment endpoints: a clear 4xx naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from tests.api.test_access_matrix import enrolled  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
TOMORROW = (plan_today() + dt.timedelta(days=1)).isoformat()

CASES = [
    (
        "cm_a",
        "/enrollments/{enrollment}/outreach-attempts",
        {"attempted_on": TOMORROW, "method": "phone", "reached": True, "minutes_spent": 5},
        "attempted_on",
    ),
    (
        "cm_a",
        "/enrollments/{enrollment}/outreach-attempts",
        {"attempted_on": "2026-01-01", "method": "pigeon", "reached": True, "minutes_spent": 5},
        "method",
    ),
    (
        "cm_a",
        "/enrollments/{enrollment}/outreach-attempts",
        {"attempted_on": "2026-01-01", "method": "phone", "reached": True, "minutes_spent": -1},
        "minutes_spent",
    ),
    ("cm_a", "/members/{member}/care-team", {"role": "wizard", "name": "X"}, "role"),
    ("cm_a", "/members/{member}/care-team", {"role": "pcp", "name": ""}, "name"),
    ("cm_a", "/members/{member}/care-team", {"role": "pcp", "name": "X", "email": "nope"}, "email"),
    ("sup_a", "/enrollments/{enrollment}/lead-care-manager", {"care_manager": "cm_b"}, "care_manager"),
    ("sup_a", "/enrollments/{enrollment}/lead-care-manager", {}, "care_manager"),
    ("cm_a", "/enrollments/{enrollment}/disenroll", {"reason": "bored"}, "reason"),
    (
        "cm_a",
        "/enrollments/{enrollment}/disenroll",
        {"reason": "opted_out", "effective_on": "2000-01-01"},
        "effective_on",
    ),
    ("member_services", "/enrollments/{enrollment}/provider-change", {"reason": ""}, "reason"),
    (
        "member_services",
        "/enrollments/{enrollment}/provider-change",
        {"reason": "x", "provider_id": "00000000-0000-0000-0000-000000000000"},
        "provider_id",
    ),
    ("intake", "/referrals/{referral}/assignment", {"provider_id": "not-a-uuid"}, "provider_id"),
]


@pytest.mark.parametrize(
    ("caller", "path", "body", "field"), CASES, ids=[f"{c[1].split('/')[-1]}-{c[3]}" for c in CASES]
)
def test_invalid_input_names_the_field(api, enrolled, caller, path, body, field):  # noqa: F811
    url = path.format(**{k: (v.pk if hasattr(v, "pk") else v) for k, v in enrolled.items()})
    before = AuditEvent.objects.count()
    response = api(caller).post(url, body)
    assert 400 <= response.status_code < 500, response.content
    locs = [str(part) for item in response.json()["detail"] for part in item["loc"]]
    assert field in locs, response.content
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "path",
    [
        "/reference/populations-of-focus?on=tomorrow",
        "/members/{member}/eligibility?on=x",
        "/authorizations?overdue=perhaps",
        "/tasks?due_before=soon",
    ],
)
def test_invalid_query_parameters_are_named(api, enrolled, path):  # noqa: F811
    response = api("intake").get(path.format(member=enrolled["member"].pk))
    assert response.status_code == 422
    assert any(item["loc"][0] == "query" for item in response.json()["detail"]), response.content
