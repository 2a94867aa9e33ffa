"""One member driven through the whole ECM lifecycle over the API, as the README tour does."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.notices.models import Notice
from tests.conftest import referral_body

pytestmark = pytest.mark.django_db


def test_referral_to_enrollment_to_opt_out(api, network, member):
    created = api("referrer").post("/referrals", referral_body(member))
    assert created.status_code == 201, created.content
    referral = created.json()
    assert referral["status"] == "received"

    determined = api("intake").post(f"/referrals/{referral['id']}/eligibility-determination")
    assert determined.status_code == 201, determined.content
    assert determined.json()["outcome"] == "eligible"
    assert determined.json()["qualified_pofs"] == ["A1"]
    a1 = next(p for p in determined.json()["explanation"]["pofs"] if p["code"] == "A1")
    assert all(c["met"] for c in a1["criteria"])
    assert any("member data" in e for e in a1["criteria"][0]["evidence"])

    queue = api("um").get("/authorizations", status="pending").json()["items"]
    assert [a["referral_id"] for a in queue] == [referral["id"]]
    auth_id = queue[0]["id"]
    approved = api("um").post(f"/authorizations/{auth_id}/decision", {"outcome": "approve", "reason": "Meets A1"})
    assert approved.status_code == 200, approved.content
    period_start = dt.date.fromisoformat(approved.json()["period_start"])
    period_end = dt.date.fromisoformat(approved.json()["period_end"])
    assert (period_end - period_start).days in range(364, 367)

    assigned = api("intake").post(f"/referrals/{referral['id']}/assignment", {})
    assert assigned.status_code == 201, assigned.content
    enrollment = assigned.json()
    # Spanish speaker in San Joaquin: only provider A speaks Spanish.
    assert enrollment["provider_id"] == str(network.provider_a.pk)
    assert any("language (Spanish)" in r for r in enrollment["assignment_reasons"])

    outreach = api("cm_a").post(
        f"/enrollments/{enrollment['id']}/outreach-attempts",
        {"attempted_on": plan_today().isoformat(), "method": "in_person", "reached": True, "minutes_spent": 45},
    )
    assert outreach.status_code == 201, outreach.content

    lcm = api("sup_a").post(f"/enrollments/{enrollment['id']}/lead-care-manager", {"care_manager": "cm_a"})
    assert lcm.status_code == 200 and lcm.json()["lead_care_manager"] == "cm_a"

    enrolled = api("cm_a").post(f"/enrollments/{enrollment['id']}/enroll", {"enrolled_on": plan_today().isoformat()})
    assert enrolled.status_code == 200, enrolled.content
    assert enrolled.json()["status"] == "enrolled"
    kinds = set(Notice.objects.filter(member=member).values_list("kind", flat=True))
    assert {"ecm_assignment_letter", "ecm_enrollment_letter", "referrer_outcome"} <= kinds
    tasks = api("cm_a").get("/tasks").json()["items"]
    welcome = [t for t in tasks if t["kind"] == "welcome_call"]
    assert welcome and welcome[0]["owner"] == "cm_a"

    team = api("cm_a").post(f"/members/{member.pk}/care-team", {"role": "pcp", "name": "Dr. Rivera"})
    assert team.status_code == 201

    seen_by_referrer = api("referrer").get(f"/referrals/{referral['id']}").json()
    assert seen_by_referrer["status"] == "enrolled"
    assert [u["status"] for u in seen_by_referrer["status_updates"]] == [
        "received",
        "pending_authorization",
        "authorized",
        "assigned",
        "enrolled",
    ]

    opted_out = api("cm_a").post(f"/enrollments/{enrollment['id']}/disenroll", {"reason": "opted_out"})
    assert opted_out.status_code == 200, opted_out.content
    assert opted_out.json()["enrollment"]["status"] == "disenrolled"
    assert opted_out.json()["other_supports_offered"]
    final = api("referrer").get(f"/referrals/{referral['id']}").json()
    assert final["status"] == "declined"
    last = final["status_updates"][-1]
    assert last["status"] == "declined" and last["reason"] == "Member declined or opted out."
    assert (last["loop_status"], last["loop_closure_reason"]) == ("Referral Loop Closed", "Member Declined")
    assert final["closure_reason"] == "Member declined or opted out."
    # The provider's access ends with the enrollment.
    assert api("cm_a").get(f"/members/{member.pk}").status_code == 404

    actions = list(AuditEvent.objects.filter(member=member).values_list("action", flat=True))
    for expected in (
        "referral.create",
        "eligibility.determine",
        "authorization.open",
        "authorization.approve",
        "enrollment.assign",
        "outreach.record",
        "enrollment.lead_care_manager",
        "enrollment.enroll",
        "care_team.add",
        "enrollment.end",
        "referral.declined",
    ):
        assert expected in actions
    trail = api("intake").get(f"/members/{member.pk}/audit-events").json()
    assert all(event["actor_label"] for event in trail)
    assert {e["actor_label"] for e in trail} >= {"dr_pcp", "intake", "um", "cm_a", "sup_a"}


def test_api_token_command_issues_a_working_token(network, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api_token", "intake", "--name", "tour", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("clm_")
    assert client.get("/api/members", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/members", headers={"Authorization": f"Bearer {token}x"}).status_code in (401, 403)
