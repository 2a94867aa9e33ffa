"""Who may see and do what with appeals and grievances, as a matrix over the API and the pages: anonymous, the
referrer who referred the member, another plan's staff, a provider whose caseload the member is not in, and plan
staff whose role does not allow it. A refused caller learns nothing about the member or the appeal and changes no
row; the allowed callers succeed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from calaim.appeals.grievances import GrievanceInput, grievance_file
from calaim.appeals.models import Appeal, Grievance
from calaim.appeals.services import AppealInput, appeal_file
from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.core.models import AuditEvent
from calaim.notices.models import Notice, Notification
from calaim.referrals.models import LoopEvent, Referral
from tests.appeals.conftest import in_caseload

pytestmark = pytest.mark.django_db
WATCHED = [
    Appeal,
    Grievance,
    Notice,
    Notification,
    AuthorizationRequest,
    NoticeOfAction,
    Referral,
    LoopEvent,
    AuditEvent,
]
NOBODY = ["anonymous", "referrer", "hpsm_appeals", "hpsm_ms", "cm_b"]


def everything() -> dict[str, list[dict[str, Any]]]:
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED}


@pytest.fixture
def case(staff, denied):
    """An open appeal and grievance of the member, who is in provider A's caseload; A filed the appeal."""
    member = denied.member
    in_caseload(member, staff["cm_a"].organization)
    appeal = appeal_file(actor=staff["cm_a"], notice=denied, data=AppealInput(channel="portal"))
    grievance = grievance_file(
        actor=staff["member_services"],
        member=member,
        data=GrievanceInput(category="transportation", description="Ride never came", channel="phone"),
    )
    return {"member": member, "notice": denied, "appeal": appeal, "grievance": grievance}


def _api(caller: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return caller.get(path) if method == "get" else caller.post(path, body or {})


API_READS: dict[str, Callable[[dict[str, Any]], str]] = {
    "appeal": lambda c: f"/appeals/{c['appeal'].pk}",
    "grievance": lambda c: f"/grievances/{c['grievance'].pk}",
}
API_WRITES: dict[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    "file_appeal": lambda c: ("/appeals", {"notice_of_action_id": str(c["notice"].pk), "channel": "phone"}),
    "extend": lambda c: (f"/appeals/{c['appeal'].pk}/extension", {"extension_days": 5, "reason": "Records"}),
    "resolve": lambda c: (f"/appeals/{c['appeal'].pk}/resolution", {"outcome": "overturned", "reason": "Met"}),
    "withdraw": lambda c: (f"/appeals/{c['appeal'].pk}/withdrawal", {"reason": "Member called"}),
    "file_grievance": lambda c: (
        "/grievances",
        {"member_id": str(c["member"].pk), "category": "billing", "description": "x", "channel": "mail"},
    ),
    "resolve_grievance": lambda c: (f"/grievances/{c['grievance'].pk}/resolution", {"resolution": "Done"}),
}


def _leaks(response: Any, case: dict[str, Any]) -> list[str]:
    text = response.content.decode()
    secrets = [case["member"].cin, case["member"].last_name, case["appeal"].reference, case["grievance"].reference]
    return [s for s in secrets if s in text]


@pytest.mark.parametrize("who", NOBODY)
def test_outsiders_see_nothing_and_change_nothing_through_the_api(api, case, who):
    caller = api(None if who == "anonymous" else who)
    before = everything()
    for path in API_READS.values():
        response = caller.get(path(case))
        assert response.status_code == (401 if who == "anonymous" else 404) and not _leaks(response, case)
    for listing in ("/appeals", "/grievances"):
        response = caller.get(listing, show="all")
        assert response.status_code == 401 or response.json()["count"] == 0
    for name, write in API_WRITES.items():
        path, body = write(case)
        response = caller.post(path, body)
        assert response.status_code in (401, 403, 404), (name, response.content)
        assert not _leaks(response, case), name
    assert everything() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("intake", set()),
        ("um", set()),
        ("compliance", set()),
        ("member_services", {"file_grievance", "withdraw"}),
        ("cm_a", set()),
    ],
)
def test_roles_may_only_what_their_role_allows(api, case, who, allowed):
    """Each write the role may not make is refused (403, or 404 where the role sees nothing) and changes nothing."""
    for name, write in API_WRITES.items():
        if name in allowed:
            continue
        before = everything()
        path, body = write(case)
        response = api(who).post(path, body)
        assert response.status_code in (403, 404, 409), (who, name, response.status_code)
        assert everything() == before, (who, name)


def test_readers_see_what_their_role_reads(api, case):
    for who in ("appeals", "member_services", "compliance"):
        assert api(who).get(API_READS["appeal"](case)).status_code == 200
        assert api(who).get(API_READS["grievance"](case)).status_code == 200
        assert api(who).get("/appeals").json()["count"] == 1
    # The provider that filed reads its appeal, not the plan's grievances; plan roles outside appeals read neither.
    assert api("cm_a").get(API_READS["appeal"](case)).status_code == 200
    assert api("cm_a").get(API_READS["grievance"](case)).status_code == 404
    for who in ("intake", "um"):
        assert api(who).get(API_READS["appeal"](case)).status_code == 404
        assert api(who).get("/grievances").json()["count"] == 0


def test_the_coordinator_does_each_step(api, case):
    appeal = case["appeal"]
    steps = [
        (f"/appeals/{appeal.pk}/extension", {"extension_days": 5, "reason": "x"}),
        (f"/appeals/{appeal.pk}/resolution", {"outcome": "upheld", "reason": "x"}),
        (f"/grievances/{case['grievance'].pk}/resolution", {"resolution": "x"}),
    ]
    for path, body in steps:
        assert api("appeals").post(path, body).status_code == 200, path


def test_a_provider_whose_member_left_the_caseload_sees_the_appeal_no_more(api, case):
    case["member"].ecm_enrollments.update(status="ended")
    assert api("cm_a").get(f"/appeals/{case['appeal'].pk}").status_code == 404


# Pages that only show (GET); the others show a form and take it.
WEB_READS: dict[str, Callable[[dict[str, Any]], str]] = {
    "appeal": lambda c: reverse("web:appeal", args=[c["appeal"].pk]),
    "grievance": lambda c: reverse("web:grievance", args=[c["grievance"].pk]),
    "member_appeals": lambda c: reverse("web:member_appeals", args=[c["member"].pk]),
}
WEB_FORMS: dict[str, Callable[[dict[str, Any]], str]] = {
    "appeal_create": lambda c: f"{reverse('web:appeal_create')}?notice_of_action={c['notice'].pk}",
    "grievance_create": lambda c: f"{reverse('web:grievance_create')}?member={c['member'].pk}",
    "extend": lambda c: reverse("web:appeal_extend", args=[c["appeal"].pk]),
    "resolve": lambda c: reverse("web:appeal_resolve", args=[c["appeal"].pk]),
    "withdraw": lambda c: reverse("web:appeal_withdraw", args=[c["appeal"].pk]),
    "resolve_grievance": lambda c: reverse("web:grievance_resolve", args=[c["grievance"].pk]),
}


@pytest.mark.parametrize("who", NOBODY)
def test_outsiders_see_nothing_and_change_nothing_on_the_pages(web, case, who):
    client = web(None if who == "anonymous" else who)
    before = everything()
    form = {"outcome": "overturned", "reason": "x", "extension_days": 5, "resolution": "x", "channel": "phone"}
    answers = [(name, client.get(page(case))) for name, page in {**WEB_READS, **WEB_FORMS}.items()]
    answers += [(name, client.post(page(case), form)) for name, page in WEB_FORMS.items()]
    for name, response in answers:
        if who == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], name
        else:
            assert response.status_code == 404, (who, name, response.status_code)
        assert not _leaks(response, case), (who, name)
    worklist = client.get(reverse("web:appeals"), {"show": "all"})
    assert not _leaks(worklist, case)
    assert everything() == before
