"""The RTF import (exchange-spec §2.2): what each part of a row does, only what is new, all or nothing by default."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError

from calaim.careplans.models import Task, TaskKind, TaskStatus
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.exchange.models import ContactUpdate, EncounterCount, LoadStatus, ProviderReport
from calaim.notices.models import Notice
from calaim.referrals.models import LoopEvent, Referral, ReferralStatus
from calaim.workflows.ecm_enrollment import ecm_disenroll
from tests.exchange.conftest import rtf_file, rtf_row, run_import, today, us
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db
OPEN = (TaskStatus.REQUESTED, TaskStatus.IN_PROGRESS)


def rtf_events(referral: Referral) -> list[LoopEvent]:
    return list(LoopEvent.objects.filter(referral=referral, source=LoopEvent.Source.RTF).order_by("at"))


def test_referral_statuses_join_the_closed_loop_one_entry_per_status_and_date(alpha, assigned, tmp_path):
    enrollment = assigned()
    cin, day = enrollment.member.cin, today()
    rows = [
        rtf_row(cin, status="Accepted", status_date=us(day - dt.timedelta(days=2))),
        rtf_row(cin, status="outreach  initiated", status_date=us(day - dt.timedelta(days=1))),
        rtf_row(cin, status="Referral Loop Closed", status_date=us(day), reason="Unable to Reach Member"),
    ]
    load = run_import(rtf_file(tmp_path / "rtf.csv", rows))
    assert load.status == LoadStatus.APPLIED, load.message
    assert load.counts["loop_steps"] == 3 and load.counts["applied"] == 3
    events = rtf_events(enrollment.referral)
    assert [(e.loop_status, e.loop_closure_reason) for e in events] == [
        ("Accepted", ""),
        ("Outreach Initiated", ""),
        ("Referral Loop Closed", "Unable to Reach Member"),
    ]
    referral = Referral.objects.get(pk=enrollment.referral_id)
    assert {e.status for e in events} == {referral.status}  # calaim's own lifecycle is left as it was
    assert (referral.loop_status, referral.loop_closure_reason) == ("Referral Loop Closed", "Unable to Reach Member")
    assert AuditEvent.objects.filter(action="referral.loop_reported", object_id=str(referral.pk)).exists()
    # The same entries again, in a corrected file with one more: only the new one is added.
    rows.append(rtf_row(cin, status="Pending", status_date=us(day - dt.timedelta(days=3))))
    again = run_import(rtf_file(tmp_path / "rtf2.csv", rows))
    assert again.status == LoadStatus.APPLIED and again.counts["loop_steps"] == 1 and again.counts["unchanged"] == 3
    assert len(rtf_events(enrollment.referral)) == 4
    referral.refresh_from_db()
    assert referral.loop_status == "Referral Loop Closed"  # an older entry does not become the current status


def test_the_same_bytes_again_are_a_duplicate_naming_when_and_by_whom(alpha, assigned, tmp_path):
    cin = assigned().member.cin
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(cin, status="Accepted", status_date=us(today()))])
    first = run_import(path)
    assert first.status == LoadStatus.APPLIED
    second = run_import(path)
    assert second.status == LoadStatus.DUPLICATE and second.duplicate_of == first
    assert "tester" in second.message and "nothing was changed" in second.message
    assert LoopEvent.objects.filter(source=LoopEvent.Source.RTF).count() == 1


def test_enrolled_with_a_start_date_enrolls_the_assigned_member_as_the_pages_do(alpha, assigned, tmp_path):
    enrollment = assigned()
    row = rtf_row(enrollment.member.cin, ecm_status="Enrolled", start=us(today()))
    earlier = rtf_row(
        enrollment.member.cin, status="Outreach Initiated", status_date=us(today() - dt.timedelta(days=3))
    )
    load = run_import(rtf_file(tmp_path / "rtf.csv", [row, earlier]))
    assert load.status == LoadStatus.APPLIED and load.counts["enrolled"] == 1, load.message
    assert load.counts["loop_steps"] == 1 and load.counts["loop_status_changes"] == 0  # the enrollment is the latest
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED and enrollment.enrolled_on == today()
    referral = Referral.objects.get(pk=enrollment.referral_id)
    assert referral.status == ReferralStatus.ENROLLED and referral.loop_closure_reason == "Services Received"
    assert Task.objects.filter(enrollment=enrollment, kind=TaskKind.WELCOME_CALL, status=TaskStatus.REQUESTED).exists()
    assert Notice.objects.filter(member=enrollment.member, kind="ecm_enrollment_letter").exists()
    again = run_import(rtf_file(tmp_path / "again.csv", [row, rtf_row(enrollment.member.cin, acuity="High")]))
    assert again.counts.get("enrolled", 0) == 0  # already enrolled on that date: a no-op


def test_a_discontinuation_ends_ecm_with_the_mapped_reason_as_the_pages_do(alpha, assigned, network, tmp_path):
    by_file, by_page = assigned(enrolled=True), assigned(enrolled=True)
    row = rtf_row(by_file.member.cin, ecm_status="Disenrolled", discontinued=us(today()), code="2")
    load = run_import(rtf_file(tmp_path / "rtf.csv", [row]))
    assert load.status == LoadStatus.APPLIED and load.counts["discontinued"] == 1, load.message
    ecm_disenroll(actor=network.users["cm_a"], enrollment=by_page, reason_code="opted_out", effective_on=today())
    by_file.refresh_from_db()
    by_page.refresh_from_db()
    fields = ("status", "ended_on", "discontinuation_reason")
    assert [getattr(by_file, f) for f in fields] == [getattr(by_page, f) for f in fields]
    assert by_file.discontinuation_reason == "opted_out" and by_file.status == EnrollmentStatus.DISENROLLED
    file_referral, page_referral = (
        Referral.objects.get(pk=by_file.referral_id),
        Referral.objects.get(pk=by_page.referral_id),
    )
    loop = ("status", "loop_status", "loop_closure_reason")
    assert [getattr(file_referral, f) for f in loop] == [getattr(page_referral, f) for f in loop]
    assert not Task.objects.filter(enrollment=by_file, status__in=OPEN).exists()


def test_lead_care_manager_and_milestones_are_recorded_only_when_they_change(alpha, assigned, tmp_path):
    enrollment = assigned(enrolled=True)
    cin = enrollment.member.cin
    values = {
        "lcm": "Rosa Diaz",
        "lcm_phone": "(209) 555-0142",
        "lcm_email": "rosa@alpha.example",
        "acuity": "High",
        "care_plan": us(today()),
    }
    load = run_import(rtf_file(tmp_path / "a.csv", [rtf_row(cin, **values)]))
    assert load.counts["reports"] == 1, load.message
    report = ProviderReport.objects.get(enrollment=enrollment)
    assert (report.lead_care_manager_name, report.lead_care_manager_phone) == ("Rosa Diaz", "+12095550142")
    assert report.care_plan_revised_on == today() and report.load == load
    same = run_import(
        rtf_file(tmp_path / "b.csv", [rtf_row(cin, **values), rtf_row(cin, status="Accepted", status_date=us(today()))])
    )
    assert same.counts.get("reports", 0) == 0 and ProviderReport.objects.count() == 1
    changed = run_import(rtf_file(tmp_path / "c.csv", [rtf_row(cin, **{**values, "acuity": "Medium"})]))
    assert changed.counts["reports"] == 1
    latest = ProviderReport.objects.filter(enrollment=enrollment).order_by("-created_at").first()
    assert latest.acuity_level == "Medium" and latest.lead_care_manager_name == "Rosa Diaz"


def test_contact_updates_wait_for_member_services_and_are_not_recorded_twice(alpha, assigned, tmp_path):
    cin = assigned().member.cin
    row = rtf_row(
        cin, new_address="Y", address="12 Elm St", city="Stockton", zip="95202", new_phone="yes", phone="209-555-0177"
    )
    load = run_import(rtf_file(tmp_path / "a.csv", [row]))
    update = ContactUpdate.objects.get()
    assert (update.address, update.zip_code, update.phone, update.status) == (
        "12 Elm St",
        "95202",
        "+12095550177",
        "pending",
    )
    assert update.load == load and update.new_address and update.new_phone
    run_import(rtf_file(tmp_path / "b.csv", [row, rtf_row(cin, new_address="N", acuity="Low")]))
    assert ContactUpdate.objects.count() == 1


def test_encounter_counts_are_stored_per_period_and_replaced_by_a_corrected_file(alpha, assigned, tmp_path):
    enrollment = assigned(enrolled=True)
    period = f"{today():%Y-%m}"
    first = run_import(
        rtf_file(tmp_path / "a.csv", [rtf_row(enrollment.member.cin, in_person=3, telephonic=2, period=period)])
    )
    assert first.counts["encounter_counts"] == 1
    corrected = run_import(
        rtf_file(tmp_path / "b.csv", [rtf_row(enrollment.member.cin, in_person=4, telephonic=2, period=period)])
    )
    assert corrected.counts["encounter_counts"] == 1
    count = EncounterCount.objects.get()
    assert (count.period, count.in_person, count.telephonic, count.load) == (period, 4, 2, corrected)
    change = AuditEvent.objects.get(action="encounter_count.update")
    assert change.before["in_person"] == 3 and change.after["in_person"] == 4


def test_one_bad_row_rejects_the_file_and_nothing_is_applied(alpha, assigned, tmp_path):
    good, other = assigned(), assigned()
    rows = [
        rtf_row(good.member.cin, status="Accepted", status_date=us(today())),
        rtf_row(other.member.cin, status="Referral Loop Closed", status_date=us(today())),
    ]
    path = rtf_file(tmp_path / "rtf.csv", rows)
    load = run_import(path)
    assert load.status == LoadStatus.REJECTED and load.counts["rejected"] == 1
    assert not LoopEvent.objects.filter(source=LoopEvent.Source.RTF).exists()
    assert load.errors == [
        {"row": 2, "column": "Reason for Referral Loop Closure", "value": None, "message": load.errors[0]["message"]}
    ]
    assert "rtf.csv" in load.message and "row 2" in load.message
    with Path(load.rejects_path).open(encoding="utf-8") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0] == ["row", "column", "value", "message"] and rejects[1][:2] == [
        "2",
        "Reason for Referral Loop Closure",
    ]


def test_accepting_valid_rows_applies_them_and_rejects_the_rest(alpha, assigned, tmp_path):
    good, other = assigned(), assigned()
    rows = [
        rtf_row(good.member.cin, status="Accepted", status_date=us(today())),
        rtf_row(other.member.cin, status="Rejected!", status_date=us(today())),
    ]
    load = run_import(rtf_file(tmp_path / "rtf.csv", rows), accept_valid_rows=True)
    assert load.status == LoadStatus.APPLIED, load.message
    assert (load.counts["applied"], load.counts["rejected"]) == (1, 1)
    assert load.counts["rejected_by_reason"] == {"Referral Status: unknown Referral Status": 1}
    assert LoopEvent.objects.filter(source=LoopEvent.Source.RTF, referral=good.referral).exists()
    assert Path(load.rejects_path).is_file()


@pytest.mark.parametrize("name", ["rtf.tsv", "rtf.txt", "rtf.psv", "rtf.xlsx"])
def test_every_format_reads_the_same(alpha, assigned, tmp_path, name):
    enrollment = assigned()
    load = run_import(
        rtf_file(tmp_path / name, [rtf_row(enrollment.member.cin, status="Accepted", status_date=us(today()))])
    )
    assert load.status == LoadStatus.APPLIED, load.message
    assert rtf_events(enrollment.referral)[0].loop_status == "Accepted"


def test_only_the_required_columns_and_any_order(alpha, assigned, tmp_path):
    enrollment = assigned()
    columns = [
        "referral status",
        "  ECM   Provider National Provider Identifier (NPI) ",
        "Unknown column",
        "Member Client Index Number (CIN)",
        "Date of Referral Status Update",
    ]
    path = tmp_path / "rtf.csv"
    path.write_text(
        ",".join(f'"{c}"' for c in columns)
        + "\n"
        + f"Outreach Initiated,{alpha.npi},x,{enrollment.member.cin},{today():%Y-%m-%d}\n",
        encoding="utf-8-sig",
    )
    load = run_import(path)
    assert load.status == LoadStatus.APPLIED, load.message
    assert rtf_events(enrollment.referral)[0].loop_status == "Outreach Initiated"


def test_the_provider_is_found_from_the_files_npi_for_plan_staff(alpha, assigned, analyst, tmp_path):
    from calaim.exchange.services import exchange_load_create, exchange_load_run
    from calaim.plans.models import Plan

    enrollment = assigned()
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(enrollment.member.cin, status="Accepted", status_date=us(today()))])
    load = exchange_load_create(
        actor=analyst,
        plan=Plan.objects.get(code="HPSJ"),
        provider=None,
        kind="rtf",
        path=path,
        file_name=path.name,
        source="web",
    )
    assert load.provider == alpha
    assert exchange_load_run(load).status == LoadStatus.APPLIED


def test_a_corrected_resubmission_after_a_rejection_applies_only_what_is_new(alpha, assigned, tmp_path):
    one, two = assigned(), assigned()
    bad = [
        rtf_row(one.member.cin, status="Accepted", status_date=us(today())),
        rtf_row(two.member.cin, status="Accepted", status_date="13/45/2025"),
    ]
    assert run_import(rtf_file(tmp_path / "a.csv", bad)).status == LoadStatus.REJECTED
    fixed = [bad[0], rtf_row(two.member.cin, status="Accepted", status_date=us(today()))]
    load = run_import(rtf_file(tmp_path / "b.csv", fixed))
    assert load.status == LoadStatus.APPLIED and load.counts["loop_steps"] == 2
    again = run_import(rtf_file(tmp_path / "c.csv", [*fixed, rtf_row(one.member.cin, acuity="")]))
    assert again.status == LoadStatus.NOTHING_NEW, again.message
    assert again.counts["unchanged"] == 3 and again.counts["applied"] == 0


def enrollment_state(enrollment: Enrollment) -> Any:
    enrollment.refresh_from_db()
    return (enrollment.status, enrollment.enrolled_on, enrollment.ended_on)


@pytest.mark.parametrize("ending", ["csv", "psv", "xlsx"])
def test_calaims_own_rtf_imports_back_with_nothing_new(alpha, assigned, network, hpsj, tmp_path, ending):
    from calaim.careplans.services import outreach_record
    from calaim.exchange.columns import RTF_COLUMNS
    from calaim.exchange.exports import export_rows
    from calaim.exchange.writer import table_write
    from calaim.workflows.ecm_enrollment import ecm_enroll, ecm_lead_care_manager_assign

    cm, supervisor = network.users["cm_a"], network.users["sup_a"]
    waiting, enrolled, ended = assigned(), assigned(), assigned()
    outreach_record(actor=cm, enrollment=waiting, attempted_on=today(), method="phone", reached=True, minutes_spent=5)
    ecm_enroll(actor=cm, enrollment=enrolled, enrolled_on=today())
    ecm_lead_care_manager_assign(actor=supervisor, enrollment=enrolled, care_manager="cm_a")
    ecm_enroll(actor=cm, enrollment=ended, enrolled_on=today())
    ecm_disenroll(actor=cm, enrollment=ended, reason_code="deceased", effective_on=today())
    path = tmp_path / f"rtf.{ending}"
    table_write(path, kind="rtf", header=RTF_COLUMNS, rows=export_rows("rtf", hpsj, alpha, f"{today():%Y-%m}"))
    load = run_import(path)
    assert load.status == LoadStatus.NOTHING_NEW, (load.message, load.errors)
    assert load.counts["unchanged"] == load.counts["rows_read"] >= 3
    assert not LoopEvent.objects.filter(source=LoopEvent.Source.RTF).exists()
    assert not ProviderReport.objects.exists() and not EncounterCount.objects.exists()


# ---- The command -------------------------------------------------------------------------------------------------


def command(*args: str) -> tuple[int, str]:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    try:
        call_command("exchange_import", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_the_command_applies_and_summarises(alpha, assigned, tmp_path):
    cin = assigned().member.cin
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(cin, status="Accepted", status_date=us(today()))])
    code, out = command("--kind", "rtf", "--plan", "HPSJ", str(path))
    assert code == 0, out
    for words in ("rows read", "applied", "unchanged", "closed-loop entries", "elapsed"):
        assert words in out
    code, out = command("--kind", "rtf", "--plan", "HPSJ", "--provider", alpha.npi, str(path))
    assert code == 0 and "was loaded on" in out and "nothing was changed" in out


def test_the_command_rejects_a_bad_file_with_a_rejects_file_and_exit_1(alpha, assigned, tmp_path):
    cin = assigned().member.cin
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(cin, status="Referral Loop Closed", status_date=us(today()))])
    code, out = command("--kind", "rtf", "--plan", "HPSJ", str(path))
    assert code == 1
    assert "rtf.csv, row 1, column 'Reason for Referral Loop Closure'" in out
    assert "Reason for Referral Loop Closure: missing with Referral Status: 1" in out
    rejects = tmp_path / "rtf.rejects.csv"
    assert rejects.read_text().splitlines()[1].startswith("1,Reason for Referral Loop Closure,")
    chosen = tmp_path / "mine.csv"
    code, _ = command("--kind", "rtf", "--plan", "HPSJ", "--rejects", str(chosen), "--accept-valid-rows", str(path))
    assert code == 1 and chosen.is_file()  # no valid row: still rejected
    assert not LoopEvent.objects.filter(source=LoopEvent.Source.RTF).exists()


def test_the_command_exits_2_on_usage(alpha, assigned, tmp_path):
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(assigned().member.cin, acuity="High")])
    assert command("--kind", "rtf", "--plan", "NOPE", str(path))[0] == 2
    assert command("--kind", "rtf", "--plan", "HPSJ", str(tmp_path / "missing.csv"))[0] == 2
    assert command("--kind", "rtf", "--plan", "HPSJ", "--provider", "1111111111", str(path))[0] == 2
    assert command("--kind", "rtf", "--plan", "HPSJ", "--as", "nobody", str(path))[0] == 2
    assert command("--kind", "otf", "--plan", "HPSJ", str(path))[0] == 2  # an OTF names its user
    with pytest.raises(CommandError):
        from django.core.management import call_command

        call_command("exchange_import", "--kind", "mif", "--plan", "HPSJ", str(path))


# ---- Who may import ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("cm_a", True),
        ("sup_a", True),
        ("analyst", True),  # the plan's data analysts upload on a provider's behalf, as they load the roster
        ("cm_b", False),
        ("hpsm_analyst", False),
        ("intake", False),  # the plan's other staff see the loads only
        ("member_services", False),
        ("um", False),
        ("compliance", False),
        ("referrer", False),
        (None, False),
    ],
)
def test_who_may_import_a_providers_file(alpha, assigned, analyst, network, tmp_path, user, allowed):
    from calaim.accounts.models import Role
    from calaim.core.errors import DomainError
    from calaim.exchange.models import ExchangeLoad
    from calaim.exchange.services import exchange_load_create
    from calaim.plans.models import Plan
    from tests.factories import UserFactory

    users = {
        **network.users,
        "analyst": analyst,
        "hpsm_analyst": UserFactory(role=Role.PLAN_DATA_ANALYST, organization=network.hpsm),
        "compliance": UserFactory(role=Role.PLAN_COMPLIANCE, organization=network.hpsj),
    }
    actor = users[user] if user else None
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(assigned().member.cin, status="Accepted", status_date=us(today()))])

    def offer() -> Any:
        return exchange_load_create(
            actor=actor,
            plan=Plan.objects.get(code="HPSJ"),
            provider=alpha,
            kind="rtf",
            path=path,
            file_name=path.name,
            source="web",
        )

    if allowed:
        assert offer().status == LoadStatus.UPLOADED
        return
    with pytest.raises(DomainError) as refused:
        offer()
    expected = 404 if user in ("cm_b", "hpsm_analyst") else 403
    assert refused.value.status_code == expected
    assert not ExchangeLoad.objects.exists()


def test_provider_staff_import_for_each_plan_their_organization_contracts_with(alpha, analyst, network, tmp_path):
    from calaim.core.errors import NotFound
    from calaim.exchange.policies import can_import_provider_file, can_view_exchange_load
    from calaim.plans.models import Plan
    from tests.factories import ecm_contract

    hpsj, hpsm = Plan.objects.get(code="HPSJ"), Plan.objects.get(code="HPSM")
    cm = network.users["cm_a"]
    assert can_import_provider_file(cm, hpsj, alpha)
    assert isinstance(can_import_provider_file(cm, hpsm, alpha).error, NotFound)
    ecm_contract(alpha, "HPSM", ["San Mateo"])
    assert can_import_provider_file(cm, hpsm, alpha)
    assert not can_import_provider_file(analyst, hpsj, network.provider_m)  # not HPSJ's provider
    enrollment = EnrollmentFactory(provider=alpha)
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(enrollment.member.cin, acuity="High")])
    load = run_import(path, actor=cm)
    assert can_view_exchange_load(cm, load) and can_view_exchange_load(network.users["intake"], load)
    assert not can_view_exchange_load(network.users["cm_b"], load)
    assert not can_view_exchange_load(network.users["hpsm_intake"], load)


# ---- The task ----------------------------------------------------------------------------------------------------


def test_the_task_runs_an_uploaded_load_once(alpha, assigned, network, tmp_path):
    from calaim.exchange.services import exchange_load_create
    from calaim.exchange.tasks import exchange_load_task
    from calaim.plans.models import Plan

    enrollment = assigned()
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(enrollment.member.cin, status="Accepted", status_date=us(today()))])
    load = exchange_load_create(
        actor=network.users["cm_a"],
        plan=Plan.objects.get(code="HPSJ"),
        provider=None,
        kind="rtf",
        path=path,
        file_name=path.name,
        source="web",
    )
    assert load.provider == alpha  # provider staff: their own organization
    assert exchange_load_task.call(str(load.pk)) == LoadStatus.APPLIED
    assert exchange_load_task.call(str(load.pk)) == LoadStatus.APPLIED  # a second run changes nothing
    assert LoopEvent.objects.filter(source=LoopEvent.Source.RTF).count() == 1
    load.refresh_from_db()
    assert load.progress_total and load.phase == LoadStatus.APPLIED.label


def test_a_community_supports_providers_statuses_join_the_requests_loop(alpha, network, tmp_path):
    from tests.factories import CsRequestFactory

    request = CsRequestFactory(authorized=True, provider=alpha)
    rows = [
        rtf_row(request.member.cin, status="Referral Loop Closed", status_date=us(today()), reason="Services Received")
    ]
    load = run_import(rtf_file(tmp_path / "rtf.csv", rows))
    assert load.status == LoadStatus.APPLIED, load.message
    event = LoopEvent.objects.get(cs_request=request, source=LoopEvent.Source.RTF)
    assert (event.loop_status, event.loop_closure_reason, event.program) == (
        "Referral Loop Closed",
        "Services Received",
        "cs",
    )
    request.refresh_from_db()
    assert request.loop_status == "Referral Loop Closed"
    ecm_only = run_import(rtf_file(tmp_path / "ecm.csv", [rtf_row(request.member.cin, acuity="High")]))
    assert ecm_only.status == LoadStatus.REJECTED
    assert "no ECM enrollment" in ecm_only.errors[0]["message"]


def test_the_size_limit_is_configurable(alpha, assigned, settings, tmp_path):
    settings.CALAIM_EXCHANGE_MAX_MB = 1
    cin = assigned().member.cin
    rows = [rtf_row(cin, status="Accepted", status_date=us(today()), lcm="x" * 100, period=f"{today():%Y-%m}")] * 1
    path = rtf_file(tmp_path / "rtf.csv", rows)
    with path.open("a") as handle:
        handle.write(("," * 40 + "\n") * 60_000)
    load = run_import(path)
    assert load.status == LoadStatus.REJECTED and "the largest accepted is 1 MB" in load.message


def test_a_run_whose_worker_died_runs_again_and_a_live_one_is_left_alone(alpha, assigned, network, tmp_path):
    from django.utils import timezone

    from calaim.core.errors import Conflict
    from calaim.exchange.models import ExchangeLoad
    from calaim.exchange.services import exchange_load_create, exchange_load_run
    from calaim.plans.models import Plan

    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(assigned().member.cin, status="Accepted", status_date=us(today()))])
    load = exchange_load_create(
        actor=network.users["cm_a"],
        plan=Plan.objects.get(code="HPSJ"),
        provider=alpha,
        kind="rtf",
        path=path,
        file_name=path.name,
        source="web",
    )
    ExchangeLoad.objects.filter(pk=load.pk).update(status=LoadStatus.RUNNING, started_at=timezone.now())
    with pytest.raises(Conflict):
        exchange_load_run(load)
    ExchangeLoad.objects.filter(pk=load.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert exchange_load_run(load).status == LoadStatus.APPLIED
