"""The demo's provider files, through the real paths: this month's MIF for each contracted ECM provider of each plan
(as the monthly schedule makes it), and one file-only ECM provider per plan (contracted, no staff in calaim) whose
members were assigned through the demo's usual workflows and whose RTF and OTF for last month reach calaim as
files, loaded by the plan's data analyst on the provider's behalf; then one more RTF of it with an error, so the
plan's loads page shows a rejected load with its rejects file.

The RTF carries what a provider working outside calaim reports: closed-loop statuses, an enrollment with its Lead
Care Manager and milestones, a new phone number for member services to check, and encounter counts; the OTF its
outreach attempts. Each lands as the contract says (exchange-spec §2.2, §2.3): the same state a provider working in
calaim's pages would reach.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from random import Random

from django.conf import settings
from django.db import transaction

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.demo.history import _move_back
from calaim.demo.lifecycle import _Driver, _submit
from calaim.demo.network import ADULT_POFS, AREA_CODES, CHILD_POFS, ORGANIZATIONS, SJ, SM, STAN, npi_for
from calaim.ecm.models import Enrollment
from calaim.exchange.columns import OTF_COLUMNS, RTF_COLUMNS
from calaim.exchange.export_common import Period
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import ExchangeExport, ExchangeLoad, FileFormat, FileKind, LoadSource, LoadStatus
from calaim.exchange.schedule import SYSTEM_LABEL, contracted_providers
from calaim.exchange.services import exchange_load_create, exchange_load_run
from calaim.exchange.writer import date_text, table_write
from calaim.members.models import Member
from calaim.network.models import Contract, Organization, OrganizationKind, Program
from calaim.plans.models import County, Plan
from calaim.workflows import ecm_enrollment as ecm
from calaim.workflows.authorization_decision import authorization_decide
from calaim.workflows.eligibility import eligibility_determine

MEMBERS_EACH = 3


@dataclass(frozen=True)
class FileOnlySpec:
    """A provider that reports to the plan by file alone: no user account in calaim."""

    code: str
    name: str
    plan: str
    county: str
    counties: tuple[str, ...]
    lead_care_manager: tuple[str, str]  # name, email's local part


FILE_ONLY: tuple[FileOnlySpec, ...] = (
    FileOnlySpec(
        "SIERRAOUTREACH", "Sierra Outreach Collaborative", "HPSJ", SJ, (SJ, STAN), ("Teresa Alvarez", "talvarez")
    ),
    FileOnlySpec("PACIFICACARE", "Pacifica Care Connections", "HPSM", SM, (SM,), ("Daniel Okoro", "dokoro")),
)


def demo_exchange_create(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """This month's MIFs, and each plan's file-only provider with its RTF and OTF for last month loaded (and one RTF
    rejected); once: nothing is made again when the file-only providers exist."""
    if Organization.objects.filter(code__in=[spec.code for spec in FILE_ONLY]).exists():
        return {}
    rng = Random(seed + 13)
    reached: Counter[str] = Counter()
    last_month = Period.of(as_of).previous()
    for index, spec in enumerate(FILE_ONLY, start=len(ORGANIZATIONS) + 1):
        plan = Plan.objects.get(code=spec.plan)
        provider = _file_only_provider(spec, plan, index)
        enrollments = _members_assigned(plan, provider, rng, last_month)
        reached["file_only_members"] += len(enrollments)
        analyst = User.objects.get(username=f"{plan.code.lower()}.data")
        produced = min(as_of, last_month.end + dt.timedelta(days=3))
        if not enrollments:
            # A small demo may have no member of this plan left to assign: its provider then files nothing this month.
            reached["file_only_providers_without_members"] += 1
            continue
        for load in _provider_files(spec, plan, provider, analyst, enrollments, last_month, produced):
            reached[f"{load.kind}_{load.status}"] += 1
    for plan in Plan.objects.filter(code__in=[spec.plan for spec in FILE_ONLY]).order_by("code"):
        reached["mifs"] += _mifs_of_the_month(plan, as_of)
    return dict(reached)


def _file_only_provider(spec: FileOnlySpec, plan: Plan, index: int) -> Organization:
    """The provider and its ECM contract with the plan, for every Population of Focus in its counties."""
    county = County.objects.get(name=spec.county)
    provider = Organization.objects.create(
        name=spec.name,
        kind=OrganizationKind.ECM_PROVIDER,
        code=spec.code,
        county=county,
        npi=npi_for(index),
        tin=f"94{1_000_000 + index * 3_571:07d}",
        phone=f"+1{AREA_CODES[spec.county]}555{100 + index:04d}",
        email=f"ecm@{spec.code.lower()}.example.org",
    )
    contract = Contract.objects.create(
        plan=plan,
        organization=provider,
        program=Program.ECM,
        pof_codes=list(ADULT_POFS + CHILD_POFS),
        languages=["en", "es"],
        capacity=40,
        start_date=dt.date(2023, 1, 1),
    )
    contract.counties.set(County.objects.filter(name__in=spec.counties))
    return provider


def _candidates(plan: Plan, provider: Organization, period: Period) -> list[Member]:
    """Members of the plan since before the period, in the provider's counties, with no referral yet."""
    counties = Contract.objects.get(plan=plan, organization=provider).counties.all()
    return list(
        Member.objects.filter(
            plan=plan,
            county__in=counties,
            referrals__isnull=True,
            delegated_to__isnull=True,
            dsnp=False,
            programs__isnull=True,
            enrollment_spans__end_date__isnull=True,
            enrollment_spans__start_date__lte=period.start,
        )
        .order_by("cin")
        .distinct()[:60]
    )


def _members_assigned(plan: Plan, provider: Organization, rng: Random, period: Period) -> list[Enrollment]:
    """A few members referred, found eligible, authorized and assigned to the provider as the member's choice, the
    way the demo's lifecycle does it; then their story moved back to the period's third day."""
    driver = _Driver.for_plan(plan, rng)
    if driver is None:
        raise ValidationFailed(f"The demo plan {plan.code} has no intake, UM or member services user.")
    members = _candidates(plan, provider, period)
    rng.shuffle(members)
    assigned_on = period.start + dt.timedelta(days=2)
    enrollments: list[Enrollment] = []
    for member in members:
        if len(enrollments) == MEMBERS_EACH:
            break
        with transaction.atomic():
            referral = _submit(member, driver.intake, rng)
            if eligibility_determine(actor=driver.intake, referral=referral).outcome != "eligible":
                continue
            authorization_decide(
                actor=driver.um,
                authorization=driver.authorization(referral),
                outcome="approve",
                reason="Meets the POF.",
            )
            enrollment = ecm.ecm_provider_assign(actor=driver.ms, referral=referral, provider_id=provider.pk)
            _move_back(referral, (plan_today() - assigned_on).days, rng)
        enrollment.refresh_from_db()
        enrollments.append(enrollment)
    return enrollments


def _day(period: Period, day: int) -> str:
    return date_text(period.start + dt.timedelta(days=day - 1))


def _rtf_rows(
    spec: FileOnlySpec, plan: Plan, provider: Organization, enrollments: list[Enrollment], period: Period, produced: str
) -> list[dict[str, str]]:
    """What the provider reports for the month: the first member enrolled on the 10th (its loop closed, its Lead
    Care Manager, acuity and milestones, its encounters); the second in outreach, with a new phone number; the
    third in outreach."""
    lcm_name, lcm_mail = spec.lead_care_manager
    area = AREA_CODES[spec.county]
    common = {
        "Primary Payer (MCP) Identifier": plan.code,
        "MCP Name": plan.name,
        "Member Information Return Transmission File Production Date": produced,
        "Member Information File Reporting Period": period.label,
        "ECM Provider Name": provider.name,
        "ECM Provider National Provider Identifier (NPI)": provider.npi,
        "ECM Provider Tax ID Number (TIN)": provider.tin,
    }
    rows: list[dict[str, str]] = []
    for n, enrollment in enumerate(enrollments):
        member = enrollment.member
        who = {
            **common,
            "Member Client Index Number (CIN)": member.cin,
            "Member Last Name": member.last_name,
            "Member First Name": member.first_name,
        }
        if n == 0:
            rows.append({
                **who, "Member ECM Status": "Enrolled", "ECM Enrollment Start Date": _day(period, 10),
                "Member Acuity Level": "High", "Date Assessment Started": _day(period, 10),
                "Date of Most Recent Completed Assessment": _day(period, 17),
                "Date of Latest Care Plan Revision": _day(period, 20),
                "Date of Most Recent Care Conference": _day(period, 21),
                "Date of Most Recent Encounter with Member": _day(period, 24),
                "ECM Lead Care Manager Name": lcm_name,
                "ECM Lead Care Manager Name Phone Number": f"({area}) 555-0142",
                "ECM Lead Care Manager Email": f"{lcm_mail}@{spec.code.lower()}.example.org",
                "In Person": "3", "Telephonic/Video": "2",
                "Referral Status": "Outreach Initiated", "Date of Referral Status Update": _day(period, 5),
            })  # fmt: skip
            rows.append({
                **who, "Referral Status": "Referral Loop Closed", "Date of Referral Status Update": _day(period, 10),
                "Reason for Referral Loop Closure": "Services Received",
            })  # fmt: skip
        elif n == 1:
            rows.append({
                **who, "Member ECM Status": "Outreach", "Member New Phone Number Indicator": "Y",
                "Member Phone Number": f"({area}) 555-0187", "In Person": "0", "Telephonic/Video": "2",
                "Referral Status": "Outreach Initiated", "Date of Referral Status Update": _day(period, 8),
            })  # fmt: skip
        else:
            rows.append({
                **who, "Member ECM Status": "Outreach",
                "Referral Status": "Outreach Initiated", "Date of Referral Status Update": _day(period, 14),
            })  # fmt: skip
    return rows


def _otf_rows(
    plan: Plan, provider: Organization, enrollments: list[Enrollment], period: Period
) -> list[dict[str, str]]:
    """The month's outreach attempts: two before the first member enrolled, two unanswered ones to the second, and
    one that reached the third."""
    attempts = [
        (0, 5, "Telephone", "N", "10"),
        (0, 7, "In Person", "Y", "45"),
        (1, 8, "Telephone", "N", "5"),
        (1, 15, "Text Message", "N", "2"),
        (2, 14, "In Person", "Y", "30"),
    ]
    rows = []
    for n, day, method, reached, minutes in attempts:
        if n >= len(enrollments):
            continue
        member = enrollments[n].member
        rows.append({
            "Primary Payer (MCP) Identifier": plan.code, "MCP Name": plan.name, "ECM Provider Name": provider.name,
            "ECM Provider National Provider Identifier (NPI)": provider.npi,
            "ECM Provider Tax ID Number (TIN)": provider.tin, "Client Name": f"{member.first_name} {member.last_name}",
            "Member Client Index Number": member.cin, "Provider Type": "Community Health Worker",
            "Date of Outreach Attempt": _day(period, day), "Outreach Attempt Method": method,
            "Outreach Attempt Successful": reached, "Time Spent Performing Outreach": minutes,
        })  # fmt: skip
    return rows


def _provider_files(
    spec: FileOnlySpec,
    plan: Plan,
    provider: Organization,
    analyst: User,
    enrollments: list[Enrollment],
    period: Period,
    produced: dt.date,
) -> list[ExchangeLoad]:
    """The provider's RTF and OTF for the month, loaded as the plan's analyst on its behalf; then a second RTF that
    closes the third member's loop without a reason, rejected whole with its rejects file."""
    rtf = _rtf_rows(spec, plan, provider, enrollments, period, date_text(produced))
    otf = _otf_rows(plan, provider, enrollments, period)
    base = f"{plan.code}_{provider.npi}_{period.label}"
    loads = [
        _file_load(plan, provider, analyst, FileKind.RTF, f"RTF_{base}.csv", RTF_COLUMNS, rtf),
        _file_load(plan, provider, analyst, FileKind.OTF, f"OTF_{base}.csv", OTF_COLUMNS, otf),
    ]
    if enrollments:
        closed = {
            **rtf[-1],
            "Member ECM Status": "",
            "Referral Status": "Referral Loop Closed",
            "Date of Referral Status Update": _day(period, 28),
            "Reason for Referral Loop Closure": "",  # the error: a closed loop needs its reason
        }
        loads.append(_file_load(plan, provider, analyst, FileKind.RTF, f"RTF_{base}_v2.csv", RTF_COLUMNS, [closed]))
    for load in loads:
        expected = LoadStatus.REJECTED if load.file_name.endswith("_v2.csv") else LoadStatus.APPLIED
        if load.status != expected:
            raise ValidationFailed(f"The demo's {load.file_name} ended {load.status}, not {expected}: {load.message}")
    return loads


def _file_load(
    plan: Plan,
    provider: Organization,
    analyst: User,
    kind: str,
    file_name: str,
    columns: tuple[str, ...],
    rows: list[dict[str, str]],
) -> ExchangeLoad:
    """Write the provider's file and load it through the import, as `manage.py exchange_import --as` would."""
    path = Path(settings.CALAIM_DATA_DIR) / "demo" / "exchange" / file_name
    table_write(path, kind=kind, header=columns, rows=[[row.get(c, "") for c in columns] for row in rows])
    load = exchange_load_create(
        actor=analyst, plan=plan, provider=provider, kind=kind, path=path, file_name=file_name,
        source=LoadSource.COMMAND,
    )  # fmt: skip
    return exchange_load_run(load)


def _mifs_of_the_month(plan: Plan, as_of: dt.date) -> int:
    """This month's MIF for each ECM provider the plan contracts with, as the monthly schedule makes it."""
    period = Period.of(as_of)
    made = 0
    scheduled = ExchangeExport.objects.filter(
        plan=plan, kind=FileKind.MIF, period=period.label, source=LoadSource.SCHEDULE
    )
    already = set(scheduled.values_list("provider_id", flat=True))
    for provider in contracted_providers(plan, period, (Program.ECM,)):
        if not provider.npi or provider.pk in already:
            continue
        exchange_export_create(
            actor=None, actor_label=SYSTEM_LABEL, plan=plan, provider=provider, kind=FileKind.MIF, period=period,
            file_format=FileFormat.CSV, source=LoadSource.SCHEDULE, produced_on=as_of,
        )  # fmt: skip
        made += 1
    return made
