"""The RTF export (exchange-spec §2.2): one row per closed-loop step dated in the period, one row with the loop
columns empty for a member without one, and the member's current values in every other column."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.careplans.models import CarePlan, Task, TaskKind, TaskStatus
from calaim.community_supports.models import CsRequestStatus
from calaim.ecm.models import EnrollmentStatus
from calaim.exchange.columns import RTF_COLUMNS
from calaim.exchange.export_common import Period
from calaim.exchange.export_rtf import rtf_rows
from calaim.exchange.models import EncounterCount, ExchangeLoad, ProviderReport
from calaim.network.models import Contract, Organization
from calaim.plans.models import County, Plan
from calaim.referrals.models import LoopEvent
from tests.exchange_export import assign, at, attempt, by_column, plan_member, step, with_ids
from tests.factories import CsRequestFactory, OrganizationFactory, ecm_contract

NOV = Period.parse("2026-11")
PRODUCED = dt.date(2026, 12, 3)
LOOP = ("Referral Status", "Date of Referral Status Update", "Reason for Referral Loop Closure")


@pytest.fixture
def alpha(network: Any) -> Organization:
    return with_ids(network.provider_a, "123456789", "941234567")


def _rows(provider: Organization, plan: str = "HPSJ") -> list[dict[str, str]]:
    return [by_column(list(RTF_COLUMNS), row) for row in rtf_rows(Plan.objects.get(code=plan), provider, NOV, PRODUCED)]


def _loops(rows: list[dict[str, str]], cin: str) -> list[tuple[str, str, str]]:
    return [tuple(row[c] for c in LOOP) for row in rows if row["Member Client Index Number (CIN)"] == cin]  # type: ignore[misc]


def test_one_row_per_step_in_the_period_and_one_for_a_member_without(network: Any, alpha: Organization) -> None:
    stepped = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 20), enrolled=dt.date(2026, 11, 5))
    step(stepped.referral, "Accepted", at(dt.date(2026, 10, 21)))  # before the period
    step(stepped.referral, "Accepted", at(dt.date(2026, 11, 2)))
    step(stepped.referral, "Referral Loop Closed", at(dt.date(2026, 11, 5)), "Services Received")
    step(stepped.referral, "Pending", at(dt.date(2026, 12, 1)))  # after it
    quiet = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 1))
    rows = _rows(alpha)
    assert _loops(rows, stepped.member.cin) == [
        ("Accepted", "11/02/2026", ""),
        ("Referral Loop Closed", "11/05/2026", "Services Received"),
    ]
    assert _loops(rows, quiet.member.cin) == [("", "", "")]
    assert len(rows) == 3


def test_steps_before_the_assignment_are_the_plans_not_the_providers(network: Any, alpha: Organization) -> None:
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 10))
    step(enrollment.referral, "Pending", at(dt.date(2026, 11, 10), 8))  # authorization pending, before 9:00
    step(enrollment.referral, "Accepted", at(dt.date(2026, 11, 10), 11))
    assert _loops(_rows(alpha), enrollment.member.cin) == [("Accepted", "11/10/2026", "")]


def test_same_status_same_day_is_one_entry_the_last_in_its_place(network: Any, alpha: Organization) -> None:
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 2))
    day = dt.date(2026, 11, 3)
    step(enrollment.referral, "Accepted", at(day, 10))
    step(enrollment.referral, "Referral Loop Closed", at(day, 11), "Services Received")
    step(enrollment.referral, "Accepted", at(day, 12))
    assert _loops(_rows(alpha), enrollment.member.cin) == [
        ("Referral Loop Closed", "11/03/2026", "Services Received"),
        ("Accepted", "11/03/2026", ""),
    ]


def test_after_a_provider_change_each_provider_reports_its_own_steps(network: Any, alpha: Organization) -> None:
    bravo = with_ids(network.provider_b, "223456789")
    old = assign(
        plan_member(),
        alpha,
        assigned=dt.date(2026, 10, 1),
        enrolled=dt.date(2026, 10, 2),
        ended=dt.date(2026, 11, 10),
        status=EnrollmentStatus.TRANSFERRED,
    )
    new = assign(old.member, bravo, assigned=dt.date(2026, 11, 10), enrolled=dt.date(2026, 10, 2))
    new.referral, new.previous = old.referral, old
    new.assigned_at = at(dt.date(2026, 11, 10), 12)
    new.save()
    step(old.referral, "Accepted", at(dt.date(2026, 11, 3)))
    step(old.referral, "Accepted", at(dt.date(2026, 11, 10), 13))  # the provider change
    assert _loops(_rows(alpha), old.member.cin) == [("Accepted", "11/03/2026", "")]
    assert _loops(_rows(bravo), old.member.cin) == [("Accepted", "11/10/2026", "")]
    alpha_row = _rows(alpha)[0]
    assert (alpha_row["Member ECM Status"], alpha_row["ECM Enrollment End Date"]) == ("Transferred", "11/10/2026")
    assert alpha_row["Discontinuation Date"] == ""  # a change of provider is no discontinuation


def test_current_values_of_every_column(network: Any, alpha: Organization) -> None:
    member = plan_member(
        first_name="Rosa",
        last_name="Diaz",
        experiencing_homelessness=True,
        address_line="12 Main St",
        city="Stockton",
        zip_code="95202",
        phone="+12095550123",
    )
    manager = network.users["cm_a"]
    manager.first_name, manager.last_name, manager.phone, manager.email = "Lee", "Park", "(209) 555-0177", "lee@a.org"
    manager.save()
    enrollment = assign(member, alpha, assigned=dt.date(2026, 10, 1), enrolled=dt.date(2026, 10, 4))
    enrollment.lead_care_manager = manager
    enrollment.save(update_fields=["lead_care_manager"])
    CarePlan.objects.create(
        member=member,
        enrollment=enrollment,
        organization=alpha,
        last_reviewed_on=dt.date(2026, 11, 6),
        next_review_on=dt.date(2027, 2, 6),
        created_by=manager,
    )
    for created, completed in [(dt.date(2026, 10, 5), dt.date(2026, 10, 20)), (dt.date(2026, 11, 15), None)]:
        task = Task.objects.create(
            member=member,
            enrollment=enrollment,
            organization=alpha,
            kind=TaskKind.ASSESSMENT,
            due_date=created,
            status=TaskStatus.COMPLETED if completed else TaskStatus.IN_PROGRESS,
            completed_at=at(completed) if completed else None,
        )
        Task.objects.filter(pk=task.pk).update(created_at=at(created))
    attempt(enrollment, dt.date(2026, 11, 3), "in_person", reached=True)
    attempt(enrollment, dt.date(2026, 11, 3), "in_person", reached=True, minutes=5)  # the same day: one encounter
    attempt(enrollment, dt.date(2026, 11, 8), "phone", reached=True)
    attempt(enrollment, dt.date(2026, 11, 8), "video", reached=True)  # same day as the call: one encounter
    attempt(enrollment, dt.date(2026, 11, 9), "video", reached=True)
    attempt(enrollment, dt.date(2026, 11, 12), "phone", reached=False)  # not reached: no encounter
    attempt(enrollment, dt.date(2026, 11, 13), "text", reached=True)  # not an encounter mode
    load = ExchangeLoad.objects.create(
        kind="rtf",
        plan=member.plan,
        provider=alpha,
        file_name="old.csv",
        file_format="csv",
        file_sha256="0" * 64,
        source="command",
        actor_label="t",
    )
    ProviderReport.objects.create(
        enrollment=enrollment,
        member=member,
        provider=alpha,
        load=load,
        reported_on=dt.date(2026, 11, 1),
        acuity_level="High",
        care_conference_on=dt.date(2026, 10, 30),
        care_plan_revised_on=dt.date(2026, 10, 1),
        lead_care_manager_name="Someone Else",
    )
    (row,) = _rows(alpha)
    assert [row[c] for c in RTF_COLUMNS] == [
        "HPSJ", "Health Plan of San Joaquin", member.cin, "Diaz", "Rosa", "N", "Y", "12 Main St", "Stockton", "CA",
        "95202", "N", "2095550123", "Y", "A1", "Enrolled", "High", "10/04/2026", "", "11/06/2026", "10/30/2026",
        "10/05/2026", "10/20/2026", "11/13/2026", "Lee Park", "2095550177", "lee@a.org", "", "", "", "1", "2",
        "12/03/2026", "2026-11", "Alpha Care Partners", alpha.npi, "941234567", "2095550100", "", "", "",
    ]  # fmt: skip


def test_provider_reported_values_fill_what_calaim_lacks(network: Any, alpha: Organization) -> None:
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 1))
    load = ExchangeLoad.objects.create(
        kind="rtf",
        plan=enrollment.member.plan,
        provider=alpha,
        file_name="f.csv",
        file_format="csv",
        file_sha256="1" * 64,
        source="command",
        actor_label="t",
    )
    for reported_on, name, revised in [(dt.date(2026, 10, 5), "Ana Ruiz", dt.date(2026, 10, 2)),
                                       (dt.date(2026, 11, 5), "", dt.date(2026, 11, 2))]:  # fmt: skip
        ProviderReport.objects.create(
            enrollment=enrollment,
            member=enrollment.member,
            provider=alpha,
            load=load,
            reported_on=reported_on,
            lead_care_manager_name=name,
            lead_care_manager_phone="+12095550188" if name else "",
            care_plan_revised_on=revised,
        )
    EncounterCount.objects.create(
        member=enrollment.member,
        enrollment=enrollment,
        plan=enrollment.member.plan,
        provider=alpha,
        period="2026-11",
        in_person=4,
        telephonic=7,
        load=load,
    )
    attempt(enrollment, dt.date(2026, 11, 3), "in_person", reached=True)
    (row,) = _rows(alpha)
    assert row["ECM Lead Care Manager Name"] == "Ana Ruiz"  # the latest report that named one
    assert row["ECM Lead Care Manager Name Phone Number"] == "2095550188"
    assert row["Date of Latest Care Plan Revision"] == "11/02/2026"
    assert (row["In Person"], row["Telephonic/Video"]) == ("4", "7")  # the provider's own counts for the period
    assert row["Member ECM Status"] == "Outreach" and row["ECM Enrollment Start Date"] == ""


def test_discontinuation_is_the_reasons_dhcs_code_and_label(network: Any, alpha: Organization) -> None:
    ended = assign(
        plan_member(),
        alpha,
        assigned=dt.date(2026, 10, 1),
        enrolled=dt.date(2026, 10, 3),
        ended=dt.date(2026, 11, 20),
        reason="unable_to_reach",
    )
    (row,) = _rows(alpha)
    assert row["Member Client Index Number (CIN)"] == ended.member.cin
    assert (row["Member ECM Status"], row["ECM Enrollment End Date"]) == ("Disenrolled", "11/20/2026")
    assert (row["Discontinuation Date"], row["Discontinuation Reason Code"], row["Discontinuation Reason"]) == (
        "11/20/2026",
        "3",
        "Unable to reach or locate the member after outreach",
    )


def test_community_supports_provider_reports_its_requests_loops(network: Any) -> None:
    plan = Plan.objects.get(code="HPSJ")
    cs = with_ids(OrganizationFactory(name="Delta Recuperative Care", kind="cs_provider"), "323456789")
    contract = Contract.objects.create(
        plan=plan,
        organization=cs,
        program="cs",
        capacity=10,
        services=["recuperative_care"],
        start_date=dt.date(2022, 1, 1),
    )
    contract.counties.set(County.objects.filter(name="San Joaquin"))
    received = at(dt.date(2026, 11, 3))
    request = CsRequestFactory(
        member=plan_member(), authorized=True, provider=cs, received_at=received, status_changed_at=received
    )
    LoopEvent.objects.create(
        cs_request=request,
        program="cs",
        status=CsRequestStatus.IN_SERVICE,
        status_label="x",
        loop_status="Referral Loop Closed",
        loop_closure_reason="Services Received",
        at=at(dt.date(2026, 11, 12)),
    )
    rows = _rows(cs)
    assert _loops(rows, request.member.cin) == [
        ("Pending", "11/03/2026", ""),  # the loop's first step, from the factory
        ("Referral Loop Closed", "11/12/2026", "Services Received"),
    ]
    ecm_columns = RTF_COLUMNS[13:32]  # POF indicator to Telephonic/Video: an ECM enrollment's
    assert all(row[c] == "" for row in rows for c in ecm_columns)
    assert rows[0]["ECM Provider Name"] == "Delta Recuperative Care"


def test_one_provider_two_plans_each_plans_own_file(network: Any, alpha: Organization) -> None:
    ecm_contract(alpha, "HPSM", ["San Mateo"])
    sj = assign(plan_member("HPSJ"), alpha, assigned=dt.date(2026, 11, 2))
    sm = assign(plan_member("HPSM"), alpha, assigned=dt.date(2026, 11, 2))
    step(sm.referral, "Accepted", at(dt.date(2026, 11, 2), 11))
    assert [r["Member Client Index Number (CIN)"] for r in _rows(alpha, "HPSJ")] == [sj.member.cin]
    hpsm = _rows(alpha, "HPSM")
    assert [(r["Member Client Index Number (CIN)"], r["Primary Payer (MCP) Identifier"]) for r in hpsm] == [
        (sm.member.cin, "HPSM")
    ]
    assert _loops(hpsm, sm.member.cin) == [("Accepted", "11/02/2026", "")]


def test_queries_do_not_grow_with_the_caseload(
    network: Any, alpha: Organization, django_assert_max_num_queries: Any
) -> None:
    plan = Plan.objects.get(code="HPSJ")

    def add(count: int) -> None:
        for _ in range(count):
            enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 2), enrolled=dt.date(2026, 10, 3))
            step(enrollment.referral, "Accepted", at(dt.date(2026, 11, 4)))
            attempt(enrollment, dt.date(2026, 11, 4), "phone", reached=True)

    add(2)
    with django_assert_max_num_queries(16) as first:
        rtf_rows(plan, alpha, NOV, PRODUCED)
    add(15)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(rtf_rows(plan, alpha, NOV, PRODUCED)) == 17


def test_a_member_in_ecm_and_cs_with_the_provider_is_reported_with_ecm(network: Any, alpha: Organization) -> None:
    plan = Plan.objects.get(code="HPSJ")
    Contract.objects.create(plan=plan, organization=alpha, program="cs", capacity=5, start_date=dt.date(2022, 1, 1))
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 2))
    step(enrollment.referral, "Accepted", at(dt.date(2026, 11, 4)))
    moment = at(dt.date(2026, 11, 3))
    both = CsRequestFactory(member=enrollment.member, authorized=True, provider=alpha, received_at=moment,
                            status_changed_at=moment)  # fmt: skip
    only_cs = CsRequestFactory(member=plan_member(), authorized=True, provider=alpha, received_at=moment,
                               status_changed_at=moment)  # fmt: skip
    rows = _rows(alpha)
    assert _loops(rows, both.member.cin) == [("Accepted", "11/04/2026", "")]
    assert _loops(rows, only_cs.member.cin) == [("Pending", "11/03/2026", "")]
