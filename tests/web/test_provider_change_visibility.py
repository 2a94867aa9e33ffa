"""One rule for a provider's working records after a provider change: the new provider sees neither the previous
provider's care plan nor its outreach notes; the plan sees both."""

from __future__ import annotations

import pytest

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from tests.conftest import referral_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(api, network, member):
    referral = api("referrer").post("/referrals", referral_body(member)).json()
    api("intake").post(f"/referrals/{referral['id']}/eligibility-determination")
    authorization = AuthorizationRequest.objects.get(referral_id=referral["id"])
    api("um").post(f"/authorizations/{authorization.pk}/decision", {"outcome": "approve"})
    first = api("intake").post(
        f"/referrals/{referral['id']}/assignment", {"provider_id": str(network.provider_a.pk)}
    ).json()
    note = "Met at the shelter; prefers calls after 5pm; sister Rosa helps"
    attempt = api("cm_a").post(
        f"/enrollments/{first['id']}/outreach-attempts",
        {"attempted_on": plan_today().isoformat(), "method": "in_person", "reached": True, "minutes_spent": 30,
         "notes": note},
    )
    assert attempt.status_code == 201, attempt.content
    second = api("member_services").post(
        f"/enrollments/{first['id']}/provider-change",
        {"reason": "Member asked for a Vietnamese-speaking team", "provider_id": str(network.provider_b.pk)},
    )
    assert second.status_code == 201, second.content
    return {"first": first["id"], "second": second.json()["id"], "note": note, "member": member}


def test_the_new_provider_does_not_see_the_previous_providers_outreach_notes(api, web, changed):
    listed = api("cm_b").get(f"/enrollments/{changed['second']}/outreach-attempts")
    assert listed.status_code == 200 and listed.json() == []
    page = web("cm_b").get(f"/members/{changed['member'].pk}/")
    assert page.status_code == 200 and changed["note"] not in page.content.decode()


def test_the_plan_sees_every_providers_outreach(api, changed):
    listed = api("intake").get(f"/enrollments/{changed['second']}/outreach-attempts").json()
    assert [attempt["notes"] for attempt in listed] == [changed["note"]]


def test_the_previous_provider_sees_nothing_once_the_member_moved(api, changed):
    assert api("cm_a").get(f"/enrollments/{changed['first']}/outreach-attempts").status_code == 404
