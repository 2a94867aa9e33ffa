"""What the plan's data says about a member on a day, as plain values the rule engines read (no Django).

ECM eligibility (`calaim.ecm.rules`) and Community Supports eligibility (`calaim.community_supports.rules`) both
take a `MemberFacts`; `calaim.members.selectors.member_facts` builds one from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CriterionDef:
    """A criterion of a Population of Focus or a Community Support; `member_fact` names the roster fact that meets
    it without an attestation (one of the keys `calaim.members.selectors.member_facts` can set)."""

    key: str
    label: str
    member_fact: str | None = None


@dataclass
class CriterionResult:
    key: str
    label: str
    met: bool
    evidence: list[str]


@dataclass(frozen=True)
class MemberFacts:
    """The member on the determination date: age, plan enrollment, roster facts, excluding programs, delegation."""

    age: int
    plan_enrolled: bool
    facts: frozenset[str]  # member_fact names that are true, e.g. {"homeless", "ccs_enrolled"}
    fact_details: dict[str, str] = field(default_factory=dict)
    programs: tuple[str, ...] = ()  # current programs that exclude ECM, in priority order
    dsnp: bool = False
    delegated_to: str | None = None


def criterion_result(
    criterion: CriterionDef, member: MemberFacts, *, attested: bool, attestation: str
) -> CriterionResult:
    """A criterion is met by the member's roster data, by an attestation (`attestation` says whose), or both."""
    evidence: list[str] = []
    if criterion.member_fact is not None and criterion.member_fact in member.facts:
        evidence.append(f"member data: {member.fact_details.get(criterion.member_fact, criterion.member_fact)}")
    if attested:
        evidence.append(attestation)
    return CriterionResult(key=criterion.key, label=criterion.label, met=bool(evidence), evidence=evidence)
