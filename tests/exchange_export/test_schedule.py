"""The monthly rhythm: each contracted ECM provider's MIF made on the plan's MIF day (once, caught up if missed),
enqueued by the worker; and the providers whose RTF for last month has not arrived after the plan's RTF due day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.accounts.models import Role, User
from calaim.community_supports.models import CsRequestStatus
from calaim.exchange.models import ExchangeExport, ExchangeLoad, LoadStatus
from calaim.exchange.schedule import exchange_periodic_jobs, mif_monthly_run, rtf_missing
from calaim.jobs.worker import CalaimWorker, WorkerConfig
from calaim.network.models import Contract, Organization
from calaim.plans.models import County, Plan, ProgramSettings
from tests.exchange_export import assign, at, plan_member, with_ids
from tests.factories import CsRequestFactory, OrganizationFactory, UserFactory, ecm_contract


@pytest.fixture
def providers(network: Any, settings: Any, tmp_path: Path) -> Any:
    settings.CALAIM_DATA_DIR = tmp_path
    with_ids(network.provider_a, "123456789")
    with_ids(network.provider_m, "523456789")
    ProgramSettings.objects.filter(plan__code="HPSJ").update(mif_production_day=5, rtf_due_day=10)
    ProgramSettings.objects.filter(plan__code="HPSM").update(mif_production_day=12, rtf_due_day=15)
    return network


def _made() -> set[tuple[str, str, str]]:
    return set(ExchangeExport.objects.values_list("plan__code", "provider__name", "period"))


def test_mif_is_made_on_the_plans_day_once_per_provider(providers: Any) -> None:
    assign(plan_member(), providers.provider_a, assigned=dt.date(2026, 11, 2))
    assert mif_monthly_run(today=dt.date(2026, 12, 4)) == {"made": 0, "already": 0, "skipped": 0, "failed": 0}
    assert not ExchangeExport.objects.exists()

    counts = mif_monthly_run(today=dt.date(2026, 12, 5))
    # provider_b has no NPI: skipped (logged); HPSM's day has not come
    assert counts == {"made": 1, "already": 0, "skipped": 1, "failed": 0}
    export = ExchangeExport.objects.get()
    assert (export.plan.code, export.provider, export.period, export.kind) == (
        "HPSJ",
        providers.provider_a,
        "2026-12",
        "mif",
    )
    assert (export.source, export.file_format, export.rows, export.created_by) == ("schedule", "csv", 1, None)
    assert Path(export.stored_path).is_file()

    assert mif_monthly_run(today=dt.date(2026, 12, 6))["already"] == 1  # a later run makes nothing twice
    assert mif_monthly_run(today=dt.date(2026, 12, 12))["made"] == 1  # HPSM's day
    assert _made() == {
        ("HPSJ", "Alpha Care Partners", "2026-12"),
        ("HPSM", "Mateo ECM Collaborative", "2026-12"),
    }


def test_a_missed_day_is_caught_up_and_the_next_month_starts_again(providers: Any) -> None:
    assert mif_monthly_run(today=dt.date(2026, 11, 20))["made"] == 2  # the worker was down on the 5th and 12th
    assert mif_monthly_run(today=dt.date(2026, 12, 5))["made"] == 1
    assert ("HPSJ", "Alpha Care Partners", "2026-11") in _made()
    assert ("HPSJ", "Alpha Care Partners", "2026-12") in _made()


def test_only_ecm_contracts_in_force_get_a_mif(providers: Any) -> None:
    cs = with_ids(OrganizationFactory(name="Delta CS", kind="cs_provider"), "623456789")
    Contract.objects.create(
        plan=Plan.objects.get(code="HPSJ"), organization=cs, program="cs", capacity=1, start_date=dt.date(2022, 1, 1)
    )
    ended = with_ids(OrganizationFactory(name="Former ECM"), "723456789")
    contract = ecm_contract(ended, "HPSJ", ["San Joaquin"])
    contract.end_date = dt.date(2026, 10, 31)
    contract.save(update_fields=["end_date"])
    mif_monthly_run(today=dt.date(2026, 12, 5))
    assert {name for _, name, _ in _made()} == {"Alpha Care Partners"}


def test_the_worker_enqueues_the_mif_job_and_runs_it(providers: Any) -> None:
    worker = CalaimWorker(
        schedule=exchange_periodic_jobs(),
        config=WorkerConfig(),
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    assert worker.schedule_due(timezone.now()) == ["exchange_mif_monthly"]
    assert worker.schedule_due(timezone.now()) == []  # once per period
    assert worker.step()
    result = DBTaskResult.objects.get(task_path="calaim.exchange.schedule.mif_monthly_task")
    assert result.status == "SUCCESSFUL"
    # today is after every plan's MIF day or not; either way a second run makes nothing new
    before = ExchangeExport.objects.count()
    assert mif_monthly_run()["made"] == 0
    assert ExchangeExport.objects.count() == before


def test_calaim_worker_schedules_the_exchange_jobs(monkeypatch: pytest.MonkeyPatch, db: Any) -> None:
    seen: dict[str, list[str]] = {}

    class Recording:
        def __init__(self, *, schedule: Any, **kwargs: Any) -> None:
            seen["jobs"] = [job.name for job in schedule]

        def configure_signals(self) -> None:
            pass

        def run(self) -> None:
            pass

    monkeypatch.setattr("calaim.commands.management.commands.calaim_worker.CalaimWorker", Recording)
    call_command("calaim_worker")
    assert "exchange_mif_monthly" in seen["jobs"] and "heartbeat" in seen["jobs"]


# ---- RTF not received ---------------------------------------------------------------------------------------------


@pytest.fixture
def file_only(providers: Any) -> Any:
    """Alpha and Bravo report by file alone: their staff's accounts in calaim are closed."""
    User.objects.filter(organization__in=[providers.provider_a, providers.provider_b]).update(is_active=False)
    return providers


def _load(plan: str, provider: Organization, status: str, period: str) -> ExchangeLoad:
    return ExchangeLoad.objects.create(
        kind="rtf",
        plan=Plan.objects.get(code=plan),
        provider=provider,
        file_name="rtf.csv",
        file_format="csv",
        file_sha256="0" * 64,
        source="web",
        actor_label="t",
        status=status,
        period=period,
    )


def test_rtf_missing_after_the_due_day_for_providers_serving_last_month(file_only: Any) -> None:
    providers = file_only
    hpsj = Plan.objects.get(code="HPSJ")
    assign(plan_member(), providers.provider_a, assigned=dt.date(2026, 10, 2))
    assign(plan_member(), providers.provider_b, assigned=dt.date(2026, 11, 20))
    assert rtf_missing(hpsj, dt.date(2026, 12, 10)) == []  # due on the 10th: not late yet
    missing = rtf_missing(hpsj, dt.date(2026, 12, 11))
    assert [(m.provider.name, m.period, m.due_on) for m in missing] == [
        ("Alpha Care Partners", "2026-11", dt.date(2026, 12, 10)),
        ("Bravo Health Navigators", "2026-11", dt.date(2026, 12, 10)),
    ]


@pytest.mark.parametrize(
    ("status", "period", "received"),
    [
        (LoadStatus.APPLIED, "2026-11", True),
        (LoadStatus.NOTHING_NEW, "2026-11", True),
        (LoadStatus.DUPLICATE, "2026-11", True),
        (LoadStatus.REJECTED, "2026-11", False),  # not received in a usable form
        (LoadStatus.FAILED, "2026-11", False),
        (LoadStatus.APPLIED, "2026-10", False),  # last month's file is not this month's
        (LoadStatus.APPLIED, "", True),  # states no period, offered since November ended (now)
    ],
)
def test_a_received_rtf_takes_the_provider_off_the_list(
    file_only: Any, status: str, period: str, received: bool
) -> None:
    providers = file_only
    hpsj = Plan.objects.get(code="HPSJ")
    assign(plan_member(), providers.provider_a, assigned=dt.date(2026, 10, 2))
    _load("HPSJ", providers.provider_a, status, period)
    on = dt.date(2026, 12, 11)
    assert [m.provider for m in rtf_missing(hpsj, on)] == ([] if received else [providers.provider_a])


def test_another_plans_load_does_not_count_and_idle_providers_are_not_listed(file_only: Any) -> None:
    providers = file_only
    ecm_contract(providers.provider_a, "HPSM", ["San Mateo"])
    assign(plan_member("HPSM"), providers.provider_a, assigned=dt.date(2026, 11, 2))
    _load("HPSJ", providers.provider_a, LoadStatus.APPLIED, "2026-11")
    hpsm = Plan.objects.get(code="HPSM")
    assert rtf_missing(hpsm, dt.date(2026, 12, 15)) == []  # HPSM's due day is the 15th
    assert [m.provider.name for m in rtf_missing(hpsm, dt.date(2026, 12, 16))] == ["Alpha Care Partners"]
    # Mateo ECM Collaborative contracts with HPSM but had no member in November: nothing to report


def test_a_community_supports_provider_with_requests_is_listed(providers: Any) -> None:
    hpsj = Plan.objects.get(code="HPSJ")
    cs = with_ids(OrganizationFactory(name="Delta CS", kind="cs_provider"), "823456789")
    contract = Contract.objects.create(
        plan=hpsj, organization=cs, program="cs", capacity=1, start_date=dt.date(2022, 1, 1)
    )
    contract.counties.set(County.objects.filter(name="San Joaquin"))
    moment = at(dt.date(2026, 11, 3))
    CsRequestFactory(
        member=plan_member(),
        provider=cs,
        status=CsRequestStatus.IN_SERVICE,
        received_at=moment,
        status_changed_at=moment,
    )
    assert [m.provider.name for m in rtf_missing(hpsj, dt.date(2026, 12, 11))] == ["Delta CS"]


def test_a_provider_whose_staff_work_in_calaim_is_not_expected_to_send_an_rtf(providers: Any) -> None:
    """Alpha has active care managers in calaim: its data reach the plan through calaim's pages. Bravo's only
    account is closed, and a referrer or plan user tied to it does not count: Bravo reports by file and is listed."""
    hpsj = Plan.objects.get(code="HPSJ")
    assign(plan_member(), providers.provider_a, assigned=dt.date(2026, 10, 2))
    assign(plan_member(), providers.provider_b, assigned=dt.date(2026, 10, 2))
    User.objects.filter(organization=providers.provider_b).update(is_active=False)
    UserFactory(role=Role.REFERRER, organization=providers.provider_b)
    on = dt.date(2026, 12, 11)
    assert [m.provider for m in rtf_missing(hpsj, on)] == [providers.provider_b]
    UserFactory(role=Role.PROVIDER_SUPERVISOR, organization=providers.provider_b)  # Bravo's staff start in calaim
    assert rtf_missing(hpsj, on) == []
