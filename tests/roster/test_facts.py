"""Roster facts raised by a load (calaim.roster.consequences.facts_raise): only for members with open ECM or
Community Supports work, one per piece of work, each with the provider that should act; never twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calaim.community_supports.models import CsRequestStatus
from calaim.core.models import AuditEvent
from calaim.ecm.models import EnrollmentStatus
from calaim.network.models import Organization
from calaim.plans.models import County, Plan
from calaim.referrals.models import ReferralStatus
from calaim.roster import consequences
from calaim.roster.consequences import MemberRosterChange, facts_raise
from calaim.roster.fact_selectors import fact_views, leading_fact
from calaim.roster.models import FactKind, LoadSource, LoadStatus, RosterFact, RosterLoad
from tests.factories import CsRequestFactory, EnrollmentFactory, MemberFactory, OrganizationFactory, ReferralFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 1)
LAST_DAY = dt.date(2026, 11, 30)


def roster_load(plan_code: str = "HPSJ", as_of: dt.date = AS_OF) -> RosterLoad:
    """A load as the apply step leaves it while raising facts (written directly: the apply step is not under test)."""
    return RosterLoad.objects.create(
        plan=Plan.objects.get(code=plan_code),
        as_of=as_of,
        file_name="roster_2026_12.csv",
        file_sha256="a" * 64,
        source=LoadSource.COMMAND,
        status=LoadStatus.APPLYING,
        actor_label="roster_load (test)",
    )


def roster_facts_of(enrollment: Any) -> dict[str, Any]:
    """For tests elsewhere: a load that termed the enrollment's member, and the fact it raised."""
    load = roster_load()
    facts_raise(load=load, changes=[change(enrollment.member, FactKind.TERMED)])
    return {"roster_load": load, "roster_fact": RosterFact.objects.get(enrollment=enrollment)}


def change(member: Any, kind: FactKind, detail: str = "", day: dt.date = LAST_DAY) -> MemberRosterChange:
    return MemberRosterChange(member_id=member.pk, kind=kind, detail=detail, effective_date=day)


def cs_provider_org() -> Organization:
    return OrganizationFactory(name="Valley Recuperative Care", kind="cs_provider")


@pytest.fixture
def work(network: Any) -> dict[str, Any]:
    """Members at each kind of open work, one with work that has ended, one with none."""
    cs_org = cs_provider_org()
    enrolled = EnrollmentFactory(enrolled=True, referral__member__last_name="Enrolledson")
    assigned_b = EnrollmentFactory(provider=network.provider_b, referral__member__last_name="Assignedby")
    referred = ReferralFactory(status=ReferralStatus.PENDING_AUTHORIZATION, member__last_name="Referredo")
    cs = CsRequestFactory(authorized=True, provider=cs_org, member__last_name="Supportsen")
    cs_waiting = CsRequestFactory(member=enrolled.member, status=CsRequestStatus.RECEIVED)
    ended = EnrollmentFactory(status=EnrollmentStatus.DISENROLLED, referral__status=ReferralStatus.CLOSED)
    closed_cs = CsRequestFactory(status=CsRequestStatus.CLOSED)
    idle = MemberFactory(last_name="Idleman")
    return {
        "cs_org": cs_org,
        "enrolled": enrolled,
        "assigned_b": assigned_b,
        "referred": referred,
        "cs": cs,
        "cs_waiting": cs_waiting,
        "ended": ended,
        "closed_cs": closed_cs,
        "idle": idle,
    }


def test_termed_members_with_open_work_get_one_fact_per_piece_of_work_with_its_provider(network, work):
    load = roster_load()
    members = [
        work["enrolled"].member,
        work["assigned_b"].member,
        work["referred"].member,
        work["cs"].member,
        work["ended"].member,
        work["closed_cs"].member,
        work["idle"],
    ]
    raised = facts_raise(load=load, changes=[change(m, FactKind.TERMED) for m in members])

    facts = {(f.member_id, f.enrollment_id, f.referral_id, f.cs_request_id): f for f in RosterFact.objects.all()}
    assert raised == len(facts) == 5
    enrolled = work["enrolled"]
    ecm = facts[(enrolled.member_id, enrolled.pk, enrolled.referral_id, None)]
    assert ecm.provider == network.provider_a and ecm.plan.code == "HPSJ" and ecm.load == load
    assert ecm.kind == FactKind.TERMED and ecm.effective_date == LAST_DAY
    # The same member's CS request still waiting for its authorization: the plan alone acts (no provider yet).
    assert facts[(enrolled.member_id, None, None, work["cs_waiting"].pk)].provider is None
    assigned = work["assigned_b"]
    assert facts[(assigned.member_id, assigned.pk, assigned.referral_id, None)].provider == network.provider_b
    referred = work["referred"]
    assert facts[(referred.member_id, None, referred.pk, None)].provider is None
    assert facts[(work["cs"].member_id, None, None, work["cs"].pk)].provider == work["cs_org"]
    quiet = {work["ended"].member_id, work["closed_cs"].member_id, work["idle"].pk}
    assert not RosterFact.objects.filter(member_id__in=quiet).exists()
    # Each fact raised is on the member's audit trail, as the load's.
    events = AuditEvent.objects.filter(action="roster_fact.raise")
    assert {e.object_id for e in events} == {str(f.pk) for f in facts.values()}
    assert events.get(object_id=str(ecm.pk)).member_id == enrolled.member_id
    assert all(e.actor_label == "roster_load (test)" for e in events)


def test_nothing_is_raised_for_members_without_open_work(network, work):
    members = [work["ended"].member, work["closed_cs"].member, work["idle"]]
    assert facts_raise(load=roster_load(), changes=[change(m, FactKind.TERMED) for m in members]) == 0
    assert facts_raise(load=roster_load(), changes=[]) == 0
    assert not RosterFact.objects.exists() and not AuditEvent.objects.filter(action="roster_fact.raise").exists()


def test_an_excluding_program_bears_on_ecm_only_and_other_programs_on_nothing(network, work):
    enrolled, cs = work["enrolled"], work["cs"]
    changes = [
        change(enrolled.member, FactKind.PROGRAM, "HOSPICE", AS_OF),
        change(cs.member, FactKind.PROGRAM, "HOSPICE", AS_OF),
        change(work["assigned_b"].member, FactKind.PROGRAM, "NOT_A_PROGRAM", AS_OF),
    ]
    assert facts_raise(load=roster_load(), changes=changes) == 1
    fact = RosterFact.objects.get()
    assert (fact.member_id, fact.enrollment_id, fact.detail) == (enrolled.member_id, enrolled.pk, "HOSPICE")
    (view,) = fact_views([fact])
    assert view.sentence == "entered hospice on 12/01/2026"
    assert view.reason_code == "entered_excluded_program"


def test_dsnp_bears_on_ecm_only_at_a_plan_whose_settings_exclude_it(network, work):
    mateo = County.objects.get(name="San Mateo")
    hpsm_member = MemberFactory(plan=Plan.objects.get(code="HPSM"), county=mateo, last_name="Mateo")
    hpsm = EnrollmentFactory(referral__member=hpsm_member, provider=network.provider_m, enrolled=True)
    assert facts_raise(load=roster_load(), changes=[change(work["enrolled"].member, FactKind.DSNP, day=AS_OF)]) == 0
    assert facts_raise(load=roster_load("HPSM"), changes=[change(hpsm_member, FactKind.DSNP, day=AS_OF)]) == 1
    fact = RosterFact.objects.get()
    assert (fact.enrollment, fact.provider, fact.plan.code) == (hpsm, network.provider_m, "HPSM")
    (view,) = fact_views([fact])
    assert view.sentence == "enrolled in a D-SNP on 12/01/2026" and view.reason_code == "entered_excluded_program"


def test_delegation_and_moves_read_with_the_delegates_and_plans_names(network, work):
    enrolled = work["enrolled"]
    changes = [
        change(enrolled.member, FactKind.DELEGATED, "KAISER", AS_OF),
        change(work["cs"].member, FactKind.MOVED, "HPSM", AS_OF),
    ]
    assert facts_raise(load=roster_load(), changes=changes) == 3  # delegation: the enrollment and the waiting CS
    views = {(v.fact.member_id, v.fact.cs_request_id): v for v in fact_views(RosterFact.objects.all())}
    delegated = views[(enrolled.member_id, None)]
    assert delegated.sentence == "was delegated to Kaiser Permanente on 12/01/2026" and delegated.reason_code == "other"
    moved = views[(work["cs"].member_id, work["cs"].pk)]
    assert moved.sentence == "moved to Health Plan of San Mateo on 12/01/2026"
    assert moved.reason_code == "lost_medi_cal_or_left_plan"
    assert moved.cs_close_text.startswith("Member lost Medi-Cal eligibility or left the plan: the member moved to")


def test_a_fact_on_record_is_not_raised_again_even_once_dismissed(network, work):
    member = work["enrolled"].member
    assert facts_raise(load=roster_load(), changes=[change(member, FactKind.TERMED)] * 2) == 2  # ECM and waiting CS
    RosterFact.objects.update(resolved_at=timezone.now(), resolution="Dismissed")
    assert facts_raise(load=roster_load(), changes=[change(member, FactKind.TERMED)]) == 0
    # A different fact of the same member is new.
    assert facts_raise(load=roster_load(), changes=[change(member, FactKind.PROGRAM, "PACE", AS_OF)]) == 1
    assert RosterFact.objects.count() == 3


def test_the_leading_fact_of_several_is_leaving_the_plan(network, work):
    member = work["enrolled"].member
    changes = [change(member, FactKind.PROGRAM, "HOSPICE", AS_OF), change(member, FactKind.TERMED)]
    facts_raise(load=roster_load(), changes=changes)
    views = fact_views(RosterFact.objects.filter(enrollment=work["enrolled"]))
    leading = leading_fact(views)
    assert leading is not None and leading.fact.kind == FactKind.TERMED
    assert leading.sentence == "left the plan on 11/30/2026"
    assert leading.reason_code == "lost_medi_cal_or_left_plan"
    assert leading.reason_label == "Member lost Medi-Cal eligibility or left the plan"


def test_many_changes_are_raised_in_chunks(network, monkeypatch):
    enrollments = [EnrollmentFactory() for _ in range(7)]
    idle = [MemberFactory() for _ in range(5)]
    changes = [change(e.member, FactKind.TERMED) for e in enrollments] + [change(m, FactKind.TERMED) for m in idle]
    monkeypatch.setattr(consequences, "CHUNK", 3)
    assert facts_raise(load=roster_load(), changes=iter(changes)) == 7
    assert set(RosterFact.objects.values_list("enrollment_id", flat=True)) == {e.pk for e in enrollments}
