"""Authorization matrix for every member-data endpoint: anonymous, wrong role, other organization or plan, and
allowed callers. Each row starts from a state where its action can happen (built with the factories); a refused
caller learns nothing about the member and changes no row of any table; each allowed caller's call succeeds and
makes the change. This is the file to copy for a new restricted endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.careplans.models import CareTeamMember, OutreachAttempt, Task
from calaim.careplans.services import care_team_add
from calaim.community_supports.models import CsDelivery, CsRequest, DelegateReassignment
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import EligibilityDetermination, Enrollment, EnrollmentStatus
from calaim.members.models import Member
from calaim.notices.models import Notice
from calaim.referrals.models import LoopEvent, Referral, ReferralStatus
from tests.conftest import referral_body
from tests.factories import AuthorizationFactory, EnrollmentFactory, ReferralFactory

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


def everything() -> dict[str, list[dict[str, object]]]:
    """Every row of every table a member-data endpoint may write, so a refusal is shown to change nothing at all."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED}


WATCHED = [
    Referral,
    LoopEvent,
    EligibilityDetermination,
    AuthorizationRequest,
    NoticeOfAction,
    Enrollment,
    Task,
    OutreachAttempt,
    CareTeamMember,
    Notice,
    CsRequest,
    CsDelivery,
    DelegateReassignment,
    Member,
    AuditEvent,
]


def _received(network):
    """A referral the PCP's referrer sent, not yet determined."""
    referral = ReferralFactory()
    return {"member": referral.member, "referral": referral}


def _pending(network):
    """An ECM authorization request on the clock, asked for by provider A (so its staff can see it)."""
    authorization = AuthorizationFactory(requesting_organization=network.provider_a)
    return {"member": authorization.member, "referral": authorization.referral, "authorization": authorization}


def _authorized(network):
    """An authorized referral waiting for its ECM provider; provider A referred the member, so it sees it."""
    referral = ReferralFactory(status=ReferralStatus.AUTHORIZED, referrer_organization=network.provider_a)
    AuthorizationFactory(referral=referral, member=referral.member, approved=True)
    return {"member": referral.member, "referral": referral}


def _assigned(network):
    enrollment = EnrollmentFactory(provider=network.provider_a)
    return {"member": enrollment.member, "enrollment": enrollment, "authorization": enrollment.authorization}


def _enrolled(network):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    return {"member": enrollment.member, "enrollment": enrollment, "authorization": enrollment.authorization}


def _with_history(network):
    """An enrolled member whose care team provider A already changed, so the audit trail has an entry."""
    state = _enrolled(network)
    care_team_add(actor=network.users["cm_a"], member=state["member"], role="pcp", name="Dr. Lee")
    return state


def _status(name, expected):
    """After an allowed call: the row named in the state has moved to `expected`."""

    def check(state, body):
        obj = state[name]
        obj.refresh_from_db()
        return obj.status == expected

    return check


def _exists(model, **lookups):
    def check(state, body):
        return model.objects.filter(**{k: v(state) if callable(v) else v for k, v in lookups.items()}).exists()

    return check


@dataclass(frozen=True)
class Row:
    """One restricted endpoint: how to build a state where it can act, who may, and what an allowed call does."""

    name: str
    method: str
    path: str
    body: dict[str, object] | None
    setup: Callable[..., dict[str, object]]
    expected: dict[str | None, int]  # None: anonymous
    # What an allowed call did (a write) or showed (a read that is not the member's own record).
    done: Callable[[dict[str, object], object], bool] | None = None


MATRIX = [
    Row("member", "get", "/members/{member}", None, _enrolled,
        {None: 401, "referrer": 404, "cm_b": 404, "hpsm_intake": 404, "cm_a": 200, "member_services": 200}),
    Row("referral", "get", "/referrals/{referral}", None, _received,
        {None: 401, "referrer_cbo": 404, "cm_b": 404, "hpsm_intake": 404, "referrer": 200, "intake": 200}),
    Row("eligibility", "post", "/referrals/{referral}/eligibility-determination", None, _received,
        {None: 401, "referrer": 403, "cm_b": 404, "hpsm_intake": 404, "intake": 201, "um": 201},
        done=_status("referral", ReferralStatus.PENDING_AUTHORIZATION)),
    Row("preview", "get", "/members/{member}/eligibility", None, _enrolled,
        {None: 401, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "intake": 200}),
    Row("decision", "post", "/authorizations/{authorization}/decision",
        {"outcome": "deny", "reason": "r", "criteria": "c"}, _pending,
        {None: 401, "intake": 403, "cm_a": 403, "cm_b": 404, "hpsm_um": 404, "referrer": 404, "um": 200},
        done=lambda state, body: _status("authorization", "denied")(state, body)
        and NoticeOfAction.objects.filter(authorization=state["authorization"]).exists()),
    Row("extension", "post", "/authorizations/{authorization}/extension", {"reason": "records"}, _pending,
        {None: 401, "intake": 403, "cm_a": 403, "cm_b": 404, "hpsm_um": 404, "um": 200},
        done=lambda state, body: AuthorizationRequest.objects.get(pk=state["authorization"].pk).extended_at is not None,
    ),
    Row("reauthorize", "post", "/authorizations/{authorization}/reauthorization", {}, _enrolled,
        {None: 401, "member_services": 403, "cm_b": 404, "hpsm_um": 404, "referrer": 404, "cm_a": 201, "um": 201},
        done=_exists(AuthorizationRequest, renews=lambda state: state["authorization"], kind="reauthorization")),
    Row("assignment", "post", "/referrals/{referral}/assignment", {}, _authorized,
        {None: 401, "cm_a": 403, "referrer": 403, "cm_b": 404, "hpsm_intake": 404, "intake": 201,
         "member_services": 201},
        done=_status("referral", ReferralStatus.ASSIGNED)),
    Row("enroll", "post", "/enrollments/{enrollment}/enroll", {"enrolled_on": TODAY}, _assigned,
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 200, "intake": 200},
        done=_status("enrollment", EnrollmentStatus.ENROLLED)),
    Row("lcm", "post", "/enrollments/{enrollment}/lead-care-manager", {"care_manager": "cm_a2"}, _assigned,
        {None: 401, "intake": 403, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "sup_a": 200},
        done=lambda state, body: Enrollment.objects.get(pk=state["enrollment"].pk).lead_care_manager_id
        == User.objects.get(username="cm_a2").pk,
    ),
    Row("outreach", "post", "/enrollments/{enrollment}/outreach-attempts",
        {"attempted_on": TODAY, "method": "phone", "reached": False, "minutes_spent": 5}, _assigned,
        {None: 401, "intake": 404, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 201},
        done=_exists(OutreachAttempt, enrollment=lambda state: state["enrollment"], method="phone")),
    Row("care_team", "post", "/members/{member}/care-team", {"role": "pharmacist", "name": "Pat Kim"}, _assigned,
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 201, "member_services": 201},
        done=_exists(CareTeamMember, member=lambda state: state["member"], name="Pat Kim")),
    Row("audit", "get", "/members/{member}/audit-events", None, _with_history,
        {None: 401, "cm_a": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "intake": 200},
        done=lambda state, body: [e["action"] for e in body] == ["care_team.add"]),
    Row("providers", "get", "/members/{member}/ecm-providers", None, _enrolled,
        {None: 401, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "member_services": 200},
        done=lambda state, body: {p["name"] for p in body} == {"Alpha Care Partners", "Bravo Health Navigators"}),
    Row("provider_change", "post", "/enrollments/{enrollment}/provider-change", {"reason": "closer office"}, _enrolled,
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "member_services": 201, "cm_a": 201},
        done=_status("enrollment", EnrollmentStatus.TRANSFERRED)),
    Row("disenroll", "post", "/enrollments/{enrollment}/disenroll", {"reason": "opted_out"}, _enrolled,
        {None: 401, "um": 403, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "cm_a": 200, "intake": 200,
         "member_services": 200},
        done=_status("enrollment", EnrollmentStatus.DISENROLLED)),
]  # fmt: skip
CASES = [(row, caller, status) for row in MATRIX for caller, status in row.expected.items()]


@pytest.mark.parametrize(("row", "caller", "status"), CASES, ids=[f"{r.name}-{c or 'anonymous'}" for r, c, _ in CASES])
def test_access(api, network, row, caller, status):
    state = row.setup(network)
    url = row.path.format(**{k: v.pk for k, v in state.items()})
    client = api(caller)
    before = everything()
    response = client.get(url) if row.method == "get" else client.post(url, row.body)
    assert response.status_code == status, response.content
    member = state["member"]
    if status >= 400:
        assert member.cin.encode() not in response.content
        assert member.last_name.encode() not in response.content
        assert everything() == before  # nothing written, not even an audit event
    elif row.done is not None:
        assert row.done(state, response.json()), f"{caller} was allowed, yet the call did not do its work"
        if row.method == "post":
            assert AuditEvent.objects.count() > len(before["core.AuditEvent"])
    else:
        assert str(member.pk).encode() in response.content or member.cin.encode() in response.content


def test_every_row_shows_an_allowed_caller_succeed_and_every_write_says_what_it_changes():
    for row in MATRIX:
        assert any(200 <= status < 300 for status in row.expected.values()), row.name
        assert row.method == "get" or row.done is not None, row.name


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

    from tests.api.test_hardening import verify_second_factor

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(network.users["intake"])
    verify_second_factor(browser, network.users["intake"])
    assert browser.get(f"/api/members/{enrolled['member'].pk}").status_code == 200
    before = AuditEvent.objects.count()
    post = browser.post(
        f"/api/members/{enrolled['member'].pk}/care-team", {"role": "pcp", "name": "X"}, content_type="application/json"
    )
    assert post.status_code == 403 and AuditEvent.objects.count() == before
