"""The round trip (exchange-spec §2): the RTF and OTF calaim exports for a provider and period import back with
nothing new, for one provider contracting with two plans (each plan's own file), in every format, whether the
members' records were made in calaim's pages or reported in earlier files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from calaim.accounts.models import Role, User
from calaim.careplans.models import CarePlan, OutreachAttempt, Task, TaskKind, TaskStatus
from calaim.core.clock import plan_today
from calaim.demo.cs_lifecycle import demo_cs_create
from calaim.demo.history import demo_history_create
from calaim.demo.lifecycle import demo_lifecycle_create
from calaim.demo.population import demo_population_create
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.exchange.export_common import Period
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import (
    ContactUpdate,
    EncounterCount,
    ExchangeLoad,
    LoadSource,
    LoadStatus,
    ProviderReport,
)
from calaim.exchange.services import exchange_load_create, exchange_load_run
from calaim.network.models import Contract, Organization, Program
from calaim.plans.models import Plan
from calaim.referrals.models import LoopEvent, Referral
from calaim.workflows.reference import reference_data_load
from tests.exchange_export import assign, at, attempt, plan_member, with_ids
from tests.factories import UserFactory, ecm_contract

NOV = Period.parse("2026-11")


@pytest.fixture
def alpha(network: Any, settings: Any, tmp_path: Path) -> Organization:
    """Alpha contracts with both plans; its members under each, in every state the files carry."""
    settings.CALAIM_DATA_DIR = tmp_path
    provider = with_ids(network.provider_a, "123456789", "941234567")
    ecm_contract(provider, "HPSM", ["San Mateo"])
    manager = network.users["cm_a"]
    manager.first_name, manager.last_name, manager.phone, manager.email = "Lee", "Park", "(209) 555-0177", "lee@a.org"
    manager.save()
    for plan in ("HPSJ", "HPSM"):
        _caseload(plan, provider, manager)
    return provider


def _caseload(plan: str, provider: Organization, manager: Any) -> None:
    enrolled = assign(
        plan_member(plan, address_line="12 Main St", city="Stockton", zip_code="95202", phone="+12095550123"),
        provider,
        assigned=dt.date(2026, 10, 20),
        enrolled=dt.date(2026, 11, 5),
    )
    enrolled.lead_care_manager = manager
    enrolled.save(update_fields=["lead_care_manager"])
    for day, status, reason in [
        (dt.date(2026, 10, 21), "Accepted", ""),
        (dt.date(2026, 11, 2), "Outreach Initiated", ""),
        (dt.date(2026, 11, 5), "Referral Loop Closed", "Services Received"),
    ]:
        LoopEvent.objects.create(
            referral=enrolled.referral, program="ecm", status="enrolled", status_label="Enrolled",
            loop_status=status, loop_closure_reason=reason, at=at(day),
        )  # fmt: skip
    CarePlan.objects.create(
        member=enrolled.member, enrollment=enrolled, organization=provider, last_reviewed_on=dt.date(2026, 11, 6),
        next_review_on=dt.date(2027, 2, 6), created_by=manager,
    )  # fmt: skip
    Task.objects.create(
        member=enrolled.member, enrollment=enrolled, organization=provider, kind=TaskKind.ASSESSMENT,
        due_date=dt.date(2026, 11, 20), status=TaskStatus.COMPLETED, completed_at=at(dt.date(2026, 11, 18)),
    )  # fmt: skip
    attempt(enrolled, dt.date(2026, 10, 28), "phone", reached=False, minutes=5)
    attempt(enrolled, dt.date(2026, 11, 2), "in_person", reached=True, minutes=40)
    attempt(enrolled, dt.date(2026, 11, 9), "video", reached=True, minutes=30)
    attempt(enrolled, dt.date(2026, 11, 12), "other_electronic", reached=False, minutes=0)

    outreach = assign(plan_member(plan), provider, assigned=dt.date(2026, 11, 10))
    LoopEvent.objects.create(
        referral=outreach.referral, program="ecm", status="assigned", status_label="Assigned",
        loop_status="Accepted", loop_closure_reason="", at=at(dt.date(2026, 11, 10), 11),
    )  # fmt: skip
    attempt(outreach, dt.date(2026, 11, 11), "text", reached=False, minutes=2)
    attempt(outreach, dt.date(2026, 11, 11), "mail", reached=False, minutes=10)

    ended = assign(
        plan_member(plan), provider, assigned=dt.date(2026, 9, 1), enrolled=dt.date(2026, 9, 3),
        ended=dt.date(2026, 11, 20), status=EnrollmentStatus.DISENROLLED, reason="unable_to_reach",
    )  # fmt: skip
    LoopEvent.objects.create(
        referral=ended.referral, program="ecm", status="closed", status_label="Closed",
        loop_status="Referral Loop Closed", loop_closure_reason="Unable to Reach Member", at=at(dt.date(2026, 11, 20)),
    )  # fmt: skip

    quiet = assign(plan_member(plan), provider, assigned=dt.date(2026, 8, 1), enrolled=dt.date(2026, 8, 2))
    attempt(quiet, dt.date(2026, 11, 25), "email", reached=True, minutes=3)


def _round_trip(
    provider: Organization, plan: str, kind: str, file_format: str, period: str = "2026-11"
) -> ExchangeLoad:
    user = provider.staff.get(username="cm_a")
    export = exchange_export_create(
        actor=user, plan=Plan.objects.get(code=plan), provider=provider, kind=kind, period=period,
        file_format=file_format, source=LoadSource.WEB,
    )  # fmt: skip
    assert export.rows > 0
    load = exchange_load_create(
        actor=user, plan=export.plan, provider=provider, kind=kind, path=Path(export.stored_path),
        file_name=export.file_name, source=LoadSource.WEB,
    )  # fmt: skip
    return exchange_load_run(load)


def _nothing_new(load: ExchangeLoad) -> None:
    assert (load.status, load.errors, load.counts.get("applied")) == (LoadStatus.NOTHING_NEW, [], 0), load.message
    assert load.counts["unchanged"] == load.counts["rows_read"]


def _records() -> tuple[Any, ...]:
    """Everything an imported file could add or change."""
    return (
        LoopEvent.objects.count(),
        ProviderReport.objects.count(),
        EncounterCount.objects.count(),
        ContactUpdate.objects.count(),
        OutreachAttempt.objects.count(),
        sorted(Enrollment.objects.values_list("id", "status", "enrolled_on", "ended_on", "discontinuation_reason")),
        sorted(Referral.objects.values_list("id", "status", "loop_status", "loop_closure_reason")),
    )


@pytest.mark.parametrize("plan", ["HPSJ", "HPSM"])
@pytest.mark.parametrize("kind", ["rtf", "otf"])
def test_calaims_own_file_imports_back_with_nothing_new(alpha: Organization, plan: str, kind: str) -> None:
    before = _records()
    load = _round_trip(alpha, plan, kind, "csv")
    _nothing_new(load)
    assert load.counts["rows_read"] == {"rtf": 5, "otf": 6}[kind]  # two steps of one member, one row each other
    assert _records() == before


@pytest.mark.parametrize("file_format", ["tsv", "psv", "xlsx"])
def test_every_format_round_trips(alpha: Organization, file_format: str) -> None:
    for kind in ("rtf", "otf"):
        _nothing_new(_round_trip(alpha, "HPSJ", kind, file_format))


def test_after_the_provider_reported_in_a_file_calaims_file_still_round_trips(alpha: Organization) -> None:
    """Values a provider reported in an RTF (acuity, a care conference, its own encounter counts) are carried by
    calaim's next RTF, which then imports back with nothing new."""
    member_plan = Plan.objects.get(code="HPSJ")
    enrollment = alpha.ecm_enrollments.filter(member__plan=member_plan, status=EnrollmentStatus.ENROLLED).first()
    load = ExchangeLoad.objects.create(
        kind="rtf", plan=member_plan, provider=alpha, file_name="earlier.csv", file_format="csv",
        file_sha256="e" * 64, source="web", actor_label="cm_a", status=LoadStatus.APPLIED, period="2026-11",
    )  # fmt: skip
    ProviderReport.objects.create(
        enrollment=enrollment, member=enrollment.member, provider=alpha, load=load, reported_on=dt.date(2026, 12, 2),
        acuity_level="High", care_conference_on=dt.date(2026, 11, 14),
    )  # fmt: skip
    EncounterCount.objects.create(
        member=enrollment.member, enrollment=enrollment, plan=member_plan, provider=alpha, period="2026-11",
        in_person=3, telephonic=5, load=load,
    )  # fmt: skip
    _nothing_new(_round_trip(alpha, "HPSJ", "rtf", "csv"))


def test_this_months_file_round_trips_too(alpha: Organization) -> None:
    """A period still under way: steps recorded today, production date today."""
    enrollment = alpha.ecm_enrollments.filter(member__plan__code="HPSJ", status=EnrollmentStatus.ASSIGNED).first()
    LoopEvent.objects.create(
        referral=enrollment.referral, program="ecm", status="assigned", status_label="Assigned",
        loop_status="Outreach Initiated", loop_closure_reason="", at=timezone.now(),
    )  # fmt: skip
    attempt(enrollment, plan_today(), "phone", reached=True, minutes=12)
    month = Period.of(plan_today()).label
    for kind in ("rtf", "otf"):
        _nothing_new(_round_trip(alpha, "HPSJ", kind, "csv", period=month))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_month_with_nobody_round_trips_as_a_header_with_nothing_new(
    alpha: Organization, network: Any, file_format: str
) -> None:
    """Before its first member was assigned (2026-06), Alpha's RTF and OTF have a header and no rows: each imports
    back with nothing new, saying it has no rows, sent by the provider or by the plan's analyst for it."""
    analyst = UserFactory(role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    before = _records()
    for kind in ("rtf", "otf"):
        for user in (alpha.staff.get(username="cm_a"), analyst):
            export = exchange_export_create(
                actor=user, plan=Plan.objects.get(code="HPSJ"), provider=alpha, kind=kind, period="2026-06",
                file_format=file_format, source=LoadSource.WEB,
            )  # fmt: skip
            assert export.rows == 0
            load = exchange_load_run(
                exchange_load_create(
                    actor=user, plan=export.plan, provider=alpha, kind=kind, path=Path(export.stored_path),
                    file_name=export.file_name, source=LoadSource.WEB,
                )
            )  # fmt: skip
            assert (load.status, load.errors, load.counts["rows_read"]) == (LoadStatus.NOTHING_NEW, [], 0)
            assert "has a header row and no data rows" in load.message
    assert _records() == before


# ---- the demo: every provider and plan, every month of the past year -------------------------------------------------


@pytest.mark.django_db
def test_the_round_trip_holds_for_every_provider_and_plan_of_the_demo(settings: Any, tmp_path: Path) -> None:
    """The demo's providers and plans, their members driven through every state by the workflows (referral,
    authorization, assignment, enrollment, provider change, discontinuation, Community Supports) over the past
    year: each provider's RTF (and OTF, for ECM) of each plan and month imports back with nothing new, a month with
    nobody (a header and no rows) too."""
    settings.CALAIM_DATA_DIR = tmp_path
    reference_data_load()
    demo_population_create(seed=2026, members=400, as_of=plan_today())
    demo_lifecycle_create(seed=2026, per_plan=24)
    demo_history_create(seed=2026, per_plan=24)
    demo_cs_create(seed=2026, per_plan=12)
    admin = User.objects.create_superuser("exchange_admin", "admin@example.org", "x")
    months = [Period.of(plan_today())]
    for _ in range(12):
        months.append(months[-1].previous())
    pairs = sorted(
        {(c.plan, c.organization, c.program) for c in Contract.objects.select_related("plan", "organization")},
        key=lambda item: (item[0].code, item[1].name, item[2]),
    )
    failures, files, rows, empty, plans_per_provider = [], 0, 0, 0, {}
    before = _records()
    for plan, provider, program in pairs:
        plans_per_provider.setdefault(provider.pk, set()).add(plan.code)
        kinds = ["rtf", "otf"] if program == Program.ECM else ["rtf"]
        for period in months:
            for kind in kinds:
                export = exchange_export_create(
                    actor=None, plan=plan, provider=provider, kind=kind, period=period, file_format="csv",
                    source=LoadSource.COMMAND,
                )  # fmt: skip
                files, rows, empty = files + 1, rows + export.rows, empty + (not export.rows)
                load = exchange_load_run(
                    exchange_load_create(
                        actor=admin, plan=plan, provider=provider, kind=kind, path=Path(export.stored_path),
                        file_name=export.file_name, source=LoadSource.COMMAND,
                    )
                )  # fmt: skip
                if load.status != LoadStatus.NOTHING_NEW:
                    failures.append((plan.code, provider.name, kind, period.label, load.status, load.message))
    assert failures == [], "\n".join(map(str, failures))
    assert _records() == before
    assert files >= 20 and rows >= 100 and empty >= 1, (files, rows, empty)  # a month with nobody: a header only
    assert any(len(codes) == 2 for codes in plans_per_provider.values())  # one provider, two plans
