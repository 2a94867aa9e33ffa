"""NEMT: Physician Certification Statements (record, revoke), how a ride travels, and the rule that an NEMT ride is
not arranged without a current PCS for its mode (NMT, and a transfer from an ER or acute hospital to a SNF, need
none). The signer types, modes, the 12-month ceiling and each plan's accepted forms are in reference/nemt.yaml."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, audited_update, snapshot
from calaim.core.clock import plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.ltc.models import PhysicianCertification, Ride
from calaim.ltc.npi import npi_problem
from calaim.ltc.policies import TaskLike, can_record_pcs, can_set_ride
from calaim.ltc.reference import nemt_rules_on
from calaim.members.models import Member

PCS_FIELDS = ["signer_type", "signer_name", "signer_npi", "mode", "valid_from", "valid_through", "form_version"]
TRANSPORTATION = "transportation"


def pcs_check(
    member: Member,
    *,
    signer_type: str,
    signer_name: str,
    signer_npi: str,
    mode: str,
    valid_from: dt.date,
    valid_through: dt.date,
    form_version: str,
) -> None:
    """A PCS as the NEMT edition in force on its first day allows: signer, NPI, mode, duration and plan form."""
    rules = nemt_rules_on(valid_from)
    if signer_type not in dict(rules.signer_types):
        allowed = ", ".join(label for _, label in rules.signer_types)
        raise ValidationFailed(f"On {valid_from:%Y-%m-%d} a PCS may be signed by: {allowed}.", field="signer_type")
    if not signer_name.strip():
        raise ValidationFailed("Give the signer's name.", field="signer_name")
    if problem := npi_problem(signer_npi):
        raise ValidationFailed(problem, field="signer_npi")
    if not rules.is_nemt(mode):
        modes = ", ".join(label for _, label in rules.nemt_modes())
        raise ValidationFailed(f"A PCS certifies one NEMT mode: {modes}.", field="mode")
    if valid_through < valid_from:
        raise ValidationFailed("The PCS cannot end before it starts.", field="valid_through")
    if valid_through >= valid_from + relativedelta(months=rules.pcs_max_months):
        raise ValidationFailed(
            f"A PCS runs at most {rules.pcs_max_months} months (through "
            f"{valid_from + relativedelta(months=rules.pcs_max_months) - dt.timedelta(days=1):%Y-%m-%d}).",
            field="valid_through",
        )
    _form_check(member, rules, form_version, valid_from)


def _form_check(member: Member, rules: Any, form_version: str, valid_from: dt.date) -> None:
    plan_code = member.plan.code
    accepted = rules.forms_for(plan_code, valid_from)
    if not form_version.strip():
        raise ValidationFailed("Give the PCS form version.", field="form_version")
    if rules.plan_configured(plan_code) and form_version not in accepted:
        forms = ", ".join(accepted) or "none configured"
        raise ValidationFailed(
            f"On {valid_from:%Y-%m-%d} {plan_code} accepts only its PCS form: {forms}.", field="form_version"
        )


def pcs_record(*, actor: User, member: Member, **facts: Any) -> PhysicianCertification:
    """Record a member's Physician Certification Statement for NEMT in one mode over its valid dates."""
    can_record_pcs(actor, member).enforce()
    facts = {
        **facts,
        "signer_name": facts.get("signer_name", "").strip(),
        "form_version": facts.get("form_version", "").strip(),
    }
    pcs_check(member, **facts)
    with transaction.atomic():
        pcs = PhysicianCertification.objects.create(member=member, recorded_by=actor, **facts)
        audit_record(actor=actor, action="pcs.record", obj=pcs, member=member, after=snapshot(pcs, PCS_FIELDS))
    return pcs


def pcs_revoke(*, actor: User, pcs: PhysicianCertification, reason: str) -> PhysicianCertification:
    """A PCS withdrawn (wrong member, replaced, signer withdrew); the reason is kept."""
    can_record_pcs(actor, pcs.member).enforce()
    if not reason.strip():
        raise ValidationFailed("Give the reason for revoking the PCS.", field="reason")
    with transaction.atomic():
        locked = PhysicianCertification.objects.select_for_update().get(pk=pcs.pk)
        if locked.revoked_at is not None:
            raise Conflict("This PCS is already revoked.")
        changes = {"revoked_at": timezone.now(), "revoked_by": actor, "revoke_reason": reason.strip()}
        audited_update(
            locked, changes, actor=actor, action="pcs.revoke", fields=PCS_FIELDS, member=locked.member, reason=reason
        )
    return locked


def pcs_current(member_id: uuid.UUID, mode: str, day: dt.date) -> PhysicianCertification | None:
    """The member's unrevoked PCS for `mode` covering `day`, if any."""
    return (
        PhysicianCertification.objects.filter(
            member_id=member_id, mode=mode, revoked_at__isnull=True, valid_from__lte=day, valid_through__gte=day
        )
        .order_by("-valid_through")
        .first()
    )


def ride_record(*, actor: User, task: Any, mode: str, transfer_to_snf: bool = False) -> Ride:
    """Say how a transportation task's ride travels: an NEMT mode or NMT, and whether it is an ER/hospital-to-SNF
    transfer."""
    can_set_ride(actor, task).enforce()
    if task.kind != TRANSPORTATION:
        raise ValidationFailed("Only a transportation task has a ride.", field="task")
    rules = nemt_rules_on(plan_today())
    if mode not in {code for code, _, _ in rules.modes}:
        raise ValidationFailed(f"mode must be one of {', '.join(c for c, _, _ in rules.modes)}.", field="mode")
    if transfer_to_snf and not rules.is_nemt(mode):
        raise ValidationFailed(
            "A transfer to a SNF is an NEMT mode (ambulance, wheelchair or litter van).", field="transfer_to_snf"
        )
    with transaction.atomic():
        ride = Ride.objects.select_for_update().filter(task_id=task.pk).first()
        before = snapshot(ride, ["mode", "transfer_to_snf"]) if ride else None
        if ride is None:
            ride = Ride(task_id=task.pk, member_id=task.member_id, recorded_by=actor)
        ride.mode, ride.transfer_to_snf, ride.recorded_by = mode, transfer_to_snf, actor
        ride.save()
        after = snapshot(ride, ["mode", "transfer_to_snf"])
        audit_record(actor=actor, action="ride.record", obj=ride, member=task.member, before=before, after=after)
    return ride


def ride_completion_check(task: TaskLike) -> None:
    """Refuse to mark an NEMT ride arranged without a current PCS for its mode; called by the task services."""
    if task.kind != TRANSPORTATION:
        return
    ride = Ride.objects.filter(task_id=task.pk).first()
    today = plan_today()
    rules = nemt_rules_on(today)
    if ride is None or not rules.is_nemt(ride.mode) or ride.transfer_to_snf:
        return
    if pcs_current(task.member_id, ride.mode, today) is None:
        raise ValidationFailed(
            f"This NEMT ride ({rules.mode_label(ride.mode).lower()}) needs a current Physician Certification "
            f"Statement (PCS) for that mode on file for {today:%Y-%m-%d}; record the PCS on the member's "
            "Long-term care section first.",
            field="pcs",
        )
