"""The demo's provider files: this month's MIF for every contracted ECM provider, as the schedule makes it; and one
file-only ECM provider per plan whose RTF and OTF for last month land through the real import (loop statuses, an
enrollment with its Lead Care Manager and milestones, a contact update, encounter counts, outreach attempts), plus
one rejected RTF with its rejects file. Made once; what calaim then exports for the provider loads back with nothing
new, and the plan waits for no RTF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from calaim.accounts.models import User
from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import plan_today
from calaim.demo.exchange import FILE_ONLY, demo_exchange_create
from calaim.demo.population import demo_population_create
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.exchange.export_common import Period
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import (
    ContactUpdate,
    EncounterCount,
    ExchangeExport,
    ExchangeLoad,
    FileKind,
    LoadSource,
    LoadStatus,
    ProviderReport,
)
from calaim.exchange.schedule import SYSTEM_LABEL, contracted_providers, mif_monthly_run, rtf_missing
from calaim.exchange.services import exchange_load_create, exchange_load_run
from calaim.network.models import Organization, Program
from calaim.plans.models import Plan
from calaim.referrals.models import LoopEvent
from calaim.workflows.reference import reference_data_load


@pytest.fixture
def demo(db: Any, settings: Any, tmp_path: Path) -> dict[str, int]:
    settings.CALAIM_DATA_DIR = tmp_path
    reference_data_load()
    demo_population_create(seed=2026, members=300, as_of=plan_today())
    return demo_exchange_create(seed=2026, as_of=plan_today())


def test_this_months_mif_is_made_for_every_contracted_ecm_provider_as_the_schedule_does(demo: dict[str, int]) -> None:
    month = Period.of(plan_today())
    expected = {
        (plan.code, provider.pk)
        for plan in Plan.objects.filter(code__in=["HPSJ", "HPSM"])
        for provider in contracted_providers(plan, month, (Program.ECM,))
    }
    mifs = ExchangeExport.objects.filter(kind=FileKind.MIF, period=month.label)
    assert set(mifs.values_list("plan__code", "provider_id")) == expected and demo["mifs"] == len(expected)
    assert set(mifs.values_list("source", "actor_label")) == {(LoadSource.SCHEDULE, SYSTEM_LABEL)}
    assert all(Path(path).is_file() for path in mifs.values_list("stored_path", flat=True))
    assert mif_monthly_run(today=month.start.replace(day=28))["made"] == 0  # the schedule finds them made


def test_each_plans_file_only_provider_has_members_and_no_user(demo: dict[str, int]) -> None:
    for spec in FILE_ONLY:
        provider = Organization.objects.get(code=spec.code)
        assert not provider.staff.exists() and provider.npi
        assert provider.contracts.get().plan.code == spec.plan
        enrollments = Enrollment.objects.filter(provider=provider)
        assert enrollments.count() == 3 and {e.member.plan.code for e in enrollments} == {spec.plan}
        assert all(e.referral.authorizations.filter(status="approved").exists() for e in enrollments)
    assert demo["file_only_members"] == 6


def test_its_rtf_and_otf_land_as_the_contract_says_and_a_bad_rtf_is_rejected(demo: dict[str, int]) -> None:
    last_month = Period.of(plan_today()).previous()
    assert (demo["rtf_applied"], demo["otf_applied"], demo["rtf_rejected"]) == (2, 2, 2)
    for spec in FILE_ONLY:
        provider = Organization.objects.get(code=spec.code)
        loads = ExchangeLoad.objects.filter(provider=provider).order_by("created_at")
        rtf, otf, bad = loads
        assert (rtf.kind, rtf.status, rtf.period) == ("rtf", LoadStatus.APPLIED, last_month.label)
        assert rtf.source == LoadSource.COMMAND
        assert rtf.created_by.username == f"{spec.plan.lower()}.data"  # type: ignore[union-attr]
        assert {k: rtf.counts[k] for k in ("enrolled", "reports", "contact_updates", "encounter_counts")} == {
            "enrolled": 1,
            "reports": 1,
            "contact_updates": 1,
            "encounter_counts": 2,
        }
        assert (otf.status, otf.counts["attempts"]) == (LoadStatus.APPLIED, 5)
        assert bad.status == LoadStatus.REJECTED and Path(bad.rejects_path).is_file()
        assert bad.errors[0]["column"] == "Reason for Referral Loop Closure"
        enrolled = Enrollment.objects.get(provider=provider, status=EnrollmentStatus.ENROLLED)
        assert enrolled.enrolled_on == last_month.start.replace(day=10)
        report = ProviderReport.objects.get(enrollment=enrolled)
        assert (report.lead_care_manager_name, report.acuity_level) == (spec.lead_care_manager[0], "High")
        assert ContactUpdate.objects.filter(provider=provider, status="pending").count() == 1
        assert EncounterCount.objects.filter(provider=provider, period=last_month.label).count() == 2
        assert OutreachAttempt.objects.filter(organization=provider, source="otf").count() == 5
        assert enrolled.referral.loop_status == "Referral Loop Closed"
        assert LoopEvent.objects.filter(referral__enrollments__provider=provider, source="rtf").exists()


def test_calaims_files_of_the_provider_round_trip_and_no_rtf_is_awaited(demo: dict[str, int]) -> None:
    last_month = Period.of(plan_today()).previous()
    for spec in FILE_ONLY:
        plan, provider = Plan.objects.get(code=spec.plan), Organization.objects.get(code=spec.code)
        analyst = User.objects.get(username=f"{plan.code.lower()}.data")
        for kind in ("rtf", "otf"):
            export = exchange_export_create(
                actor=None, plan=plan, provider=provider, kind=kind, period=last_month, file_format="csv",
                source=LoadSource.COMMAND,
            )  # fmt: skip
            assert export.rows > 0
            load = exchange_load_run(
                exchange_load_create(
                    actor=analyst, plan=plan, provider=provider, kind=kind, path=Path(export.stored_path),
                    file_name=export.file_name, source=LoadSource.COMMAND,
                )
            )  # fmt: skip
            assert load.status == LoadStatus.NOTHING_NEW, (spec.code, kind, load.message)
        # The file-only provider's RTF arrived; every other provider's staff work in calaim.
        assert rtf_missing(plan, plan_today().replace(day=28)) == []


def test_the_demo_makes_its_files_once(demo: dict[str, int]) -> None:
    loads, exports = ExchangeLoad.objects.count(), ExchangeExport.objects.count()
    assert demo_exchange_create(seed=2026, as_of=plan_today()) == {}
    assert (ExchangeLoad.objects.count(), ExchangeExport.objects.count()) == (loads, exports)
