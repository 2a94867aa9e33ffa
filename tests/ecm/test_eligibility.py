"""Eligibility determination: POFs with evidence, go-live per county, exclusions, D-SNP, Kaiser routing."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.core.clock import plan_today
from calaim.members.models import MemberProgram
from calaim.plans.models import County
from tests.conftest import referral_body
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def determine(api, member, intake="intake", **overrides):
    referral = api("referrer").post("/referrals", referral_body(member, **overrides))
    assert referral.status_code == 201, referral.content
    response = api(intake).post(f"/referrals/{referral.json()['id']}/eligibility-determination")
    assert response.status_code == 201, response.content
    return response.json(), api(intake).get(f"/referrals/{referral.json()['id']}").json()


def test_missing_criterion_is_explained(api, network):
    member = MemberFactory(experiencing_homelessness=False)
    result, referral = determine(
        api, member, pof_attestations=[{"pof": "A1", "criteria": ["complex_need"], "facts": "CHF"}]
    )
    assert result["outcome"] == "not_eligible"
    a1 = next(p for p in result["explanation"]["pofs"] if p["code"] == "A1")
    assert [c["met"] for c in a1["criteria"]] == [False, True]
    assert any("criterion not met" in w for w in a1["why_not"])
    assert result["other_supports"]
    assert referral["status"] == "not_eligible" and "Other supports offered" in referral["closure_reason"]


def test_hospice_excludes(api, network):
    member = MemberFactory(experiencing_homelessness=True)
    MemberProgram.objects.create(member=member, program_code="HOSPICE", start_date=dt.date(2024, 1, 1))
    result, referral = determine(api, member)
    assert result["outcome"] == "excluded"
    assert "HOSPICE" in next(c["detail"] for c in result["explanation"]["checks"] if c["check"] == "exclusions")
    assert referral["status"] == "not_eligible"


def test_ended_program_does_not_exclude(api, network):
    member = MemberFactory(experiencing_homelessness=True)
    MemberProgram.objects.create(
        member=member, program_code="PACE", start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1)
    )
    assert determine(api, member)[0]["outcome"] == "eligible"


def test_dsnp_excludes_only_at_hpsm(api, network):
    hpsj = MemberFactory(experiencing_homelessness=True, dsnp=True)
    assert determine(api, hpsj)[0]["outcome"] == "eligible"
    from calaim.plans.models import Plan

    hpsm = MemberFactory(
        experiencing_homelessness=True,
        dsnp=True,
        plan=Plan.objects.get(code="HPSM"),
        county=County.objects.get(name="San Mateo"),
    )
    assert determine(api, hpsm, intake="hpsm_intake")[0]["outcome"] == "excluded"


def test_kaiser_delegated_member_is_routed(api, network):
    member = MemberFactory(experiencing_homelessness=True, delegated_to=network.kaiser)
    result, referral = determine(api, member)
    assert result["outcome"] == "routed_to_delegate"
    assert result["explanation"]["route_to"] == "KAISER"
    assert referral["status"] == "routed_to_delegate"


def test_not_enrolled_in_plan_is_not_eligible(api, network):
    member = MemberFactory(experiencing_homelessness=True, enrolled=False)
    result, _ = determine(api, member)
    assert result["outcome"] == "not_eligible"


def test_child_pof_on_child_form(api, network):
    member = MemberFactory(birth_date=plan_today().replace(year=plan_today().year - 10), foster_care="current")
    result, _ = determine(
        api,
        member,
        form="ecm_child",
        pof_attestations=[{"pof": "C5", "criteria": ["child_welfare"], "facts": "In foster care since 2024"}],
    )
    assert result["outcome"] == "eligible" and result["qualified_pofs"] == ["C5"]


def test_justice_involved_not_live_in_stanislaus_before_2024(api, network, member):
    member.county = County.objects.get(name="Stanislaus")
    member.release_date = dt.date(2023, 6, 1)
    member.save()
    response = api("intake").get(f"/members/{member.pk}/eligibility", on="2023-09-01")
    a4 = next(p for p in response.json()["explanation"]["pofs"] if p["code"] == "A4")
    assert not a4["qualified"]
    assert any("live from 2024-01-01" in w for w in a4["why_not"])
