"""The provider files' monthly rhythm (issue #13 item 4): each contracted ECM provider's MIF made for the month on
the plan's MIF day, and the file-only providers (no staff working in calaim) whose RTF for last month has not
arrived by the plan's RTF due day.

The MIF job runs every hour (`exchange_periodic_jobs`, enqueued by `manage.py calaim_worker`) and makes what is
missing, so a worker that was down on the MIF day catches up at its next run, and a run repeated by a retry or a
second worker makes nothing twice: each plan's run holds the plan's row lock while it checks and makes its files.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django_tasks import task

from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.exchange.export_common import Period, cs_requests_in_period, enrollments_in_period
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import ExchangeExport, ExchangeLoad, FileFormat, FileKind, LoadSource, LoadStatus
from calaim.jobs.schedule import PeriodicJob
from calaim.network.models import Contract, Organization, Program
from calaim.plans.models import Dated, Plan, ProgramSettings

logger = logging.getLogger("calaim.exchange")
SCHEDULED_FORMAT = FileFormat.CSV
MIF_JOB_EVERY = dt.timedelta(hours=1)
# An RTF counts as received when its load ended in one of these (a rejected file was not received in usable form).
RECEIVED = (LoadStatus.APPLIED, LoadStatus.NOTHING_NEW, LoadStatus.DUPLICATE)
SYSTEM_LABEL = "calaim schedule (monthly MIF)"


def settings_in_force(plan: Plan, day: dt.date) -> ProgramSettings | None:
    return ProgramSettings.objects.filter(Dated.in_force_on(day), plan=plan).order_by("-effective_from").first()


def contracted_providers(plan: Plan, period: Period, programs: tuple[str, ...]) -> list[Organization]:
    """Providers with a contract of one of `programs` with the plan in force at some time in the period."""
    contracts = Contract.objects.filter(plan=plan, program__in=programs, start_date__lte=period.end).exclude(
        end_date__lt=period.start
    )
    return list(Organization.objects.filter(pk__in=contracts.values("organization_id")).order_by("name"))


def mif_monthly_run(*, today: dt.date | None = None) -> dict[str, int]:
    """On or after each plan's MIF day, make this month's MIF for every ECM provider the plan contracts with that
    has none made by the schedule yet; a provider without an NPI is skipped (logged), a refusal for one provider
    does not stop the others. Returns counts: made, already made, skipped, failed."""
    today = today or plan_today()
    counts = {"made": 0, "already": 0, "skipped": 0, "failed": 0}
    for plan in Plan.objects.order_by("code"):
        found = settings_in_force(plan, today)
        if found is None or today.day < found.mif_production_day:
            continue
        with transaction.atomic():
            # One run per plan at a time; a no-key lock leaves rows that point at the plan free to be written.
            Plan.objects.select_for_update(no_key=True).filter(pk=plan.pk).first()
            _plan_mifs(plan, Period.of(today), today, counts)
    return counts


def _plan_mifs(plan: Plan, period: Period, today: dt.date, counts: dict[str, int]) -> None:
    made = set(
        ExchangeExport.objects.filter(
            plan=plan, kind=FileKind.MIF, period=period.label, source=LoadSource.SCHEDULE
        ).values_list("provider_id", flat=True)
    )
    for provider in contracted_providers(plan, period, (Program.ECM,)):
        if provider.pk in made:
            counts["already"] += 1
            continue
        if not provider.npi:
            logger.warning("No MIF for %s under %s: the provider has no NPI on file.", provider.name, plan.code)
            counts["skipped"] += 1
            continue
        try:
            exchange_export_create(
                actor=None,
                actor_label=SYSTEM_LABEL,
                plan=plan,
                provider=provider,
                kind=FileKind.MIF,
                period=period,
                file_format=SCHEDULED_FORMAT,
                source=LoadSource.SCHEDULE,
                produced_on=today,
            )
            counts["made"] += 1
        except DomainError as refusal:
            logger.warning("No MIF for %s under %s: %s", provider.name, plan.code, refusal.message)
            counts["failed"] += 1


@task()
def mif_monthly_task() -> dict[str, int]:
    return mif_monthly_run()


def exchange_periodic_jobs() -> list[PeriodicJob]:
    """The exchange's periodic jobs, for the worker's schedule."""
    return [PeriodicJob("exchange_mif_monthly", MIF_JOB_EVERY, mif_monthly_task)]


@dataclass(frozen=True)
class RtfMissing:
    """A provider whose RTF for `period` the plan has not received by `due_on`."""

    provider: Organization
    period: str
    due_on: dt.date


def rtf_missing(plan: Plan, on_date: dt.date) -> list[RtfMissing]:
    """After the plan's RTF due day (`ProgramSettings.rtf_due_day`, for the month before), the file-only ECM and CS
    providers contracted with the plan last month that had members under it then (an ECM enrollment or CS request
    open in the month) and from which no RTF for that month was received: no load of theirs ended applied, nothing
    new or duplicate that states that period, or that states none and was offered since the month ended. Before
    the due day, or on it, nothing is missing yet.

    A provider whose staff work in calaim (at least one active user account with a provider role) already gives the
    plan its data through calaim's pages, so it is not expected to send an RTF and is never listed: only providers
    without active staff users, which report by file alone, are."""
    found = settings_in_force(plan, on_date)
    if found is None or on_date.day <= found.rtf_due_day:
        return []
    period = Period.of(on_date).previous()
    due_on = on_date.replace(day=found.rtf_due_day)
    received = ExchangeLoad.objects.filter(plan=plan, kind=FileKind.RTF, status__in=RECEIVED).filter(
        Q(period=period.label) | Q(period="", created_at__gte=period.ends_before)
    )
    received_from = set(received.values_list("provider_id", flat=True))
    contracted = [p for p in contracted_providers(plan, period, (Program.ECM, Program.CS)) if p.pk not in received_from]
    working_in_calaim = _with_staff_users([p.pk for p in contracted])
    file_only = [p for p in contracted if p.pk not in working_in_calaim]
    serving = _serving(plan, period, [p.pk for p in file_only])
    return [RtfMissing(provider, period.label, due_on) for provider in file_only if provider.pk in serving]


def _with_staff_users(provider_ids: list[object]) -> set[object]:
    """Of these providers, those whose staff work in calaim: one active user account or more with a provider role."""
    staff = User.objects.filter(organization_id__in=provider_ids, role__in=PROVIDER_ROLES, is_active=True)
    return set(staff.values_list("organization_id", flat=True).distinct())


def _serving(plan: Plan, period: Period, provider_ids: list[object]) -> set[object]:
    """Of these providers, those with a member under the plan at some time in the period (an ECM enrollment or a
    CS request): one query, each provider's check stopping at its first member."""
    if not provider_ids:
        return set()
    ecm = enrollments_in_period(plan, None, period).filter(provider_id=OuterRef("pk"))
    cs = cs_requests_in_period(plan, None, period).filter(provider_id=OuterRef("pk"))
    found = Organization.objects.filter(Q(Exists(ecm)) | Q(Exists(cs)), pk__in=provider_ids)
    return set(found.values_list("pk", flat=True))
