"""Properties of the eligibility rules (plain Python): monotone in evidence, exclusions always win,
a POF that is not live never qualifies."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from calaim.ecm import rules
from calaim.members.facts import MemberFacts

DAY = dt.date(2026, 6, 1)
POFS = [
    rules.PofDef(
        "A1",
        "Homeless",
        "adult",
        (rules.CriterionDef("homeless", "h", "homeless"), rules.CriterionDef("complex_need", "c")),
    ),
    rules.PofDef("A2", "Utilizers", "adult", (rules.CriterionDef("avoidable_utilization", "u"),)),
    rules.PofDef(
        "C5", "Child welfare", "child", (rules.CriterionDef("child_welfare", "w", "foster_care"),), max_age=26
    ),
]
LIVE = {
    "A1": ((dt.date(2022, 1, 1), None),),
    "A2": ((dt.date(2022, 1, 1), None),),
    "C5": ((dt.date(2023, 7, 1), None),),
}

facts = st.frozensets(st.sampled_from(["homeless", "foster_care", "ccs_enrolled"]))
attestations = st.lists(
    st.builds(
        rules.Attestation,
        pof=st.sampled_from(["A1", "A2", "C5"]),
        criteria=st.frozensets(st.sampled_from(["homeless", "complex_need", "avoidable_utilization", "child_welfare"])),
        facts=st.just("facts"),
    ),
    max_size=3,
    unique_by=lambda a: a.pof,
)
members = st.builds(
    MemberFacts,
    age=st.integers(0, 100),
    plan_enrolled=st.booleans(),
    facts=facts,
    programs=st.sampled_from([(), ("HOSPICE",), ("PACE", "MSSP")]),
    dsnp=st.booleans(),
    delegated_to=st.sampled_from([None, "KAISER"]),
)


def plan(go_live=LIVE, dsnp_excludes=True):
    return rules.PlanRules(
        go_live=go_live,
        dsnp_excludes_ecm=dsnp_excludes,
        excluded_program_order=("HOSPICE", "PACE", "MSSP"),
        version="test",
    )


@given(members, attestations, facts)
def test_more_evidence_never_removes_a_qualified_pof(member, attested, extra):
    before = rules.determine(member, POFS, attested, plan(), DAY)
    richer = MemberFacts(
        age=member.age,
        plan_enrolled=member.plan_enrolled,
        facts=member.facts | extra,
        programs=member.programs,
        dsnp=member.dsnp,
        delegated_to=member.delegated_to,
    )
    after = rules.determine(richer, POFS, attested, plan(), DAY)
    assert {p.code for p in before.pofs if p.qualified} <= {p.code for p in after.pofs if p.qualified}


@given(members, attestations)
def test_excluded_members_are_never_eligible(member, attested):
    result = rules.determine(member, POFS, attested, plan(), DAY)
    if member.programs or member.dsnp:
        assert result.outcome in ("excluded", "not_eligible")
    if result.outcome == "eligible":
        assert member.plan_enrolled and not member.programs and not member.dsnp and member.delegated_to is None


@given(members, attestations)
def test_pof_not_live_never_qualifies(member, attested):
    result = rules.determine(member, POFS, attested, plan(go_live={}), DAY)
    assert not any(p.qualified for p in result.pofs) and result.outcome == "not_eligible"


def test_adult_at_21_child_under_21_and_child_welfare_to_26():
    def qualified(age):
        member = MemberFacts(age=age, plan_enrolled=True, facts=frozenset({"homeless", "foster_care"}))
        attested = [rules.Attestation("A1", frozenset({"complex_need"}), "CHF")]
        return rules.determine(member, POFS, attested, plan(), DAY).qualified

    assert qualified(20) == ["C5"]
    assert qualified(21) == ["A1", "C5"]
    assert qualified(25) == ["A1", "C5"]
    assert qualified(26) == ["A1"]
