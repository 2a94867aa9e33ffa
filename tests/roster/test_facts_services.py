"""Acting on roster facts: dismissing one with a note or resolving it (who may, once, audited), the facts of work
that ends resolving with it, and the fact-to-reason mapping's loader."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from calaim.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.plans.reference import ReferenceDataError
from calaim.roster.consequences import facts_raise
from calaim.roster.fact_selectors import open_facts, roster_fact_get
from calaim.roster.fact_services import REFERENCE_DIR, fact_reasons_load, roster_fact_dismiss, roster_fact_resolve
from calaim.roster.models import FactKind, FactReason, RosterFact
from calaim.workflows.community_supports import cs_request_end
from calaim.workflows.ecm_enrollment import ecm_disenroll
from tests.factories import CsRequestFactory, EnrollmentFactory, UserFactory
from tests.roster.test_facts import change, cs_provider_org, roster_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def termed(network: Any) -> dict[str, Any]:
    """An enrolled member of provider A and a member with an authorized CS request, both left the plan."""
    enrollment = EnrollmentFactory(enrolled=True)
    cs_org = cs_provider_org()
    cs = CsRequestFactory(authorized=True, provider=cs_org)
    facts_raise(
        load=roster_load(), changes=[change(enrollment.member, FactKind.TERMED), change(cs.member, FactKind.TERMED)]
    )
    cs_staff = UserFactory(username="cs_staff", role="provider_care_manager", organization=cs_org)
    return {
        "enrollment": enrollment,
        "cs": cs,
        "cs_staff": cs_staff,
        "ecm_fact": RosterFact.objects.get(enrollment=enrollment),
        "cs_fact": RosterFact.objects.get(cs_request=cs),
    }


def test_dismiss_needs_a_note_and_is_audited(network, termed):
    cm_a, fact = network.users["cm_a"], termed["ecm_fact"]
    with pytest.raises(ValidationFailed) as refused:
        roster_fact_dismiss(actor=cm_a, fact=fact, note="   ")
    assert refused.value.field == "note"
    with pytest.raises(ValidationFailed):
        roster_fact_dismiss(actor=cm_a, fact=fact, note="bad\x1bnote")
    fact.refresh_from_db()
    assert fact.resolved_at is None

    done = roster_fact_dismiss(actor=cm_a, fact=fact, note="Re-enrolled in the plan on 12/03, per the county.")
    assert done.resolved_by == cm_a and done.resolution == "Dismissed" and done.resolved_at is not None
    event = AuditEvent.objects.get(action="roster_fact.resolve", object_id=str(fact.pk))
    assert event.member_id == fact.member_id and event.actor == cm_a
    assert event.before["resolved_at"] is None and event.after["note"].startswith("Re-enrolled")
    assert not open_facts(cm_a).exists()
    with pytest.raises(Conflict):
        roster_fact_dismiss(actor=cm_a, fact=done, note="again")


def test_who_may_act_on_a_fact(network, termed):
    ecm_fact, cs_fact = termed["ecm_fact"], termed["cs_fact"]
    users = network.users
    for outsider in ("cm_b", "hpsm_intake", "referrer"):  # another provider, another plan, a referrer: 404
        with pytest.raises(NotFound):
            roster_fact_dismiss(actor=users[outsider], fact=ecm_fact, note="not mine")
    with pytest.raises(NotFound):
        roster_fact_dismiss(actor=users["cm_a"], fact=cs_fact, note="the CS provider's, not ours")
    with pytest.raises(Forbidden):  # UM sees the plan's facts but does not act on them
        roster_fact_dismiss(actor=users["um"], fact=ecm_fact, note="not my role")
    assert not RosterFact.objects.filter(resolved_at__isnull=False).exists()
    roster_fact_resolve(actor=termed["cs_staff"], fact=cs_fact, resolution="Member moved; service stopped", note="")
    roster_fact_resolve(actor=users["member_services"], fact=ecm_fact, resolution="Called the member")
    assert RosterFact.objects.filter(resolved_at__isnull=False).count() == 2


def test_ending_ecm_resolves_its_facts_with_an_audit_event(network, termed):
    enrollment, fact = termed["enrollment"], termed["ecm_fact"]
    ecm_disenroll(actor=network.users["cm_a"], enrollment=enrollment, reason_code="lost_medi_cal_or_left_plan")
    fact.refresh_from_db()
    assert fact.resolved_at is not None and fact.resolved_by == network.users["cm_a"]
    assert fact.resolution == "ECM ended: Member lost Medi-Cal eligibility or left the plan"
    assert AuditEvent.objects.filter(action="roster_fact.resolve", object_id=str(fact.pk)).count() == 1
    termed["cs_fact"].refresh_from_db()
    assert termed["cs_fact"].resolved_at is None  # other work of another member is untouched


def test_closing_a_cs_request_resolves_its_facts(network, termed):
    fact = termed["cs_fact"]
    cs_request_end(actor=termed["cs_staff"], request=termed["cs"], reason="Member left the plan on 11/30/2026.")
    fact.refresh_from_db()
    assert fact.resolved_at is not None and fact.resolution.startswith("Request closed: Member left the plan")
    assert AuditEvent.objects.filter(action="roster_fact.resolve", object_id=str(fact.pk)).exists()


def test_a_fact_whose_work_ended_another_way_leaves_the_worklists(network, termed):
    """An ECM end by the provider's RTF, say, does not pass through the workflow; its fact is no longer shown."""
    intake = network.users["intake"]
    assert open_facts(intake).count() == 2
    type(termed["enrollment"]).objects.filter(pk=termed["enrollment"].pk).update(status="disenrolled")
    assert list(open_facts(intake)) == [termed["cs_fact"]]
    assert roster_fact_get(intake, termed["ecm_fact"].pk) == termed["ecm_fact"]  # still readable


def test_the_mapping_loader_refuses_a_bad_file_naming_entry_and_key(network, tmp_path: Path):
    assert {(r.kind, r.reason_code) for r in FactReason.objects.all()} == {
        ("termed", "lost_medi_cal_or_left_plan"),
        ("moved", "lost_medi_cal_or_left_plan"),
        ("program", "entered_excluded_program"),
        ("dsnp", "entered_excluded_program"),
        ("delegated", "other"),
    }
    assert fact_reasons_load() == {"fact_reasons": 5}  # idempotent
    assert FactReason.objects.count() == 5
    original = (REFERENCE_DIR / "fact_reasons.yaml").read_text()
    cases = {
        "reason: other\n": ("reason: not_a_reason\n", "entry 5", "key 'reason'", "unknown discontinuation reason"),
        "kind: delegated": ("kind: retired", "entry 5", "key 'kind'", "'retired' is not one of"),
        "programs: [ecm]\n  - kind: dsnp": ("programs: [ecm, um]\n  - kind: dsnp", "entry 3", "programs", "'um'"),
    }
    for old, (new, *expected) in cases.items():
        shutil.rmtree(tmp_path, ignore_errors=True)
        tmp_path.mkdir()
        (tmp_path / "fact_reasons.yaml").write_text(original.replace(old, new, 1))
        with pytest.raises(ReferenceDataError) as refused:
            fact_reasons_load(tmp_path)
        assert all(part in refused.value.message for part in ["fact_reasons.yaml", *expected]), refused.value.message
    assert FactReason.objects.count() == 5
