"""A CIN typed the way people read it (lower case, spaces, dashes) is taken as the stored CIN on the referral form,
in the API's referral create and in member search; what still is not a CIN is refused naming the field."""

from __future__ import annotations

import pytest

from calaim.core.inputs import cin_normalized
from calaim.referrals.models import Referral
from tests.conftest import referral_body
from tests.forms_web.conftest import REFERRAL_PATH, referral_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("91234567a", "91234567A"),
        ("9123 4567 a", "91234567A"),
        (" 9123-4567-A ", "91234567A"),
        ("9123\u20134567a", "91234567A"),
    ],
)
def test_cin_normalized(typed, stored):
    assert cin_normalized(typed) == stored


def _spaced(cin: str) -> str:
    """A CIN as read off a card: "ab 12345 c" style groups, lower case."""
    return f"{cin[:2]} {cin[2:7]} {cin[7:].lower()}"


def test_the_referral_form_takes_a_spaced_lower_case_cin(web, member):
    response = web("referrer").post(REFERRAL_PATH, referral_form(member, member_cin=_spaced(member.cin)))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Referral.objects.get().member == member


def test_the_referral_form_still_refuses_what_is_not_a_cin(web, member):
    response = web("referrer").post(REFERRAL_PATH, referral_form(member, member_cin="9123 456A"))
    assert response.status_code == 400 and 'id="id_member_cin-error"' in response.content.decode()
    assert not Referral.objects.exists()


def test_the_api_takes_a_dashed_lower_case_cin(api, member):
    cin = f"{member.cin[:4]}-{member.cin[4:8]}-{member.cin[8].lower()}"
    response = api("referrer").post("/referrals", referral_body(member, member_cin=cin))
    assert response.status_code == 201, response.json()
    assert response.json()["member_cin"] == member.cin


def test_the_api_refuses_what_is_not_a_cin(api, member):
    response = api("referrer").post("/referrals", referral_body(member, member_cin="12-34"))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "member_cin"
    assert not Referral.objects.exists()


def test_member_search_finds_a_spaced_lower_case_cin(web, member):
    html = web("member_services").get("/members/search/", {"q": _spaced(member.cin)}).content.decode()
    assert member.cin in html and member.last_name in html
