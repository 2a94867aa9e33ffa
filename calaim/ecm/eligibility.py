"""ECM eligibility, the adapter: members, attestations and reference data in; the pure rules (`rules.py`) decide.

Nothing here writes. Determining eligibility for a referral and routing it on is a workflow
(calaim.workflows.eligibility); this module only turns database rows into the rules' inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from calaim.ecm import rules
from calaim.members.facts import CriterionDef
from calaim.members.models import Member
from calaim.members.selectors import member_facts
from calaim.plans.selectors import excluded_program_order, go_live_windows, pofs_in_force, program_settings_for


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
            criteria=tuple(CriterionDef(c["key"], c["label"], c.get("member_fact")) for c in p.criteria),
        )
        for p in pofs_in_force(day)
    ]


def attestations_of(pof_attestations: list[dict[str, Any]]) -> list[rules.Attestation]:
    """A referral's attested Populations of Focus (its `pof_attestations`) as the rules read them."""
    return [
        rules.Attestation(pof=a["pof"], criteria=frozenset(a.get("criteria", [])), facts=a.get("facts", ""))
        for a in pof_attestations
    ]


def eligibility_evaluate(member: Member, pof_attestations: list[dict[str, Any]], day: dt.date) -> rules.Determination:
    """Explain, without saving, whether the member qualifies for ECM on `day` given what a referral attests."""
    return rules.determine(
        member_facts(member, day), pof_definitions(day), attestations_of(pof_attestations), plan_rules(member, day), day
    )


def explanation_json(result: rules.Determination) -> dict[str, object]:
    return {"checks": result.checks, "pofs": [asdict(p) for p in result.pofs], "route_to": result.route_to}
