"""Authorization matrix for every member-data endpoint: anonymous, wrong role, other organization or
plan, and allowed callers. Refused callers learn nothing about the member and change nothing."""

from __future__ import annotations

import pytest

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.referrals.models import Referral
from tests.conftest import referral_body

pytestmark = pytest.mark.django_db
TODAY = plan_today().isoformat()


@pytest.fixture
def enrolled(api, network, member):
    """A member enrolled with provider A, with an approved authorization and a referral by the PCP."""
    rid = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    api("um").post(f"/authorizations/{auth.pk}/decision", {"outcome": "approve"})
    eid = api("intake").post(f"/referrals/{rid}/assignment", {"provider_id": str(network.provider_a.pk)}).json()["id"]
    api("cm_a").post(f"/enrollments/{eid}/enroll", {"enrolled_on": TODAY})
    return {"member": member, "referral": rid, "authorization": str(auth.pk), "enrollment": eid}


# (endpoint, method, path template, body, {caller: expected status}); None = anonymous.
MATRIX = [
    (
        "member",
        "get",
        "/members/{member}",
        None,
        {None: 401, "referrer": 404, "cm_b": 404, "hpsm_intake": 404, "cm_a": 200, "member_services": 200},
    ),
    (
        "referral",
        "get",
        "/referrals/{referral}",
        None,
        {None: 401, "referrer_cbo": 404, "cm_b": 404, "hpsm_intake": 404, "referrer": 200, "cm_a": 200},
    ),
    (
        "eligibility",
        "post",
        "/referrals/{referral}/eligibility-determination",
        None,
        {None: 401, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 403, "intake": 409},
    ),
    (
        "preview",
        "get",
        "/members/{member}/eligibility",
        None,
        {None: 401, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "intake": 200},
    ),
    (
        "decision",
        "post",
        "/authorizations/{authorization}/decision",
        {"outcome": "deny", "reason": "r", "criteria": "c"},
        {None: 401, "intake": 403, "cm_a": 403, "cm_b": 404, "hpsm_um": 404, "referrer": 404, "um": 409},
    ),
    (
        "extension",
        "post",
        "/authorizations/{authorization}/extension",
        {"reason": "records"},
        {None: 401, "intake": 403, "cm_b": 404, "hpsm_um": 404, "um": 409},
    ),
    (
        "reauthorize",
        "post",
        "/authorizations/{authorization}/reauthorization",
        {},
        {None: 401, "member_services": 403, "cm_b": 404, "hpsm_um": 404, "referrer": 404, "cm_a": 201},
    ),
    (
        "assignment",
        "post",
        "/referrals/{referral}/assignment",
        {},
        {None: 401, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 403, "intake": 409},
    ),
    (
        "enroll",
        "post",
        "/enrollments/{enrollment}/enroll",
        {"enrolled_on": TODAY},
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 409},
    ),
    (
        "lcm",
        "post",
        "/enrollments/{enrollment}/lead-care-manager",
        {"care_manager": "cm_a2"},
        {None: 401, "intake": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "sup_a": 200},
    ),
    (
        "outreach",
        "post",
        "/enrollments/{enrollment}/outreach-attempts",
        {"attempted_on": TODAY, "method": "phone", "reached": False, "minutes_spent": 5},
        {None: 401, "intake": 404, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 201},
    ),
    (
        "care_team",
        "post",
        "/members/{member}/care-team",
        {"role": "pharmacist", "name": "Pat Kim"},
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 201},
    ),
    (
        "audit",
        "get",
        "/members/{member}/audit-events",
        None,
        {None: 401, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "intake": 200},
    ),
    (
        "providers",
        "get",
        "/members/{member}/ecm-providers",
        None,
        {None: 401, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "member_services": 200},
    ),
    (
        "provider_change",
        "post",
        "/enrollments/{enrollment}/provider-change",
        {"reason": "closer office"},
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "member_services": 201},
    ),
    (
        "disenroll",
        "post",
        "/enrollments/{enrollment}/disenroll",
        {"reason": "opted_out"},
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 200},
    ),
]
CASES = [
    (name, method, path, body, caller, status)
    for name, method, path, body, expected in MATRIX
    for caller, status in expected.items()
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "caller", "status"), CASES, ids=[f"{c[0]}-{c[4] or 'anonymous'}" for c in CASES]
)
def test_access(api, enrolled, name, method, path, body, caller, status):
    url = path.format(**{k: (v.pk if hasattr(v, "pk") else v) for k, v in enrolled.items()})
    before = (
        AuditEvent.objects.count(),
        Referral.objects.count(),
        Enrollment.objects.count(),
        AuthorizationRequest.objects.count(),
    )
    client = api(caller)
    response = client.get(url) if method == "get" else client.post(url, body)
    assert response.status_code == status, response.content
    if status >= 400:
        assert enrolled["member"].cin.encode() not in response.content
        assert enrolled["member"].last_name.encode() not in response.content
        after = (
            AuditEvent.objects.count(),
            Referral.objects.count(),
            Enrollment.objects.count(),
            AuthorizationRequest.objects.count(),
        )
        assert after == before


@pytest.mark.parametrize("caller", ["cm_b", "hpsm_intake", "referrer_cbo"])
@pytest.mark.parametrize("path", ["/members", "/referrals", "/authorizations", "/enrollments", "/tasks", "/notices"])
def test_lists_hide_out_of_scope_members(api, enrolled, caller, path):
    response = api(caller).get(path)
    assert response.status_code == 200
    assert str(enrolled["member"].pk).encode() not in response.content
    assert enrolled["member"].cin.encode() not in response.content


@pytest.mark.parametrize("path", ["/members", "/referrals", "/authorizations", "/enrollments", "/tasks", "/notices"])
def test_lists_need_authentication(api, enrolled, path):
    assert api(None).get(path).status_code == 401


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("cm_b", 404), ("hpsm_intake", 404), ("intake", 404), ("referrer", 404), ("cm_a", 200)],
)
def test_task_completion_only_by_the_assigned_provider(api, enrolled, caller, status):
    from calaim.careplans.models import Task

    task = Task.objects.get(enrollment_id=enrolled["enrollment"], kind="welcome_call")
    before = AuditEvent.objects.count()
    response = api(caller).post(f"/tasks/{task.pk}/complete")
    assert response.status_code == status, response.content
    task.refresh_from_db()
    assert (task.status == "completed") == (status == 200)
    if status != 200:
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("cm_b", 404), ("hpsm_intake", 404), ("um", 403), ("referrer", 404), ("member_services", 200)],
)
def test_care_team_removal(api, enrolled, caller, status):
    person = api("cm_a").post(f"/members/{enrolled['member'].pk}/care-team", {"role": "pcp", "name": "Dr. Lee"}).json()
    before = AuditEvent.objects.count()
    response = api(caller).delete(f"/care-team/{person['id']}")
    assert response.status_code == status, response.content
    if status != 200:
        assert AuditEvent.objects.count() == before
        assert api("cm_a").get(f"/members/{enrolled['member'].pk}/care-team").json()[0]["active"] is True


def test_browser_session_reads_but_writes_need_the_csrf_token(enrolled, network):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(network.users["intake"])
    assert browser.get(f"/api/members/{enrolled['member'].pk}").status_code == 200
    before = AuditEvent.objects.count()
    post = browser.post(
        f"/api/members/{enrolled['member'].pk}/care-team", {"role": "pcp", "name": "X"}, content_type="application/json"
    )
    assert post.status_code == 403 and AuditEvent.objects.count() == before
