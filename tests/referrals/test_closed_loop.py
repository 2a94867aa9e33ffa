"""The closed loop, once for ECM and Community Supports: every step dated with its DHCS status, the transition
table complete and dated, who is told of what, the loader's errors, and the history moved from the old tables."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from calaim.community_supports.models import CsRequestStatus
from calaim.core.errors import ValidationFailed
from calaim.notices.models import Notice, NoticeKind
from calaim.plans.reference import ReferenceDataError
from calaim.referrals.closed_loop import loop_status_set, transition_for
from calaim.referrals.models import LoopEvent, LoopTransition, LoopVocabulary, Referral, ReferralStatus
from calaim.referrals.reference import REFERENCE_DIR, closed_loop_load
from tests.factories import CsRequestFactory, EnrollmentFactory, ReferralFactory

pytestmark = pytest.mark.django_db
TABLE = yaml.safe_load((REFERENCE_DIR / "closed_loop.yaml").read_text())


@pytest.mark.parametrize(("program", "statuses"), [("ecm", ReferralStatus.values), ("cs", CsRequestStatus.values)])
def test_every_status_of_both_programs_maps_to_a_dhcs_status(reference, program, statuses):
    day = timezone.now().date()
    for status in statuses:
        rule = transition_for(program, status, "", day)
        assert rule.loop_status in TABLE["statuses"]
        assert (rule.loop_status == "Referral Loop Closed") == bool(rule.loop_closure_reason)


def test_a_row_for_the_program_and_cause_wins_over_the_general_row(reference):
    day = timezone.now().date()
    assert transition_for("ecm", "closed", "", day).loop_closure_reason == "Other"
    assert transition_for("ecm", "closed", "duplicate", day).loop_closure_reason == "Duplicate Referral"
    assert transition_for("ecm", "closed", "deceased", day).loop_closure_reason == "Member Deceased"
    assert transition_for("ecm", "closed", "a cause with no row", day).loop_closure_reason == "Other"
    assert transition_for("cs", "in_service", "", day).loop_closure_reason == "Services Received"
    assert transition_for("cs", "denied", "", day).program == "any"


def test_a_status_without_a_row_is_a_clear_error(reference):
    with pytest.raises(ValidationFailed, match="No closed-loop transition for ecm status 'nowhere'"):
        transition_for("ecm", "nowhere", "", timezone.now().date())


def test_each_step_is_appended_with_its_date_its_dhcs_status_and_the_notices_owed(network):
    referral = ReferralFactory()
    intake = network.users["intake"]
    loop_status_set(referral, ReferralStatus.PENDING_AUTHORIZATION, actor=intake, reason="Eligible: A1.")
    assert Notice.objects.filter(referral=referral).count() == 0  # the referrer hears of decisions, not of queues
    loop_status_set(referral, ReferralStatus.AUTHORIZED, actor=intake, reason="Authorized.")
    letter = {"provider": "Alpha Care Partners", "provider_phone": "+12095550100"}
    loop_status_set(referral, ReferralStatus.ASSIGNED, actor=intake, reason="Assigned to Alpha.", letter=letter)
    steps = list(referral.loop_events.values_list("status", "loop_status", "loop_closure_reason"))
    assert steps == [
        ("received", "Pending", ""),
        ("pending_authorization", "Pending", ""),
        ("authorized", "Pending", ""),
        ("assigned", "Accepted", ""),
    ]
    referral.refresh_from_db()
    assert (referral.status, referral.loop_status) == ("assigned", "Accepted")
    told = Notice.objects.filter(referral=referral).order_by("created_at")
    assert [(n.kind, n.recipient) for n in told] == [
        (NoticeKind.REFERRER_OUTCOME, "referrer"),
        (NoticeKind.REFERRER_OUTCOME, "referrer"),
        (NoticeKind.ECM_ASSIGNMENT_LETTER, "member"),
    ]
    assert told[1].content["loop_status"] == "Accepted" and told[1].content["reason"] == "Assigned to Alpha."
    assert told[2].content == letter and told[2].due_date > told[1].due_date  # letters: business days later


def test_history_is_never_rewritten_when_the_table_changes(network):
    referral = ReferralFactory()
    loop_status_set(referral, ReferralStatus.NOT_ELIGIBLE, actor=None, reason="No POF met.")
    first = referral.loop_events.get(status="not_eligible")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    LoopTransition.objects.filter(program="any", status="not_eligible").update(effective_to=timezone.localdate())
    LoopTransition.objects.create(
        program="any", status="not_eligible", loop_status="Declined", effective_from=tomorrow, version="2027.1"
    )
    later = timezone.now() + dt.timedelta(days=1)
    loop_status_set(referral, ReferralStatus.NOT_ELIGIBLE, actor=None, reason="Again.", at=later)
    first.refresh_from_db()
    assert (first.loop_status, first.table_version) == ("Referral Loop Closed", TABLE["version"])
    assert referral.loop_events.latest("at").loop_status == "Declined"


def test_referrer_and_member_are_told_by_the_same_table_for_cs_and_ecm(network):
    request = CsRequestFactory(status=CsRequestStatus.PENDING_AUTHORIZATION)
    loop_status_set(request, CsRequestStatus.AUTHORIZED, actor=None, reason="Authorized; provider X.")
    loop_status_set(request, CsRequestStatus.IN_SERVICE, actor=None, reason="Services received.")
    notices = Notice.objects.filter(member=request.member, kind=NoticeKind.REFERRER_OUTCOME)
    assert [n.content["status"] for n in notices.order_by("created_at")] == ["authorized", "in_service"]
    assert notices.latest("created_at").content["cs_request_id"] == str(request.pk)
    assert request.loop_events.latest("at").loop_closure_reason == "Services Received"


def test_opt_out_closes_the_loop_as_member_declined_with_the_disenrollment_letter(api, network):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    response = api("cm_a").post(f"/enrollments/{enrollment.pk}/disenroll", {"reason": "opted_out"})
    assert response.status_code == 200, response.content
    step = enrollment.referral.loop_events.latest("at")
    assert (step.status, step.loop_status, step.loop_closure_reason) == (
        "declined",
        "Referral Loop Closed",
        "Member Declined",
    )
    letter = Notice.objects.get(member=enrollment.member, kind=NoticeKind.ECM_DISENROLLMENT_LETTER)
    assert letter.content["reason"] == "Member declined or opted out" and letter.content["other_supports"]


# ---- The loader ------------------------------------------------------------------------------------------------


@pytest.fixture
def table_copy(tmp_path: Path) -> Path:
    shutil.copy(REFERENCE_DIR / "closed_loop.yaml", tmp_path / "closed_loop.yaml")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("status: received, loop_status: Pending}", "status: received, loop_status: Waiting}",
         ["closed_loop.yaml, entry 1", "'loop_status'", "'Waiting' is not one of the statuses"]),
        ("loop_closure_reason: Member Not Eligible, notify_referrer: true}",
         "loop_closure_reason: Not Eligible, notify_referrer: true}",
         ["entry 4", "'loop_closure_reason'", "'Not Eligible' is not one of the closure reasons"]),
        ("{program: any, status: linked, loop_status: Pending,",
         "{program: any, status: linked, loop_status: Referral Loop Closed,",
         ["entry 2", "'loop_closure_reason'", "exactly when the status is 'Referral Loop Closed'"]),
        ("{program: ecm, status: assigned, loop_status: Accepted,",
         "{program: ecm, status: asigned, loop_status: Accepted,",
         ["entry 9", "'status'", "'asigned' is not an ECM referral status"]),
        ("member_notice: ecm_enrollment_letter}", "member_notice: a_postcard}",
         ["'member_notice'", "'a_postcard' is not a notice kind"]),
        ("{program: cs, status: closed,", "{program: kaiser, status: closed,",
         ["'program'", "'kaiser' is not one of ecm, cs, any"]),
    ],
)  # fmt: skip
def test_bad_table_names_file_entry_and_key_and_writes_nothing(table_copy, old, new, expected):
    path = table_copy / "closed_loop.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    before = list(LoopTransition.objects.values().order_by("pk")), list(LoopVocabulary.objects.values().order_by("pk"))
    with pytest.raises(ReferenceDataError) as caught:
        closed_loop_load(table_copy)
    for fragment in expected:
        assert fragment in caught.value.message
    after = list(LoopTransition.objects.values().order_by("pk")), list(LoopVocabulary.objects.values().order_by("pk"))
    assert after == before  # the test database holds the table already (tests/conftest.py): nothing changed


def test_a_repeated_transition_is_refused(table_copy):
    path = table_copy / "closed_loop.yaml"
    path.write_text(path.read_text() + "  - {program: any, status: received, loop_status: Accepted}\n")
    with pytest.raises(ReferenceDataError, match="the transition any received appears twice"):
        closed_loop_load(table_copy)


def test_loading_twice_changes_nothing():
    first = closed_loop_load()
    rows = list(LoopTransition.objects.order_by("pk").values())
    counts = {"closed_loop_values": 14, "closed_loop_transitions": len(TABLE["transitions"])}
    assert closed_loop_load() == first == counts
    assert list(LoopTransition.objects.order_by("pk").values()) == rows


def test_the_documented_table_is_the_configured_one():
    """docs/architecture.md shows the table; it must say what the configuration does."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    for row in TABLE["transitions"]:
        cells = [
            row["program"],
            row["status"],
            row.get("cause", ""),
            row["loop_status"] + (f": {row['loop_closure_reason']}" if row.get("loop_closure_reason") else ""),
            "yes" if row.get("notify_referrer") else "",
            ", ".join(row.get("notify_provider", [])),
            row.get("member_notice", ""),
        ]
        assert "| " + " | ".join(cells) + " |" in doc, cells


# ---- The history moved from the two old tables (referrals 0003), on SQLite and PostgreSQL ------------------------


@pytest.mark.django_db(transaction=True)
def test_the_old_status_histories_move_into_the_closed_loop(network):
    executor = MigrationExecutor(connection)
    before = [("referrals", "0002_closed_loop"), ("community_supports", "0005_closed_loop")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    try:
        now = timezone.now()
        referrals = _old_referral_with_history(old, network, now)
        cs_request = _old_cs_request_with_history(old, network, now)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        events = list(
            LoopEvent.objects.filter(referral_id=referrals).values_list("status", "loop_status", "loop_closure_reason")
        )
        assert events == [
            ("received", "Pending", ""),
            ("linked", "Pending", ""),
            ("closed", "Referral Loop Closed", "Duplicate Referral"),
        ]
        cs_events = list(LoopEvent.objects.filter(cs_request_id=cs_request).values_list("status", "status_label"))
        assert cs_events == [("received", "Received"), ("pending_authorization", "Authorization pending")]
        assert Referral.objects.get(pk=referrals).loop_closure_reason == "Duplicate Referral"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        call_command("flush", interactive=False, verbosity=0)


def _old_referral_with_history(apps, network, now):
    member = apps.get_model("members", "Member").objects.create(
        cin="20000001A", first_name="Old", last_name="History", birth_date=dt.date(1970, 1, 1),
        plan_id=network.hpsj.plan_id, county_id=apps.get_model("plans", "County").objects.get(name="San Joaquin").pk,
    )  # fmt: skip
    referral = apps.get_model("referrals", "Referral").objects.create(
        member=member, source_type="pcp", form="ecm_adult", submitted_by_id=network.users["referrer"].pk,
        referrer_name="Dr. Rivera", member_aware=True, attested_by="Dr. Rivera", attested_on=now.date(),
        received_at=now, status="closed", status_changed_at=now,
    )  # fmt: skip
    updates = apps.get_model("referrals", "ReferralStatusUpdate")
    steps = ((0, "received", ""), (1, "linked", "Linked."), (2, "closed", "Confirmed duplicate"))
    for minutes, status, reason in steps:
        updates.objects.create(referral=referral, status=status, at=now + dt.timedelta(minutes=minutes), reason=reason)
    return referral.pk


def _old_cs_request_with_history(apps, network, now):
    member = apps.get_model("members", "Member").objects.get(cin="20000001A")
    request = apps.get_model("community_supports", "CsRequest").objects.create(
        member=member, service_code="recuperative_care", source_type="pcp", submitted_by_id=network.users["intake"].pk,
        referrer_name="RN Okafor", justification="IV antibiotics", requested_start=now.date(),
        requested_end=now.date(), member_aware=True, attested_by="RN", attested_on=now.date(), received_at=now,
        status="pending_authorization", status_changed_at=now,
    )  # fmt: skip
    updates = apps.get_model("community_supports", "CsStatusUpdate")
    updates.objects.create(request=request, status="received", at=now)
    updates.objects.create(request=request, status="pending_authorization", at=now + dt.timedelta(minutes=1))
    return request.pk
