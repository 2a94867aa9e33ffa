"""Writes of facility stays and PASRR screenings, each atomic with one audit event; PCS and rides are in nemt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.audit import audit_record, audited_update, snapshot
from calaim.core.clock import plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.ltc.models import (
    EVALUATOR_FOR,
    FacilityStay,
    Level1By,
    Level1Type,
    Level2Evaluator,
    Level2Type,
    LevelOfCare,
    PasrrScreening,
    StaySource,
)
from calaim.ltc.npi import npi_problem
from calaim.ltc.policies import can_record_pasrr, can_record_stay
from calaim.ltc.reference import facility_types_on
from calaim.members.models import Member
from calaim.network.models import Organization

STAY_FIELDS = [
    "facility_name",
    "facility_npi",
    "facility_type",
    "level_of_care",
    "admitted_on",
    "discharged_on",
    "source",
]
PASRR_FIELDS = [
    "stay",
    "level1_type",
    "level1_on",
    "level1_by",
    "level1_positive",
    "level2_needed",
    "level2_type",
    "level2_evaluator",
    "level2_on",
    "determination_on",
    "specialized_services",
    "authorization",
]


def _not_future(day: dt.date | None, field: str, what: str) -> None:
    if day is not None and day > plan_today():
        raise ValidationFailed(f"The {what} cannot be in the future.", field=field)


def stay_check(
    *, facility_name: str, facility_type: str, admitted_on: dt.date, facility_npi: str = "", level_of_care: str = ""
) -> str:
    """Validate a stay's facts; the level of care (the type's own when blank)."""
    if not facility_name.strip():
        raise ValidationFailed("Give the facility's name.", field="facility_name")
    kind = facility_types_on(admitted_on).get(facility_type)
    if kind is None:
        codes = ", ".join(t.code for t in facility_types_on(admitted_on).types)
        raise ValidationFailed(f"facility_type must be one of {codes}.", field="facility_type")
    if facility_npi and (problem := npi_problem(facility_npi)):
        raise ValidationFailed(problem, field="facility_npi")
    level = level_of_care or kind.level_of_care
    if level not in LevelOfCare.values:
        raise ValidationFailed(f"level_of_care must be one of {', '.join(LevelOfCare.values)}.", field="level_of_care")
    _not_future(admitted_on, "admitted_on", "admission date")
    return level


def stay_record(
    *,
    actor: User,
    member: Member,
    facility_name: str,
    facility_type: str,
    admitted_on: dt.date,
    facility_npi: str = "",
    level_of_care: str = "",
    facility_organization: Organization | None = None,
) -> FacilityStay:
    """Plan staff record a member's admission to a long-term care facility."""
    can_record_stay(actor, member).enforce()
    level = stay_check(
        facility_name=facility_name,
        facility_type=facility_type,
        admitted_on=admitted_on,
        facility_npi=facility_npi,
        level_of_care=level_of_care,
    )
    facts = {
        "facility_name": facility_name.strip(),
        "facility_type": facility_type,
        "admitted_on": admitted_on,
        "facility_npi": facility_npi,
        "level_of_care": level,
        "facility_organization": facility_organization,
    }
    return stay_open(actor=actor, member=member, source=StaySource.STAFF, **facts)


def stay_open(*, actor: User | None, member: Member, source: str, **facts: Any) -> FacilityStay:
    """Write a checked stay (from a person or the roster); the member must not be in a facility already."""
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        current = FacilityStay.objects.filter(member=member, discharged_on__isnull=True).first()
        if current is not None:
            raise Conflict(
                f"The member is already in {current.facility_name} since {current.admitted_on:%Y-%m-%d}; "
                "record that discharge first.",
                field="admitted_on",
            )
        last = FacilityStay.objects.filter(member=member, discharged_on__gt=facts["admitted_on"]).first()
        if last is not None:
            raise ValidationFailed(
                f"The member was in {last.facility_name} until {last.discharged_on:%Y-%m-%d}.", field="admitted_on"
            )
        try:
            with transaction.atomic():
                stay = FacilityStay.objects.create(member=member, source=source, recorded_by=actor, **facts)
        except IntegrityError:
            raise Conflict("The member is already in a facility.", field="admitted_on") from None
        audit_record(actor=actor, action="ltc_stay.record", obj=stay, member=member, after=snapshot(stay, STAY_FIELDS))
    return stay


def stay_discharge(*, actor: User | None, stay: FacilityStay, discharged_on: dt.date) -> FacilityStay:
    """The member left the facility on `discharged_on` (a person's record, or the roster's when actor is None)."""
    if actor is not None:
        can_record_stay(actor, stay.member).enforce()
    with transaction.atomic():
        locked = FacilityStay.objects.select_for_update().get(pk=stay.pk)
        if locked.discharged_on is not None:
            raise Conflict(f"This stay already ended on {locked.discharged_on:%Y-%m-%d}.")
        if discharged_on < locked.admitted_on:
            raise ValidationFailed("The discharge cannot precede the admission.", field="discharged_on")
        _not_future(discharged_on, "discharged_on", "discharge date")
        audited_update(
            locked,
            {"discharged_on": discharged_on},
            actor=actor,
            action="ltc_stay.discharge",
            fields=STAY_FIELDS,
            member=locked.member,
        )
    return locked


def _pasrr_level2(facts: dict[str, Any]) -> None:
    """Level II follows a positive Level I; its evaluator is the one DHCS names for its type."""
    if facts["level2_needed"] and not facts["level1_positive"]:
        raise ValidationFailed("A Level II follows only a positive Level I.", field="level2_needed")
    if not facts["level2_needed"]:
        if facts["level2_type"] or facts["level2_evaluator"] or facts["level2_on"] or facts["determination_on"]:
            raise ValidationFailed("Level II details need 'Level II needed' ticked.", field="level2_needed")
        return
    if facts["level2_type"] not in Level2Type.values:
        raise ValidationFailed("Say whether the Level II is for SMI or ID/DD/RC.", field="level2_type")
    if facts["level2_evaluator"] and facts["level2_evaluator"] not in Level2Evaluator.values:
        raise ValidationFailed("Choose the Level II evaluator.", field="level2_evaluator")
    expected = EVALUATOR_FOR[Level2Type(facts["level2_type"])]
    if facts["level2_evaluator"] and facts["level2_evaluator"] != expected:
        raise ValidationFailed(
            f"A {facts['level2_type'].upper()} Level II is done by {expected.label}.", field="level2_evaluator"
        )
    if facts["determination_on"] and not facts["level2_on"]:
        raise ValidationFailed("Give the Level II date before the determination.", field="level2_on")
    if facts["determination_on"] and facts["level2_on"] and facts["determination_on"] < facts["level2_on"]:
        raise ValidationFailed("The determination cannot precede the Level II.", field="determination_on")


def _pasrr_check(stay: FacilityStay, facts: dict[str, Any]) -> None:
    kind = facility_types_on(stay.admitted_on).get(stay.facility_type)
    if kind is None or not kind.nursing_facility:
        raise ValidationFailed("PASRR applies to nursing-facility admissions only.", field="stay")
    if facts["level1_type"] not in Level1Type.values:
        raise ValidationFailed(
            "Say whether the Level I is a screening (PAS) or a resident review (RR).", field="level1_type"
        )
    if facts["level1_by"] not in Level1By.values:
        raise ValidationFailed("Say who submitted the Level I (hospital or nursing facility).", field="level1_by")
    for field, what in (
        ("level1_on", "Level I date"),
        ("level2_on", "Level II date"),
        ("determination_on", "determination date"),
    ):
        _not_future(facts.get(field), field, what)
    if facts["level2_on"] and facts["level2_on"] < facts["level1_on"]:
        raise ValidationFailed("The Level II cannot precede the Level I.", field="level2_on")
    _pasrr_level2(facts)
    authorization: AuthorizationRequest | None = facts.get("authorization")
    if authorization is not None and authorization.member_id != stay.member_id:
        raise ValidationFailed("The authorization is for another member.", field="authorization")


def pasrr_record(*, actor: User, stay: FacilityStay, **facts: Any) -> PasrrScreening:
    """Record the PASRR of a nursing-facility admission: Level I, Level II if needed, the determination."""
    can_record_pasrr(actor, stay.member).enforce()
    facts = {
        "level2_needed": False,
        "level2_type": "",
        "level2_evaluator": "",
        "level2_on": None,
        "determination_on": None,
        "placement_recommendation": "",
        "specialized_services": None,
        "authorization": None,
        **facts,
    }
    _pasrr_check(stay, facts)
    with transaction.atomic():
        screening = PasrrScreening.objects.create(member_id=stay.member_id, stay=stay, recorded_by=actor, **facts)
        audit_record(
            actor=actor,
            action="pasrr.record",
            obj=screening,
            member=stay.member,
            after=snapshot(screening, PASRR_FIELDS),
        )
    return screening
