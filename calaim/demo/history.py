"""A year of earlier ECM referrals for the plan dashboard: members identified from plan data or referred,
taken through the real services, then moved back in time together with their authorizations, enrollments
and outreach. Decisions take from hours to days, so some are late. (Audit events and tasks keep the day
the demo was built.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from random import Random

from django.db import transaction
from django.db.models import F

from calaim.authorizations.models import UNDECIDED, AuthorizationRequest
from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import plan_today
from calaim.demo.lifecycle import _attestation, _Driver, _submit
from calaim.ecm.models import Enrollment
from calaim.members.models import Member
from calaim.plans.models import Plan
from calaim.referrals.models import LoopEvent, Referral
from calaim.referrals.services import ReferralInput
from calaim.workflows.eligibility import eligibility_determine
from calaim.workflows.referral_intake import referral_submit

TARGETS = ("enrolled",) * 5 + ("assigned", "authorized", "denied", "declined", "closed", "not_eligible")


def _identify(driver: _Driver, member: Member) -> Referral:
    """A referral the plan makes from its own data, as `calaim identify` and load_candidates would."""
    day = plan_today()
    data = ReferralInput(
        member_cin=member.cin,
        member_birth_date=member.birth_date,
        source_type="plan_identification",
        form="plan_identification",
        referrer_name=f"{member.plan.name} data-driven identification",
        attested_by="calaim identify, demo rules",
        attested_on=day,
        member_aware=False,
        pof_attestations=[_attestation(member, day)],
    )
    referral, _ = referral_submit(actor=driver.intake, data=data, idempotency_key=f"demo-history-{member.cin}")
    return referral


def _move_back(referral: Referral, days: int, rng: Random) -> None:
    """Shift the referral's whole story `days` back; then give each decision a realistic turnaround."""
    shift = dt.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        received_at=F("received_at") - shift, status_changed_at=F("status_changed_at") - shift
    )
    LoopEvent.objects.filter(referral=referral).update(at=F("at") - shift)
    authorizations = AuthorizationRequest.objects.filter(referral=referral)
    authorizations.update(
        received_at=F("received_at") - shift,
        due_at=F("due_at") - shift,
        ceiling_at=F("ceiling_at") - shift,
        decided_at=F("decided_at") - shift,
        period_start=F("period_start") - shift,
        period_end=F("period_end") - shift,
    )
    for authorization in authorizations.exclude(status__in=UNDECIDED).exclude(kind="presumptive"):
        hours = rng.choice([rng.randint(2, 48), rng.randint(24, 120), rng.randint(120, 320)])
        AuthorizationRequest.objects.filter(pk=authorization.pk).update(
            decided_at=F("received_at") + dt.timedelta(hours=hours)
        )
    Enrollment.objects.filter(referral=referral).update(
        assigned_at=F("assigned_at") - shift, enrolled_on=F("enrolled_on") - shift, ended_on=F("ended_on") - shift
    )
    OutreachAttempt.objects.filter(enrollment__referral=referral).update(attempted_on=F("attempted_on") - shift)


def _drive(driver: _Driver, member: Member, target: str, identified: bool) -> tuple[Referral, str]:
    rng = driver.rng
    if identified:
        referral = _identify(driver, member)
    else:
        urgency = "expedited" if rng.random() < 0.15 else "routine"
        referral = _submit(member, driver.submitter(), rng, complete=target != "not_eligible", urgency=urgency)
    if referral.status != "received":
        return referral, referral.status
    determination = eligibility_determine(actor=driver.intake, referral=referral)
    if determination.outcome != "eligible":
        return referral, determination.outcome
    return referral, driver._decide(referral, target)


def demo_history_create(*, seed: int = 2026, per_plan: int = 90) -> dict[str, int]:
    """Referrals received over the past year for members without one yet; about a third identified from data."""
    rng = Random(seed + 1)
    reached: Counter[str] = Counter()
    for plan in Plan.objects.order_by("code"):
        driver = _Driver.for_plan(plan, rng)
        if driver is None:
            continue
        members = list(
            Member.objects.filter(
                plan=plan,
                referrals__isnull=True,
                delegated_to__isnull=True,
                dsnp=False,
                programs__isnull=True,
                enrollment_spans__end_date__isnull=True,
            )
            .order_by("cin")
            .distinct()[: per_plan * 3]
        )
        rng.shuffle(members)
        for member in members[:per_plan]:
            identified = rng.random() < 0.35
            with transaction.atomic():
                referral, state = _drive(driver, member, rng.choice(TARGETS), identified)
                _move_back(referral, rng.randint(14, 350), rng)
            reached[("identified " if identified else "") + state] += 1
    return dict(reached)
