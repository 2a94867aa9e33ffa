"""Each role opens on its own worklist, showing its rows and nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.careplans.models import Task
from calaim.core.clock import plan_today
from tests.conftest import referral_body
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _page(web, name: str, path: str = "/") -> str:
    response = web(name).get(path)
    assert response.status_code == 200, response
    return response.content.decode()


def test_intake_sees_new_referrals_and_linked_duplicates(web, api, network, pending, enrolled):
    fresh = MemberFactory(last_name="Freshman")
    api("referrer").post("/referrals", referral_body(fresh))
    api("referrer_cbo").post("/referrals", referral_body(fresh, source_type="cbo"))  # links to the first
    body = _page(web, "intake")
    new, linked = body.split("Possible duplicates")
    assert "Freshman" in new and f"/members/{fresh.pk}/" in new
    assert "Pendingson" not in new  # already determined, no longer "received"
    assert "Freshman" in linked
    assert "Freshman" not in _page(web, "hpsm_intake")


def test_um_queue_is_ordered_by_due_time_and_marks_overdue(web, network, pending, api):
    later = MemberFactory(experiencing_homelessness=True, last_name="Laterly")
    rid = api("referrer").post("/referrals", referral_body(later)).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    overdue = pending["authorization"]
    AuthorizationRequest.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=5, minutes=1))
    body = _page(web, "um")
    assert body.index("Pendingson") < body.index("Laterly")
    assert "overdue by 5 h" in body and "Overdue</strong>" in body
    assert " left" in body
    assert "Pendingson" not in _page(web, "hpsm_um")


def test_member_services_search_is_scoped_and_paginated(web, network):
    for n in range(30):
        MemberFactory(last_name=f"Searchable{n:02d}")
    MemberFactory(last_name="Searchable-hpsm", plan=network.hpsm.plan, county=network.hpsm.plan.counties.first())
    assert 'role="search"' in _page(web, "member_services")
    first = web("member_services").get("/members/search/", {"q": "searchable"}, headers={"HX-Request": "true"})
    body = first.content.decode()
    assert "30 members found" in body and "<html" not in body
    assert body.count("Searchable") == 25 and "Page 1 of 2" in body
    assert "Searchable-hpsm" not in body
    second = _page(web, "member_services", "/members/search/?q=searchable&page=2")
    assert "Searchable29" in second and "<html" in second


def test_member_services_search_by_cin_and_birth_date(web, member):
    assert member.last_name in _page(web, "member_services", f"/members/search/?q={member.cin}")
    assert member.last_name in _page(web, "member_services", "/members/search/?q=1980-05-17")


def test_care_manager_sees_caseload_tasks_and_new_assignments(web, network, enrolled):
    member = enrolled["member"]
    Task.objects.filter(member=member).update(due_date=plan_today() - dt.timedelta(days=1))
    body = _page(web, "cm_a")
    assert member.last_name in body.split("Caseload")[1]
    assert "Overdue</strong>" in body.split("Open tasks")[1].split("Caseload")[0]
    assert "No new assignments" in body  # already enrolled
    assert member.last_name not in _page(web, "cm_b")


def test_care_manager_new_assignment(web, api, network, pending):
    rid = pending["referral"]
    api("um").post(f"/authorizations/{pending['authorization'].pk}/decision", {"outcome": "approve"})
    api("intake").post(f"/referrals/{rid}/assignment", {"provider_id": str(network.provider_b.pk)})
    body = _page(web, "cm_b")
    assert "Pendingson" in body.split("New assignments")[1].split("Open tasks")[0]
    assert "Pendingson" not in _page(web, "cm_a")


def test_supervisor_sees_team_caseloads_against_capacity(web, enrolled):
    body = _page(web, "sup_a")
    assert "Against contract capacity" in body and "Alpha Care Partners" in body
    assert enrolled["member"].last_name in body


def test_referrer_sees_own_referrals_with_closed_loop_status(web, enrolled, pending):
    body = _page(web, "referrer")
    assert enrolled["member"].last_name in body and "Enrolled" in body
    assert "Pendingson" not in body
    assert "Pendingson" in _page(web, "referrer_cbo")
