"""Facility stays and PASRR through the services: audited, checked field by field; a late Level I and a SNF
authorization without a Level I are flagged."""

from __future__ import annotations

import pytest

from calaim.core.errors import Conflict, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.ltc import services
from calaim.ltc.flags import authorization_flags
from calaim.ltc.models import FacilityStay, PasrrScreening
from calaim.ltc.selectors import level2_undetermined, stays_with_late_level1, stays_without_level1
from tests.factories import AuthorizationFactory, MemberFactory
from tests.ltc.conftest import day, pasrr, snf_stay

pytestmark = pytest.mark.django_db


def test_a_stay_is_recorded_audited_and_discharged(network, member):
    stay = snf_stay(network, member, facility_npi="1234567893")
    assert stay.level_of_care == "skilled" and stay.source == "staff" and stay.recorded_by == network.users["intake"]
    event = AuditEvent.objects.get(action="ltc_stay.record", object_id=str(stay.pk))
    assert event.member_id == member.pk and event.after["facility_type"] == "SNF/NF-B"
    with pytest.raises(Conflict, match="already in Delta Skilled Nursing"):
        snf_stay(network, member, admitted=-1)
    services.stay_discharge(actor=network.users["um"], stay=stay, discharged_on=day(-2))
    stay.refresh_from_db()
    assert stay.discharged_on == day(-2)
    assert AuditEvent.objects.filter(action="ltc_stay.discharge", object_id=str(stay.pk)).count() == 1
    with pytest.raises(Conflict):
        services.stay_discharge(actor=network.users["um"], stay=stay, discharged_on=day(-1))


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"facility_type": "SNF"}, "facility_type"),
        ({"facility_name": " "}, "facility_name"),
        ({"facility_npi": "1234567890"}, "facility_npi"),
        ({"admitted": 1}, "admitted_on"),
        ({"level_of_care": "luxury"}, "level_of_care"),
    ],
)
def test_bad_stay_input_names_the_field_and_writes_nothing(network, member, facts, field):
    admitted = facts.pop("admitted", -10)
    with pytest.raises(ValidationFailed) as refused:
        snf_stay(network, member, admitted=admitted, **facts)
    assert refused.value.field == field
    assert not FacilityStay.objects.exists() and not AuditEvent.objects.filter(action__startswith="ltc_").exists()


def test_late_level1_is_flagged_with_its_days(network, member):
    stay = snf_stay(network, member, admitted=-10)
    assert list(stays_without_level1(network.users["um"])) == [stay]
    pasrr(network, stay, day(-7))
    assert list(stays_without_level1(network.users["um"])) == []
    assert list(stays_with_late_level1(network.users["um"])) == [stay]
    texts = [
        f.text for f in authorization_flags(network.users["um"], AuthorizationFactory(member=member, referral=None))
    ]
    assert texts == [f"Late Level I: 3 days after admission to Delta Skilled Nursing (admitted {day(-10):%Y-%m-%d})."]
    assert AuditEvent.objects.filter(action="pasrr.record", member=member).count() == 1


def test_a_preadmission_level1_before_admission_is_on_time(network, member):
    stay = snf_stay(network, member, admitted=-10)
    pasrr(network, stay, day(-12))
    assert list(stays_with_late_level1(network.users["um"])) == []


def test_snf_authorization_without_level1_is_flagged_to_um(network, member):
    authorization = AuthorizationFactory(member=member, referral=None)
    um = network.users["um"]
    assert authorization_flags(um, authorization) == []  # not in a facility
    stay = snf_stay(network, member)
    assert [f.text for f in authorization_flags(um, authorization)] == [
        f"No PASRR Level I on file for Delta Skilled Nursing (admitted {day(-10):%Y-%m-%d})."
    ]
    assert authorization_flags(network.users["hpsm_um"], authorization) == []  # another plan sees nothing
    pasrr(network, stay, day(-11), authorization=authorization)
    assert authorization_flags(um, authorization) == []


def test_a_stay_in_an_icf_dd_is_not_flagged_and_takes_no_pasrr(network, member):
    stay = snf_stay(network, member, facility_type="ICF/DD", facility_name="Oak ICF")
    assert authorization_flags(network.users["um"], AuthorizationFactory(member=member, referral=None)) == []
    with pytest.raises(ValidationFailed) as refused:
        pasrr(network, stay, day(-10))
    assert refused.value.field == "stay"


def test_level2_rules_and_the_undetermined_gap(network, member):
    stay = snf_stay(network, member)
    cases = [
        ({"level2_needed": True}, "level2_needed"),  # Level I negative
        (
            {
                "level1_positive": True,
                "level2_needed": True,
                "level2_type": "smi",
                "level2_evaluator": "regional_center",
            },
            "level2_evaluator",
        ),
        (
            {"level1_positive": True, "level2_needed": True, "level2_type": "smi", "determination_on": day(-1)},
            "level2_on",
        ),
        ({"level1_type": "xx"}, "level1_type"),
    ]
    for facts, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            pasrr(network, stay, day(-10), **facts)
        assert refused.value.field == field
    assert not PasrrScreening.objects.exists()
    screening = pasrr(
        network,
        stay,
        day(-10),
        level1_positive=True,
        level2_needed=True,
        level2_type="id_dd_rc",
        level2_evaluator="regional_center",
    )
    assert list(level2_undetermined(network.users["intake"])) == [screening]
    flags = authorization_flags(network.users["um"], AuthorizationFactory(member=member, referral=None))
    assert [f.text.split(" for ")[0] for f in flags] == ["Level II needed, no determination yet"]


def test_authorization_of_another_member_cannot_be_linked(network, member):
    stay = snf_stay(network, member)
    other = AuthorizationFactory(member=MemberFactory(), referral=None)
    with pytest.raises(ValidationFailed) as refused:
        pasrr(network, stay, day(-10), authorization=other)
    assert refused.value.field == "authorization"
