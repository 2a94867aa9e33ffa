"""A care team phone is checked with phonenumbers on the page, in the API and in the service behind both:
"555-12" is refused naming the field; a real number is stored in E.164 and shown as people write it."""

from __future__ import annotations

import pytest

from calaim.careplans.models import CareTeamMember
from calaim.careplans.services import care_team_add
from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _team(member_id: object) -> str:
    return f"/members/{member_id}/care-team/"


def test_the_care_team_form_refuses_a_short_phone(web, enrolled):
    response = web("cm_a").post(_team(enrolled["member"].pk), {"role": "pcp", "name": "Dr. Lee", "phone": "555-12"})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="care-team-new-phone-error"' in body
    assert "Enter a valid phone number, e.g. (209) 555-0100." in body
    assert not CareTeamMember.objects.exists() and not AuditEvent.objects.filter(action="care_team.add").exists()


def test_a_real_phone_is_stored_in_e164_and_shown_formatted(web, enrolled):
    member = enrolled["member"]
    response = web("cm_a").post(_team(member.pk), {"role": "pcp", "name": "Dr. Lee", "phone": "209.555.0143"})
    assert response.status_code == 302
    assert CareTeamMember.objects.get().phone == "+12095550143"
    section = web("cm_a").get(f"/members/{member.pk}/sections/care-team/").content.decode()
    assert "Dr. Lee" in section and "(209) 555-0143" in section and "+12095550143" not in section


def test_the_api_refuses_a_short_phone(api, enrolled):
    path = f"/members/{enrolled['member'].pk}/care-team"
    response = api("cm_a").post(path, {"role": "pcp", "name": "Dr. Lee", "phone": "555-12"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "phone"]
    assert not CareTeamMember.objects.exists()
    created = api("cm_a").post(path, {"role": "pcp", "name": "Dr. Lee", "phone": "(209) 555-0143"})
    assert created.status_code == 201 and created.json()["phone"] == "+12095550143"


def test_the_service_refuses_a_short_phone(network, enrolled):
    with pytest.raises(ValidationFailed) as refused:
        care_team_add(
            actor=network.users["cm_a"], member=enrolled["member"], role="pcp", name="Dr. Lee", phone="555-12"
        )
    assert refused.value.field == "phone"
    assert not CareTeamMember.objects.exists()
