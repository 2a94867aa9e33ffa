"""What the provider files' landing pages show and take: the loads with their filters, the upload and export forms
with the plans or providers the caller may name, each provider's (or each plan's) files for a period, and for the
plan the providers whose RTF has not arrived."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import QueryDict

from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.exchange.exports import KIND_PROGRAMS, exchange_export_create
from calaim.exchange.models import ExchangeExport, FileKind, LoadSource
from calaim.exchange.policies import can_export, may_upload
from calaim.exchange.selectors import (
    FileFilters,
    exchange_contract_programs,
    exchange_exports,
    exchange_loads,
    exchange_plan_get,
    exchange_plans_for,
    exchange_provider_get,
    exchange_providers_for,
)
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.web.forms_exchange import PERIOD, ExchangeUploadForm, ExportForm, LoadFilterForm, period_now
from calaim.web.views.exchange_worklist import rtf_missing_context

PAGE_SIZE = 25
RECENT_EXPORTS = 10
# The files each landing page offers for a period: the plan makes each provider's MIF and service lines; a provider
# takes its MIF and makes its own RTF, OTF and service lines for each of its plans, to hand each plan the file it may
# require.
PLAN_KINDS = [FileKind.MIF.value, FileKind.SERVICE_LINES.value]
PROVIDER_KINDS = [FileKind.MIF.value, FileKind.RTF.value, FileKind.OTF.value, FileKind.SERVICE_LINES.value]
# How a button ("Make the ...") and a column heading name each kind.
KIND_LABELS = {FileKind.MIF: "MIF", FileKind.RTF: "RTF", FileKind.OTF: "OTF", FileKind.SERVICE_LINES: "service lines"}
KIND_HEADINGS = {**KIND_LABELS, FileKind.SERVICE_LINES: "Service lines"}


@dataclass(frozen=True)
class FileCell:
    """One kind of file for one provider under one plan: the latest made for the period (None: not made) and
    whether the provider's contracts cover that file's program."""

    kind: str
    label: str
    export: ExchangeExport | None
    contracted: bool


@dataclass
class FilesRow:
    """One provider under one plan, with its file of each kind for the period, and whether the caller may make them."""

    plan: Plan
    provider: Organization
    files: list[FileCell]
    may_make: bool


def _choices(user: User) -> tuple[Plan | None, list[Plan], list[Organization]]:
    """The plan staff's plan and its providers, or the provider's plans (its own organization is the provider)."""
    plans = list(exchange_plans_for(user))
    if user.is_plan_staff:
        plan = plans[0] if plans else None
        return plan, plans, list(exchange_providers_for(user, plan)) if plan is not None else []
    return None, plans, []


def upload_choices(user: User) -> dict[str, Any]:
    """What the upload form lets the caller choose: the provider (plan staff) or the plan (provider staff)."""
    _, plans, providers = _choices(user)
    return {"providers": providers} if user.is_plan_staff else {"plans": plans}


def _kinds(user: User) -> list[str]:
    return PLAN_KINDS if user.is_plan_staff else PROVIDER_KINDS


def export_choices(user: User) -> dict[str, Any]:
    return {"kinds": _kinds(user), **upload_choices(user)}


def upload_target(user: User, data: dict[str, Any]) -> tuple[Plan, Organization]:
    """The plan and provider a form names, each checked against the caller's scope (404 otherwise)."""
    if user.is_plan_staff:
        plan, _, _ = _choices(user)
        if plan is None:
            raise NotFound("You belong to no plan whose providers' files you could see.")
        return plan, exchange_provider_get(user, plan, provider_id=data.get("provider") or None)
    plan = exchange_plan_get(user, data.get("plan") or "")
    return plan, exchange_provider_get(user, plan)


def export_make(user: User, data: dict[str, Any], *, source: str) -> ExchangeExport:
    """Make the file a form asks for, through the export service (which checks who may make it)."""
    plan, provider = upload_target(user, data)
    return exchange_export_create(
        actor=user,
        plan=plan,
        provider=provider,
        kind=data["kind"],
        period=data["period"],
        file_format=data["file_format"],
        source=source,
    )


def _filters(form: LoadFilterForm, plans: list[Plan], providers: list[Organization]) -> FileFilters:
    """The filters of the query string; a value that does not validate filters nothing (the form says why)."""
    if not form.is_bound:
        return FileFilters()
    form.is_valid()
    data = form.cleaned_data
    errors = data.get("with_errors") or ""
    return FileFilters(
        plan=next((p for p in plans if p.code == data.get("plan")), None),
        provider=next((p for p in providers if str(p.pk) == data.get("provider")), None),
        kind=data.get("kind") or "",
        period=data.get("period") or "",
        status=data.get("status") or "",
        with_errors={"yes": True, "no": False}.get(errors),
    )


def files_rows(user: User, plans: list[Plan], providers: list[Organization], period: str) -> list[FilesRow]:
    """Each provider's MIF and service lines for the period (plan staff), or the provider's MIF, RTF, OTF and service
    lines for each plan."""
    kinds = _kinds(user)
    latest: dict[tuple[int, Any, str], ExchangeExport] = {}
    for export in exchange_exports(user, FileFilters(period=period)).filter(kind__in=kinds):
        latest.setdefault((export.plan_id, export.provider_id, export.kind), export)  # the latest first
    if user.is_plan_staff:
        pairs = [(plans[0], provider) for provider in providers] if plans else []
    else:
        assert user.organization is not None  # provider staff
        pairs = [(plan, user.organization) for plan in plans]
    programs = exchange_contract_programs(user)
    return [
        FilesRow(
            plan,
            provider,
            [
                FileCell(
                    kind,
                    KIND_LABELS[FileKind(kind)],
                    latest.get((plan.pk, provider.pk, kind)),
                    bool(programs.get((plan.pk, provider.pk), set()) & set(KIND_PROGRAMS[kind])),
                )
                for kind in kinds
            ],
            bool(can_export(user, plan, provider, LoadSource.WEB)),
        )
        for plan, provider in pairs
    ]


def _period(query: QueryDict) -> str:
    month = query.get("month", "").strip()
    return month if PERIOD.match(month) else period_now()


def landing_context(
    user: User,
    query: QueryDict,
    *,
    upload_form: ExchangeUploadForm | None = None,
    export_form: ExportForm | None = None,
) -> dict[str, Any]:
    """Everything a landing page shows; forms that came back with errors are shown as they are."""
    plan, plans, providers = _choices(user)
    choose: dict[str, Any] = {"providers": providers} if user.is_plan_staff else {"plans": plans}
    filter_form = LoadFilterForm(query if query else None, auto_id="filter-%s", **choose)
    loads = exchange_loads(user, _filters(filter_form, plans, providers))
    period = _period(query)
    files = files_rows(user, plans, providers, period)
    kept = query.copy() if query else QueryDict(mutable=True)
    kept.pop("page", None)
    return {
        "plan": plan,
        "plans": plans,
        "filter_form": filter_form,
        "page": Paginator(loads, PAGE_SIZE).get_page(query.get("page")),
        "may_upload": may_upload(user),
        "upload_form": upload_form or ExchangeUploadForm(auto_id="upload-%s", **choose),
        "export_form": export_form or ExportForm(auto_id="export-%s", **export_choices(user)),
        "period": period,
        "files": files,
        "file_kinds": [KIND_HEADINGS[FileKind(kind)] for kind in _kinds(user)],
        "may_export": any(row.may_make for row in files),
        "recent_exports": list(exchange_exports(user)[:RECENT_EXPORTS]),
        **rtf_missing_context(user),
        "filters": kept.urlencode(),
    }
