"""ECM eligibility determination: turn members, referrals and reference data into the rules' inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.accounts.policies import INTAKE_ROLES, require_plan_role
from calaim.core.audit import audit_record
from calaim.core.clock import local_date
from calaim.core.errors import Conflict
from calaim.ecm import rules
from calaim.ecm.models import EligibilityDetermination, EligibilityOutcome
from calaim.members.models import Member
from calaim.members.selectors import member_facts
from calaim.plans.selectors import excluded_program_order, go_live_windows, pofs_in_force, program_settings_for
from calaim.referrals.models import Referral, ReferralStatus


def plan_rules(member: Member, day: dt.date) -> rules.PlanRules:
    settings = program_settings_for(member.plan, day)
    windows = go_live_windows(member.plan_id, member.county_id)
    return rules.PlanRules(
        go_live={code: tuple(spans) for code, spans in windows.items()},
        dsnp_excludes_ecm=settings.dsnp_excludes_ecm,
        excluded_program_order=excluded_program_order(day),
        version=settings.version,
    )


def pof_definitions(day: dt.date) -> list[rules.PofDef]:
    return [
        rules.PofDef(
            code=p.code,
            name=p.name,
            age_group=p.age_group,
            max_age=p.max_age,
            referral_only=p.referral_only,
            legacy=p.legacy,
            criteria=tuple(rules.CriterionDef(c["key"], c["label"], c.get("member_fact")) for c in p.criteria),
        )
        for p in pofs_in_force(day)
    ]


def attestations_of(referral: Referral | None) -> list[rules.Attestation]:
    if referral is None:
        return []
    return [
        rules.Attestation(pof=a["pof"], criteria=frozenset(a.get("criteria", [])), facts=a.get("facts", ""))
        for a in referral.pof_attestations
    ]


def eligibility_evaluate(member: Member, referral: Referral | None, day: dt.date) -> rules.Determination:
    """Explain, without saving, whether the member qualifies for ECM on `day`."""
    return rules.determine(
        member_facts(member, day), pof_definitions(day), attestations_of(referral), plan_rules(member, day), day
    )


def explanation_json(result: rules.Determination) -> dict[str, object]:
    return {"checks": result.checks, "pofs": [asdict(p) for p in result.pofs], "route_to": result.route_to}


def eligibility_determine(*, actor: User, referral: Referral, day: dt.date | None = None) -> EligibilityDetermination:
    """Determine eligibility for a received referral and move it on: to authorization when eligible,
    to the delegate when delegated, otherwise closed with other supports offered."""
    from calaim.ecm.services import after_eligibility

    member = referral.member
    require_plan_role(actor, INTAKE_ROLES, member.plan_id, "determine ECM eligibility")
    day = day or local_date(timezone.now())
    with transaction.atomic():
        locked = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
        if locked.status != ReferralStatus.RECEIVED:
            raise Conflict(f"Eligibility is determined for received referrals; this one is {locked.status}.")
        result = eligibility_evaluate(member, locked, day)
        settings = program_settings_for(member.plan, day)
        offered = [] if result.outcome == EligibilityOutcome.ELIGIBLE else list(settings.other_supports)
        determination = EligibilityDetermination.objects.create(
            member=member,
            referral=locked,
            determined_on=day,
            determined_by=actor,
            outcome=result.outcome,
            qualified_pofs=result.qualified,
            explanation=explanation_json(result),
            other_supports=offered,
            rule_version=result.rule_version,
        )
        audit_record(
            actor=actor,
            action="eligibility.determine",
            obj=determination,
            member=member,
            after={"outcome": result.outcome, "qualified_pofs": result.qualified},
        )
        after_eligibility(actor=actor, referral=locked, determination=determination)
    return determination
