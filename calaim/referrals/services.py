"""Referral intake from every source, and the closed-loop status the referrer follows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, audited_update, snapshot
from calaim.core.clock import local_date
from calaim.core.errors import Conflict, DomainError, Forbidden, ProblemsFound, ValidationFailed
from calaim.members.models import Member
from calaim.members.selectors import member_match
from calaim.members.services import member_lock
from calaim.network.selectors import ecm_contract_for
from calaim.plans.models import PopulationOfFocus
from calaim.plans.selectors import pofs_in_force, referral_source_get
from calaim.referrals.closed_loop import loop_start, loop_status_set
from calaim.referrals.models import Referral, ReferralForm, ReferralStatus
from calaim.referrals.policies import can_refer_as, can_review_duplicate
from calaim.referrals.selectors import open_referral_for

T = TypeVar("T")
_AUDIT_FIELDS = ["status", "closure_reason", "linked_to"]


@dataclass
class PofAttestationInput:
    pof: str
    criteria: list[str]
    facts: str


@dataclass
class ReferralInput:
    member_cin: str
    member_birth_date: dt.date
    source_type: str
    form: str
    referrer_name: str
    attested_by: str
    attested_on: dt.date
    member_aware: bool
    pof_attestations: list[PofAttestationInput] = field(default_factory=list)
    urgency: str = "routine"
    referrer_role: str = ""
    referrer_npi: str = ""
    referrer_phone: str = ""
    referrer_email: str = ""
    member_phone: str = ""
    member_address: str = ""
    member_experiencing_homelessness: bool | None = None
    notes: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def _fingerprint(data: ReferralInput) -> str:
    return hashlib.sha256(json.dumps(asdict(data), sort_keys=True, default=str).encode()).hexdigest()


def member_resolve(actor: User, cin: str, birth_date: dt.date) -> Member:
    """Match a form's CIN and birth date; plan staff match only their own plan's members."""
    birth_date_check(birth_date, local_date(timezone.now()))
    plan_id = actor.organization.plan_id if actor.is_plan_staff and actor.organization is not None else None
    return member_match(cin, birth_date, plan_id=plan_id)


def birth_date_check(birth_date: dt.date, today: dt.date) -> None:
    """A birth date after the plan's today matches nobody: said on the date, not as "no member matches"."""
    if birth_date > today:
        raise ValidationFailed("The birth date cannot be in the future.", field="member_birth_date")


def attestation_date_check(attested_on: dt.date, today: dt.date) -> None:
    """An attestation records what the referrer already attested: it is never dated after the plan's today."""
    if attested_on > today:
        raise ValidationFailed("The attestation date cannot be in the future.", field="attested_on")


ECM_FORMS = (ReferralForm.ECM_ADULT, ReferralForm.ECM_CHILD)


def _attestation_problems(data: ReferralInput, day: dt.date) -> list[DomainError]:
    pofs = {p.code: p for p in pofs_in_force(day)}
    problems: list[DomainError] = []
    if data.form in ECM_FORMS and not data.pof_attestations:
        problems.append(ValidationFailed("Attest at least one Population of Focus.", field="pof_attestations"))
    for index, attestation in enumerate(data.pof_attestations):
        problems += _one_attestation_problems(
            attestation, pofs.get(attestation.pof), f"pof_attestations[{index}]", data
        )
    return problems


def _one_attestation_problems(
    attestation: PofAttestationInput, pof: PopulationOfFocus | None, where: str, data: ReferralInput
) -> list[DomainError]:
    if pof is None:
        return [ValidationFailed(f"Unknown Population of Focus {attestation.pof!r}.", field=f"{where}.pof")]
    problems: list[DomainError] = []
    keys = {c["key"] for c in pof.criteria}
    if unknown := sorted(set(attestation.criteria) - keys):
        problems.append(
            ValidationFailed(
                f"Unknown criteria {unknown} for {pof.code}; expected some of {sorted(keys)}.",
                field=f"{where}.criteria",
            )
        )
    if not attestation.facts.strip():
        problems.append(
            ValidationFailed("Give the supporting facts for the attested criteria.", field=f"{where}.facts")
        )
    expected = "adult" if data.form == ReferralForm.ECM_ADULT else "child"
    if data.form in ECM_FORMS and pof.age_group != expected:
        problems.append(
            ValidationFailed(f"{pof.code} is not on the {ReferralForm(data.form).label}.", field=f"{where}.pof")
        )
    return problems


def _attempt(problems: list[DomainError], call: Callable[[], T]) -> T | None:
    try:
        return call()
    except ValidationFailed as error:
        problems.append(error)
        return None


def referral_check(
    *, actor: User, data: ReferralInput, unknown: frozenset[str] = frozenset(), day: dt.date | None = None
) -> Member | None:
    """Every problem with a referral's member, attestation date and Populations of Focus at once, each on its field
    (ProblemsFound); inputs named in `unknown` did not parse (a form's other errors) and are not checked. Returns
    the member the referral names."""
    day = day or local_date(timezone.now())
    problems: list[DomainError] = []
    member = None
    if not unknown & {"member_cin", "member_birth_date"}:
        member = _attempt(problems, lambda: member_resolve(actor, data.member_cin, data.member_birth_date))
    elif "member_birth_date" not in unknown:
        _attempt(problems, lambda: birth_date_check(data.member_birth_date, day))
    if "attested_on" not in unknown:
        _attempt(problems, lambda: attestation_date_check(data.attested_on, day))
    problems += _attestation_problems(data, day)
    if problems:
        raise ProblemsFound(problems)
    return member


def _check_verification_form(actor: User, member: Member, data: ReferralInput, day: dt.date) -> None:
    """Only a contracted ECM provider for the member's plan and county may submit the verification form."""
    if data.form != ReferralForm.ELIGIBILITY_VERIFICATION:
        if data.form == ReferralForm.PLAN_IDENTIFICATION and data.source_type != "plan_identification":
            raise ValidationFailed("The plan identification form goes with source plan_identification.", field="form")
        return
    org = actor.organization
    if org is None or ecm_contract_for(org, member.plan_id, member.county_id, day) is None:
        raise Forbidden(
            "Only a contracted ECM provider serving the member's plan and county may submit the "
            "eligibility verification form.",
            field="form",
        )


def _replayed(actor: User, key: str, fingerprint: str) -> Referral | None:
    if not key:
        return None
    existing = Referral.objects.filter(submitted_by=actor, idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was used for a different referral.", field="Idempotency-Key")
    return existing


def referral_create(*, actor: User, data: ReferralInput, idempotency_key: str = "") -> tuple[Referral, bool]:
    """Take a referral from any source; returns (referral, created). A retry with the same key returns
    the first referral; a referral for a member with an open one is linked to it, not duplicated."""
    fingerprint = _fingerprint(data)
    if (existing := _replayed(actor, idempotency_key, fingerprint)) is not None:
        return existing, False
    now = timezone.now()
    today = local_date(now)
    referral_source_get(data.source_type, today)
    can_refer_as(actor, data.source_type).enforce()
    member = referral_check(actor=actor, data=data, day=today)
    assert member is not None  # referral_check raises when no member matches
    _check_verification_form(actor, member, data, today)
    try:
        with transaction.atomic():
            referral = _referral_insert(actor, member, data, now, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent retry with the same key won the race; hand back its referral.
        if (existing := _replayed(actor, idempotency_key, fingerprint)) is not None:
            return existing, False
        raise
    return referral, True


def _referral_insert(
    actor: User, member: Member, data: ReferralInput, now: dt.datetime, key: str, fingerprint: str
) -> Referral:
    member_lock(member)
    open_one = open_referral_for(member.pk, "ecm")
    fields = asdict(data)
    for name in ("member_cin", "member_birth_date"):
        fields.pop(name)
    referral = Referral.objects.create(
        member=member,
        submitted_by=actor,
        referrer_organization=actor.organization,
        received_at=now,
        status_changed_at=now,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        status=ReferralStatus.RECEIVED,
        **fields,
    )
    audit_record(
        actor=actor,
        action="referral.create",
        obj=referral,
        member=member,
        after=snapshot(referral, ["source_type", "form", "urgency", "status", "pof_attestations"]),
    )
    loop_start(referral, at=now)
    if open_one is not None:
        referral.linked_to = open_one
        referral.save(update_fields=["linked_to"])
        loop_status_set(
            referral,
            ReferralStatus.LINKED,
            actor=actor,
            at=now,
            reason=f"Linked to the member's open referral received {local_date(open_one.received_at)}.",
        )
    return referral


def referral_lock(referral: Referral) -> Referral:
    """The referral's row, locked until the end of the caller's transaction."""
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("member__plan", "member__county", "member__delegated_to", "linked_to")
        .get(pk=referral.pk)
    )


def _linked_locked(actor: User, referral: Referral) -> Referral:
    locked = referral_lock(referral)
    can_review_duplicate(actor, locked).enforce()  # on the locked row: the state is current
    return locked


def referral_duplicate_confirm(*, actor: User, referral: Referral, note: str = "") -> Referral:
    """Intake confirms a linked referral duplicates the member's open one: it is closed, and its referrer is
    told that the open referral carries on."""
    with transaction.atomic():
        locked = _linked_locked(actor, referral)
        original = locked.linked_to
        assert original is not None  # _linked_locked
        audit_record(
            actor=actor,
            action="referral.duplicate_confirm",
            obj=locked,
            member=locked.member,
            after={"linked_to": original.pk, "status": ReferralStatus.CLOSED},
            reason=note,
        )
        reason = (
            f"Confirmed duplicate of the member's open referral received {local_date(original.received_at)}; "
            f"that referral carries on. {note}"
        ).strip()
        loop_status_set(locked, ReferralStatus.CLOSED, actor=actor, reason=reason, cause="duplicate")
    return locked


def referral_duplicate_reject(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Intake finds a linked referral is not a duplicate: it is unlinked and received again, so its
    eligibility is determined on its own."""
    with transaction.atomic():
        locked = _linked_locked(actor, referral)
        if not reason.strip():
            raise ValidationFailed("Say why this referral is not a duplicate.", field="reason")
        fields = _AUDIT_FIELDS
        changes = {"linked_to": None}
        audited_update(
            locked, changes, actor=actor, action="referral.duplicate_reject", fields=fields, member=locked.member,
            reason=reason,
        )  # fmt: skip
        loop_status_set(
            locked, ReferralStatus.RECEIVED, actor=actor, reason=f"Reviewed by the plan: not a duplicate. {reason}"
        )
    return locked
