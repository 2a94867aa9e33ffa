"""The one way to read provider files: the loads and exports a caller may see, the plans and providers they may
name, the provider-reported rows a member record shows, and the contact updates waiting on member services.

The plan's staff (calaim.exchange.policies.PLAN_VIEWING_ROLES: every plan role, since each works with what the
providers report) see every load and export of their plan, for every provider; which of them upload and make files
is calaim.exchange.policies' answer. Provider staff (ECM and Community Supports providers' care managers and
supervisors) see their own organization's loads and exports, for each plan it contracts with (a file exists only for
a contracted plan). Anyone else sees none: a list answers 403 to a role without access, and one load or export
outside the caller's scope does not exist (404). What a page shows of members (the CINs of rejected rows, the rows
of a downloaded file) is loaded as Member rows, so the PHI read log records it.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Exists, OuterRef, Q, QuerySet
from openpyxl import load_workbook

from calaim.access.scopes import is_active, member_scope, plan_of
from calaim.accounts.models import User
from calaim.core.errors import Forbidden, NotFound
from calaim.exchange.columns import header_key
from calaim.exchange.models import (
    ContactUpdate,
    ContactUpdateStatus,
    EncounterCount,
    ExchangeExport,
    ExchangeLoad,
    FileFormat,
    LoadStatus,
    ProviderReport,
)
from calaim.exchange.policies import CONTACT_UPDATE_ROLES, PLAN_VIEWING_ROLES, PROVIDER_FILE_ROLES
from calaim.members.models import Member
from calaim.network.models import Contract, Organization
from calaim.plans.models import Plan

# The member record shows the latest report of each enrollment and this many months of encounter counts.
ENCOUNTER_MONTHS_SHOWN = 12
# The column naming the member in each kind of file (MIF and RTF, OTF, service lines), as header_key reads it.
_CIN_COLUMNS = frozenset(
    header_key(name) for name in ("Member Client Index Number (CIN)", "Member Client Index Number", "Member CIN")
)
_DELIMITERS: dict[str, str] = {FileFormat.CSV: ",", FileFormat.TSV: "\t", FileFormat.PSV: "|"}
# The most rejected rows a report shows; the rejects file has them all.
ERRORS_SHOWN = 200
# The most members a page names at once (the first errors a load keeps, with room to spare).
_MAX_LOOKUP = 2000


@dataclass(frozen=True)
class FileFilters:
    """Which loads or exports to list; empty values filter nothing."""

    plan: Plan | None = None
    provider: Organization | None = None
    kind: str = ""
    period: str = ""
    status: str = ""
    with_errors: bool | None = None


@dataclass(frozen=True)
class LoadProgress:
    """Where a load is: its phase in words and rows done of rows in all (as the import writes them on its row)."""

    phase: str
    done: int
    total: int

    @property
    def percent(self) -> int | None:
        return min(100, int(self.done * 100 / self.total)) if self.total > 0 else None


def load_progress(load: ExchangeLoad) -> LoadProgress:
    if not load.phase:
        return LoadProgress("Waiting for the worker" if load.status == LoadStatus.UPLOADED else "Starting", 0, 0)
    return LoadProgress(load.phase, load.progress_done, load.progress_total)


def _plan_staff(user: User | None) -> int | None:
    """The plan of a plan staff member who sees provider files, else None."""
    plan_id = plan_of(user)
    return plan_id if plan_id is not None and user is not None and user.role in PLAN_VIEWING_ROLES else None


def _provider_staff(user: User | None) -> uuid.UUID | None:
    """The organization of a provider staff member, else None."""
    if not is_active(user) or not user.is_provider_staff or user.role not in PROVIDER_FILE_ROLES:
        return None
    return user.organization_id


def exchange_access_check(user: User) -> None:
    """Refuse (403) a caller whose role sees no provider files; plan staff must belong to a plan."""
    if _plan_staff(user) is None and _provider_staff(user) is None:
        raise Forbidden(f"Your role ({user.get_role_display() or 'none'}) may not see the providers' files.")


def exchange_load_scope(user: User | None) -> QuerySet[ExchangeLoad]:
    """Plan staff: their plan's loads; provider staff: their organization's loads (each under a plan it contracts
    with, as the import requires); anyone else: none. The same rule as policies.can_view_exchange_load."""
    if (plan_id := _plan_staff(user)) is not None:
        return ExchangeLoad.objects.filter(plan_id=plan_id)
    if (organization_id := _provider_staff(user)) is not None:
        return ExchangeLoad.objects.filter(provider_id=organization_id)
    return ExchangeLoad.objects.none()


def _filtered(rows: QuerySet, filters: FileFilters) -> QuerySet:
    if filters.plan is not None:
        rows = rows.filter(plan=filters.plan)
    if filters.provider is not None:
        rows = rows.filter(provider=filters.provider)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.period:
        rows = rows.filter(period=filters.period)
    return rows


def exchange_loads(user: User, filters: FileFilters | None = None) -> QuerySet[ExchangeLoad]:
    """The loads in the caller's scope matching `filters`, the latest first; a role without access is refused."""
    exchange_access_check(user)
    filters = filters or FileFilters()
    loads = _filtered(exchange_load_scope(user), filters)
    if filters.status:
        loads = loads.filter(status=filters.status)
    if filters.with_errors is True:
        loads = loads.filter(error_count__gt=0)
    elif filters.with_errors is False:
        loads = loads.filter(error_count=0)
    return loads.select_related("plan", "provider", "created_by").order_by("-created_at", "-id")


def exchange_load_get(user: User | None, load_id: uuid.UUID | str) -> ExchangeLoad:
    """One load in the caller's scope, with its plan, provider and the earlier load it repeats; 404 otherwise."""
    try:
        return (
            exchange_load_scope(user)
            .select_related("plan", "provider", "created_by", "duplicate_of", "duplicate_of__provider")
            .get(pk=load_id)
        )
    except (ExchangeLoad.DoesNotExist, ValueError):
        raise NotFound("No provider file load with this id in your scope.") from None


def exchange_export_scope(user: User | None) -> QuerySet[ExchangeExport]:
    """The same scope as the loads': the plan's exports for its staff, the organization's for provider staff."""
    if (plan_id := _plan_staff(user)) is not None:
        return ExchangeExport.objects.filter(plan_id=plan_id)
    if (organization_id := _provider_staff(user)) is not None:
        return ExchangeExport.objects.filter(provider_id=organization_id)
    return ExchangeExport.objects.none()


def exchange_exports(user: User, filters: FileFilters | None = None) -> QuerySet[ExchangeExport]:
    """The files calaim made in the caller's scope matching `filters`, the latest first."""
    exchange_access_check(user)
    exports = _filtered(exchange_export_scope(user), filters or FileFilters())
    return exports.select_related("plan", "provider", "created_by").order_by("-created_at", "-id")


def exchange_export_get(user: User | None, export_id: uuid.UUID | str) -> ExchangeExport:
    """One made file in the caller's scope; 404 otherwise."""
    try:
        return exchange_export_scope(user).select_related("plan", "provider", "created_by").get(pk=export_id)
    except (ExchangeExport.DoesNotExist, ValueError):
        raise NotFound("No provider file with this id in your scope.") from None


def exchange_plans_for(user: User | None) -> QuerySet[Plan]:
    """The plans whose files the caller works with: their own plan, or every plan their organization contracts
    with."""
    if (plan_id := _plan_staff(user)) is not None:
        return Plan.objects.filter(pk=plan_id)
    if (organization_id := _provider_staff(user)) is not None:
        contracts = Contract.objects.filter(plan_id=OuterRef("pk"), organization_id=organization_id)
        return Plan.objects.filter(Exists(contracts)).order_by("code")
    return Plan.objects.none()


def exchange_plan_get(user: User | None, code: str) -> Plan:
    """A plan the caller works with, by its code (any case); 404 otherwise."""
    plan = exchange_plans_for(user).filter(code__iexact=code.strip()).first() if code.strip() else None
    if plan is None:
        raise NotFound(f"No plan {code.strip()[:20]!r} among the plans whose files you work with.", field="plan")
    return plan


def exchange_providers_for(user: User | None, plan: Plan) -> QuerySet[Organization]:
    """The providers whose files the caller works with under `plan`: every organization contracted with it for
    plan staff, their own organization (when contracted) for provider staff."""
    contracts = Contract.objects.filter(plan_id=plan.pk, organization_id=OuterRef("pk"))
    providers = Organization.objects.filter(Exists(contracts))
    if _plan_staff(user) == plan.pk:
        return providers.order_by("name")
    if (organization_id := _provider_staff(user)) is not None:
        return providers.filter(pk=organization_id)
    return Organization.objects.none()


def exchange_contract_programs(user: User | None) -> dict[tuple[int, uuid.UUID], set[str]]:
    """The programs (ecm, cs) of each (plan, provider) contract the caller works with, any dates: a file is made
    only for a provider contracted for its program."""
    if (plan_id := _plan_staff(user)) is not None:
        contracts = Contract.objects.filter(plan_id=plan_id)
    elif (organization_id := _provider_staff(user)) is not None:
        contracts = Contract.objects.filter(organization_id=organization_id)
    else:
        return {}
    programs: dict[tuple[int, uuid.UUID], set[str]] = {}
    for contract in contracts.only("plan_id", "organization_id", "program"):
        programs.setdefault((contract.plan_id, contract.organization_id), set()).add(contract.program)
    return programs


def exchange_provider_get(
    user: User | None, plan: Plan, *, npi: str = "", provider_id: uuid.UUID | str | None = None
) -> Organization:
    """A provider the caller works with under `plan`, by NPI or id; provider staff naming neither get their own
    organization. 404 otherwise."""
    providers = exchange_providers_for(user, plan)
    if npi.strip():
        found = providers.filter(npi=npi.strip()).first()
    elif provider_id:
        try:
            found = providers.filter(pk=provider_id).first()
        except (ValueError, TypeError):
            found = None
    else:
        found = providers.first() if _provider_staff(user) is not None else None
    if found is None:
        what = f"NPI {npi.strip()[:10]}" if npi.strip() else "that provider"
        raise NotFound(
            f"No provider with {what} contracted with {plan.code} among those you work with.", field="provider"
        )
    return found


def error_cin(error: object) -> str:
    """The CIN a load's kept error names ("" for none): its `cin`, or the value of its CIN column."""
    if not isinstance(error, dict):
        return ""
    cin = error.get("cin")
    if not cin and header_key(str(error.get("column") or "")) in _CIN_COLUMNS:
        cin = error.get("value")
    return cin.strip().upper() if isinstance(cin, str) else ""


def _cins_named(errors: Iterable[object]) -> list[str]:
    return list(dict.fromkeys(cin for cin in map(error_cin, errors) if cin))[:_MAX_LOOKUP]


def exchange_load_members(user: User, load: ExchangeLoad) -> dict[str, Member]:
    """The members of the load's plan, in the caller's scope, that its rejected rows name, by CIN. A page or a
    rejects file naming them shows their data: they are loaded as Member rows, so the PHI read log records them."""
    wanted = _cins_named(load.errors or [])
    if not wanted:
        return {}
    members = member_scope(user).filter(plan_id=load.plan_id, cin__in=wanted).only("id", "plan_id", "cin")
    return {member.cin: member for member in members}


def _export_rows(export: ExchangeExport, path: Path) -> Iterator[Sequence[object]]:
    """The rows of a file calaim made, header first, in the format it was made in."""
    if export.file_format == FileFormat.XLSX:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            names = workbook.sheetnames
            sheet = workbook[export.kind.upper()] if export.kind.upper() in names else workbook.worksheets[0]
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()
        return
    with path.open(newline="", encoding="utf-8-sig") as text:
        yield from csv.reader(text, delimiter=_DELIMITERS.get(export.file_format, ","))


def exchange_export_members(export: ExchangeExport, path: Path) -> int:
    """Note as read the members of the export's plan that its file names (whoever may download the file sees
    them all): they are loaded as Member rows in chunks, so the PHI read log records them; returns how many."""
    rows = _export_rows(export, path)
    header = [header_key(str(name or "")) for name in next(rows, [])]
    column = next((i for i, name in enumerate(header) if name in _CIN_COLUMNS), None)
    if column is None:
        return 0
    cins = [str(row[column]).strip().upper() for row in rows if len(row) > column and row[column]]
    wanted, found = list(dict.fromkeys(cins)), 0
    for start in range(0, len(wanted), _MAX_LOOKUP):
        chunk = wanted[start : start + _MAX_LOOKUP]
        found += len(list(Member.objects.filter(plan_id=export.plan_id, cin__in=chunk).only("id", "plan_id")))
    return found


def exchange_member_condition(user: User | None) -> Q:
    """Keep provider-reported rows (reports, encounter counts) the caller may see: the plan's for its staff, the
    organization's own for provider staff."""
    if (plan_id := plan_of(user)) is not None:
        return Q(member__plan_id=plan_id)
    if is_active(user) and user.is_provider_staff:
        return Q(provider_id=user.organization_id)
    return Q(pk__in=[])


def provider_reports_of(user: User | None, member: Member) -> list[ProviderReport]:
    """The latest provider report of each of the member's enrollments the caller may see, the latest first."""
    reports = (
        ProviderReport.objects.filter(exchange_member_condition(user), member=member)
        .select_related("provider", "load", "enrollment")
        .order_by("-reported_on", "-created_at")[:50]
    )
    latest: dict[uuid.UUID, ProviderReport] = {}
    for report in reports:
        latest.setdefault(report.enrollment_id, report)
    return list(latest.values())


def encounter_counts_of(user: User | None, member: Member) -> list[EncounterCount]:
    """The encounters providers reported for the member by period, the latest first, as far as the caller sees."""
    counts = EncounterCount.objects.filter(exchange_member_condition(user), member=member)
    return list(
        counts.select_related("provider", "plan").order_by("-period", "provider__name")[:ENCOUNTER_MONTHS_SHOWN]
    )


def contact_update_scope(user: User | None) -> QuerySet[ContactUpdate]:
    """Member services: the contact updates reported for their plan's members; anyone else: none."""
    plan_id = plan_of(user)
    if plan_id is None or user is None or user.role not in CONTACT_UPDATE_ROLES:
        return ContactUpdate.objects.none()
    return ContactUpdate.objects.filter(plan_id=plan_id, member__plan_id=plan_id)


def contact_updates_pending(user: User | None) -> QuerySet[ContactUpdate]:
    """The contact updates waiting on member services, the oldest report first (the worklist's order)."""
    pending = contact_update_scope(user).filter(status=ContactUpdateStatus.PENDING)
    return pending.select_related("member", "provider", "load").order_by("reported_on", "created_at", "id")


def contact_update_get(user: User | None, update_id: uuid.UUID | str) -> ContactUpdate:
    """One contact update in the caller's scope, with its member and provider; 404 otherwise."""
    try:
        return contact_update_scope(user).select_related("member", "provider", "load").get(pk=update_id)
    except (ContactUpdate.DoesNotExist, ValueError):
        raise NotFound("No contact update with this id in your scope.") from None
