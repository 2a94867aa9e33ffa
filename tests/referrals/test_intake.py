"""Referral intake: sources, idempotency, linking to an open referral, invalid input, presumptive path."""

from __future__ import annotations

import pytest

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.referrals.models import Referral
from tests.conftest import referral_body

pytestmark = pytest.mark.django_db


def test_idempotency_key_returns_the_first_referral(api, member):
    body = referral_body(member)
    first = api("referrer").post("/referrals", body, headers={"Idempotency-Key": "k1"})
    again = api("referrer").post("/referrals", body, headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1


def test_idempotency_key_reused_for_another_request_is_refused(api, member):
    api("referrer").post("/referrals", referral_body(member), headers={"Idempotency-Key": "k1"})
    other = api("referrer").post(
        "/referrals", referral_body(member, notes="different"), headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 409
    assert other.json()["detail"][0]["loc"] == ["body", "Idempotency-Key"]
    assert Referral.objects.count() == 1


def test_second_referral_is_linked_not_duplicated(api, member):
    first = api("referrer").post("/referrals", referral_body(member)).json()
    phone = api("member_services").post("/referrals", referral_body(member, source_type="member_self_family_phone"))
    assert phone.status_code == 201
    assert phone.json()["status"] == "linked"
    assert phone.json()["linked_to_id"] == first["id"]
    assert Referral.objects.filter(status="received").count() == 1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"member_cin": "1234567A"}, "member_cin"),
        ({"member_cin": "99999999Z"}, "member_cin"),
        ({"member_birth_date": "1901-01-01"}, "member_cin"),
        ({"member_birth_date": "not-a-date"}, "member_birth_date"),
        ({"form": "fax"}, "form"),
        ({"source_type": "carrier_pigeon"}, "source_type"),
        ({"referrer_npi": "12"}, "referrer_npi"),
        ({"referrer_name": ""}, "referrer_name"),
        ({"member_aware": None}, "member_aware"),
        ({"pof_attestations": []}, "pof_attestations"),
        ({"pof_attestations": [{"pof": "Z9", "criteria": ["x"], "facts": "y"}]}, "pof_attestations[0].pof"),
        ({"pof_attestations": [{"pof": "A1", "criteria": ["bogus"], "facts": "y"}]}, "pof_attestations[0].criteria"),
        ({"pof_attestations": [{"pof": "A1", "criteria": ["homeless"], "facts": "  "}]}, "pof_attestations[0].facts"),
        ({"pof_attestations": [{"pof": "C1", "criteria": ["homeless"], "facts": "x"}]}, "pof_attestations[0].pof"),
        ({"member_phone": "555"}, "member_phone"),
    ],
)
def test_invalid_referral_names_the_field_and_writes_nothing(api, member, override, field):
    response = api("referrer").post("/referrals", referral_body(member, **override))
    assert 400 <= response.status_code < 500
    locs = [".".join(str(p) for p in item["loc"]) for item in response.json()["detail"]]
    assert any(field in loc for loc in locs), locs
    assert Referral.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_referrer_may_only_refer_as_their_kind_of_organization(api, member):
    response = api("referrer").post("/referrals", referral_body(member, source_type="hospital_transition_of_care"))
    assert response.status_code == 403
    assert Referral.objects.count() == 0


def test_plan_identification_is_for_plan_intake_only(api, member):
    body = referral_body(member, source_type="plan_identification", form="plan_identification")
    assert api("member_services").post("/referrals", body).status_code == 403
    assert api("intake").post("/referrals", body).status_code == 201


def test_eligibility_verification_gives_presumptive_authorization_and_assignment(api, network, member):
    body = referral_body(member, source_type="ecm_provider", form="eligibility_verification")
    response = api("cm_a").post("/referrals", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "assigned"
    presumptive = AuthorizationRequest.objects.get(kind="presumptive")
    assert presumptive.status == "approved" and (presumptive.period_end - presumptive.period_start).days == 29
    pending = AuthorizationRequest.objects.get(kind="initial")
    assert pending.status == "pending"
    enrollment = Enrollment.objects.get(member=member)
    assert enrollment.provider == network.provider_a and enrollment.assignment_method == "presumptive"
    # The plan's approval replaces the presumptive authorization on the enrollment.
    api("um").post(f"/authorizations/{pending.pk}/decision", {"outcome": "approve"})
    enrollment.refresh_from_db()
    assert enrollment.authorization_id == pending.pk


def test_eligibility_verification_from_uncontracted_provider_is_refused(api, network, member):
    member.county_id = network.provider_m.contracts.first().counties.first().pk  # San Mateo: not provider A's
    member.save()
    body = referral_body(member, source_type="ecm_provider", form="eligibility_verification")
    assert api("cm_a").post("/referrals", body).status_code == 403
    assert Referral.objects.count() == 0
