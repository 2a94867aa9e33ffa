"""Community Supports eligibility rules: properties over any catalog entry, member, offering and delegation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from calaim.community_supports import rules
from calaim.members.facts import MemberFacts

FACTS = ["homeless", "released_within_12_months", "ccs_enrolled", "foster_care", "birth_equity_race"]
KEYS = [f"criterion_{n}" for n in range(6)]
DAY = dt.date(2026, 6, 30)


@st.composite
def services(draw: st.DrawFn) -> rules.ServiceDef:
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5, unique=True))
    criteria = tuple(
        rules.CriterionDef(key, f"Label of {key}", draw(st.none() | st.sampled_from(FACTS))) for key in keys
    )
    return rules.ServiceDef("recuperative_care", "Recuperative Care", criteria, draw(st.booleans()), "2026.1")


@st.composite
def members(draw: st.DrawFn) -> MemberFacts:
    facts = draw(st.frozensets(st.sampled_from(FACTS)))
    return MemberFacts(
        age=draw(st.integers(0, 100)),
        plan_enrolled=draw(st.booleans()),
        facts=facts,
        fact_details={fact: f"roster says {fact}" for fact in facts},
    )


offerings = st.builds(
    rules.Offering, st.just("HPSJ"), st.just("San Joaquin"), st.none() | st.dates(dt.date(2022, 1, 1), DAY)
)
delegations = st.none() | st.builds(rules.Delegation, st.just("Kaiser Permanente"), st.booleans())
attestations = st.frozensets(st.sampled_from([*KEYS, "not_a_criterion"]))


def evaluate(
    service: rules.ServiceDef,
    member: MemberFacts,
    attested: frozenset[str],
    offering: rules.Offering,
    delegation: rules.Delegation | None,
) -> rules.Eligibility:
    return rules.evaluate(service, member, attested, offering, delegation, DAY)


def met_independently(criterion: rules.CriterionDef, member: MemberFacts, attested: frozenset[str]) -> bool:
    """The checklist rule stated again: roster data or the referrer's attestation meets a criterion."""
    return criterion.key in attested or (criterion.member_fact is not None and criterion.member_fact in member.facts)


CASES: dict[str, Any] = {
    "service": services(),
    "member": members(),
    "attested": attestations,
    "offering": offerings,
    "delegation": delegations,
}


@settings(max_examples=300)
@given(**CASES, more=attestations)
def test_more_attested_criteria_never_turn_eligible_into_not_eligible(
    service, member, attested, offering, delegation, more
) -> None:
    before = evaluate(service, member, attested, offering, delegation)
    after = evaluate(service, member, attested | more, offering, delegation)
    if before.outcome == rules.ELIGIBLE:
        assert after.outcome == rules.ELIGIBLE
    assert {c.key for c in before.criteria if c.met} <= {c.key for c in after.criteria if c.met}
    if before.outcome != rules.NOT_ELIGIBLE:
        assert after.outcome == before.outcome  # attestation only ever changes the checklist


@settings(max_examples=300)
@given(**CASES, more_facts=st.frozensets(st.sampled_from(FACTS)))
def test_more_roster_facts_never_turn_eligible_into_not_eligible(
    service, member, attested, offering, delegation, more_facts
) -> None:
    facts = member.facts | more_facts
    richer = MemberFacts(
        age=member.age,
        plan_enrolled=member.plan_enrolled,
        facts=facts,
        fact_details={fact: f"roster says {fact}" for fact in facts},
    )
    if evaluate(service, member, attested, offering, delegation).outcome == rules.ELIGIBLE:
        assert evaluate(service, richer, attested, offering, delegation).outcome == rules.ELIGIBLE


@given(**{**CASES, "offering": st.just(rules.Offering("HPSM", "San Mateo", None))})
def test_a_service_not_offered_is_never_eligible_whatever_else(service, member, attested, offering, delegation) -> None:
    result = evaluate(service, member, attested | frozenset(KEYS), offering, delegation)
    assert result.outcome == rules.NOT_OFFERED
    assert result.why_not == [f"HPSM does not offer Recuperative Care in San Mateo county on {DAY}"]
    assert result.offered_from is None


@given(**{**CASES, "delegation": st.builds(rules.Delegation, st.just("Kaiser Permanente"), st.booleans())})
def test_a_delegated_member_is_never_eligible_at_the_plan(service, member, attested, offering, delegation) -> None:
    result = evaluate(service, member, attested | frozenset(KEYS), offering, delegation)
    assert result.outcome != rules.ELIGIBLE
    if offering.offered_from is None:
        assert result.outcome == rules.NOT_OFFERED
    elif delegation.provides_service:
        assert result.outcome == rules.ROUTED_TO_DELEGATE
        assert result.why_not == ["Kaiser Permanente provides Recuperative Care to its members"]
    else:
        assert result.outcome == rules.DELEGATE_DOES_NOT_OFFER
        assert "may choose reassignment to HPSJ through member services" in result.why_not[0]


@settings(max_examples=300)
@given(
    **{
        **CASES,
        "offering": st.builds(rules.Offering, st.just("HPSJ"), st.just("San Joaquin"), st.just(dt.date(2022, 1, 1))),
        "delegation": st.none(),
    }
)
def test_the_checklist_decides_for_an_enrolled_member_of_the_plan(
    service, member, attested, offering, delegation
) -> None:
    """`criteria_all` needs every criterion, otherwise one is enough; not enrolled is never eligible."""
    result = evaluate(service, member, attested, offering, delegation)
    met = [met_independently(c, member, attested) for c in service.criteria]
    assert [c.met for c in result.criteria] == met
    qualifies = all(met) if service.criteria_all else any(met)
    if not member.plan_enrolled:
        assert (result.outcome, result.why_not) == (rules.NOT_ELIGIBLE, ["not enrolled in the plan on the date"])
    elif qualifies:
        assert (result.outcome, result.why_not) == (rules.ELIGIBLE, [])
    else:
        assert result.outcome == rules.NOT_ELIGIBLE
        rule = "every criterion" if service.criteria_all else "at least one criterion"
        assert result.why_not[0].startswith(f"needs {rule}; not met: ")
        assert all(c.label in result.why_not[0] for c in result.criteria if not c.met)


@given(**CASES)
def test_criteria_all_fails_when_any_one_criterion_is_missing(service, member, attested, offering, delegation) -> None:
    every = rules.ServiceDef(service.code, service.name, service.criteria, True, service.version)
    enrolled = MemberFacts(age=member.age, plan_enrolled=True, facts=frozenset())
    offered = rules.Offering("HPSJ", "San Joaquin", dt.date(2022, 1, 1))
    all_keys = frozenset(c.key for c in every.criteria)
    assert evaluate(every, enrolled, all_keys, offered, None).outcome == rules.ELIGIBLE
    for criterion in every.criteria:
        assert evaluate(every, enrolled, all_keys - {criterion.key}, offered, None).outcome == rules.NOT_ELIGIBLE


@given(**CASES)
def test_results_explain_themselves_and_record_the_rule_version(
    service, member, attested, offering, delegation
) -> None:
    result = evaluate(service, member, attested, offering, delegation)
    assert result == evaluate(service, member, attested, offering, delegation)
    assert result.outcome in rules.OUTCOMES
    assert (result.service, result.rule_version, result.offered_from) == (
        "recuperative_care",
        "2026.1",
        offering.offered_from,
    )
    assert [c.key for c in result.criteria] == [c.key for c in service.criteria]
    assert all(bool(c.evidence) == c.met for c in result.criteria)
    assert all(("attested by the referrer" in c.evidence) == (c.key in attested) for c in result.criteria)
    assert (result.outcome == rules.ELIGIBLE) == (result.why_not == [])
