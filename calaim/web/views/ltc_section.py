"""The member record's "Long-term care" section: facility stays with their PASRR and its flags, Physician
Certification Statements, the member's rides, and the forms of whoever may record them (forms that came back with
errors are passed in `bound`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from calaim.accounts.models import User
from calaim.authorizations.selectors import authorization_scope
from calaim.careplans.models import OPEN_TASK_STATUSES, TaskKind
from calaim.careplans.selectors import task_scope
from calaim.core.clock import plan_today
from calaim.ltc.flags import Flag, stay_flags
from calaim.ltc.models import FacilityStay, PhysicianCertification
from calaim.ltc.policies import can_record_pasrr, can_record_pcs, can_record_stay, can_set_ride
from calaim.ltc.reference import facility_types_on, nemt_rules_on
from calaim.ltc.selectors import member_ltc
from calaim.members.models import Member
from calaim.web.forms_ltc import DischargeForm, PasrrForm, PcsForm, PcsRevokeForm, RideForm, StayForm

Bound = dict[str, forms.Form]


@dataclass
class StayRow:
    stay: FacilityStay
    type_label: str
    screenings: list[Any]
    flags: list[Flag]
    discharge_form: DischargeForm | None


@dataclass
class PcsRow:
    pcs: PhysicianCertification
    mode_label: str
    signer_label: str
    current: bool
    revoke_form: PcsRevokeForm | None


def _ids(key: str) -> str:
    return f"{key}-%s"


def stay_form(data: Any = None) -> StayForm:
    return StayForm(data, auto_id=_ids("ltc-stay-new"))


def discharge_form(stay: FacilityStay, data: Any = None) -> DischargeForm:
    return DischargeForm(data, initial={"discharged_on": plan_today()}, auto_id=_ids(f"ltc-stay-{stay.pk}"))


def pasrr_form(user: User, member: Member, data: Any = None, stays: list[FacilityStay] | None = None) -> PasrrForm:
    """The PASRR form offering the member's nursing-facility admissions (`stays` when the caller has them)."""
    today = plan_today()
    nursing = facility_types_on(today).nursing_facility_codes()
    stays = member_ltc(user, member.pk)["stays"] if stays is None else stays
    choices = [
        (str(s.pk), f"{s.facility_name}, admitted {s.admitted_on:%Y-%m-%d}")
        for s in stays
        if s.facility_type in nursing
    ]
    auths = authorization_scope(user).filter(member=member).order_by("-received_at")[:20]
    auth_choices = [
        (
            str(a.pk),
            f"{a.get_kind_display()} {a.program.upper()} received {a.received_at:%Y-%m-%d} ({a.get_status_display()})",
        )
        for a in auths
    ]
    return PasrrForm(data, stays=choices, authorizations=auth_choices, auto_id=_ids("ltc-pasrr-new"))


def pcs_form(member: Member, data: Any = None) -> PcsForm:
    return PcsForm(data, plan_code=member.plan.code, auto_id=_ids("ltc-pcs-new"))


def pcs_revoke_form(pcs: PhysicianCertification, data: Any = None) -> PcsRevokeForm:
    return PcsRevokeForm(data, auto_id=_ids(f"ltc-pcs-{pcs.pk}-revoke"))


def ride_form(task: Any, ride: Any = None, data: Any = None) -> RideForm:
    initial = {"mode": ride.mode, "transfer_to_snf": ride.transfer_to_snf} if ride else {}
    return RideForm(data, initial=initial, auto_id=_ids(f"ltc-ride-{task.pk}"))


def _pick(bound: Bound, key: str, make: Any) -> Any:
    return bound[key] if key in bound else make()


def _stay_row(stay: FacilityStay, label: str, may_discharge: bool, bound: Bound) -> StayRow:
    screenings = list(stay.pasrr_screenings.all())
    key = f"ltc-stay-{stay.pk}"
    form = _pick(bound, key, lambda: discharge_form(stay)) if may_discharge and stay.discharged_on is None else None
    return StayRow(stay, label, screenings, stay_flags(stay, screenings), form)


def ltc_section(user: User, member: Member, bound: Bound | None = None) -> dict[str, Any]:
    """The section's context for `user`, who already passed the member's scope."""
    bound = bound or {}
    data = member_ltc(user, member.pk)
    may_stay, may_pcs = bool(can_record_stay(user, member)), bool(can_record_pcs(user, member))
    edition = facility_types_on(plan_today())
    labels = {t.code: t.label for t in edition.types}
    stays = [_stay_row(s, labels.get(s.facility_type, s.facility_type), may_stay, bound) for s in data["stays"]]
    nursing = [s for s in data["stays"] if s.facility_type in edition.nursing_facility_codes()]
    may_pasrr = bool(nursing) and bool(can_record_pasrr(user, member))
    return {
        "stays": stays,
        "certifications": _pcs_rows(data["certifications"], may_pcs, bound),
        "rides": _ride_rows(user, member, bound),
        "stay_form": _pick(bound, "ltc-stay-new", stay_form) if may_stay else None,
        "pasrr_form": _pick(bound, "ltc-pasrr-new", lambda: pasrr_form(user, member, stays=nursing))
        if may_pasrr
        else None,
        "pcs_form": _pick(bound, "ltc-pcs-new", lambda: pcs_form(member)) if may_pcs else None,
    }


def _pcs_rows(certifications: list[PhysicianCertification], may: bool, bound: Bound) -> list[PcsRow]:
    today = plan_today()
    rules = nemt_rules_on(today)
    signers = dict(rules.signer_types)
    return [
        PcsRow(
            pcs=p,
            mode_label=rules.mode_label(p.mode),
            signer_label=signers.get(p.signer_type, p.signer_type),
            current=p.revoked_at is None and p.valid_from <= today <= p.valid_through,
            revoke_form=_pick(bound, f"ltc-pcs-{p.pk}-revoke", lambda p=p: pcs_revoke_form(p))
            if may and p.revoked_at is None
            else None,
        )
        for p in certifications
    ]


def _ride_rows(user: User, member: Member, bound: Bound) -> list[dict[str, Any]]:
    """The member's open transportation tasks in the caller's scope, each with its ride (one query) and form."""
    tasks = task_scope(user).filter(member=member, kind=TaskKind.TRANSPORTATION, status__in=OPEN_TASK_STATUSES)
    rules = nemt_rules_on(plan_today())
    rows = []
    for task in tasks.select_related("ride").order_by("due_date"):
        ride = getattr(task, "ride", None)
        may = can_set_ride(user, task)
        form = _pick(bound, f"ltc-ride-{task.pk}", lambda t=task, r=ride: ride_form(t, r)) if may else None
        rows.append(
            {"task": task, "ride": ride, "mode_label": rules.mode_label(ride.mode) if ride else "", "form": form}
        )
    return rows
