"""Making a provider file (exchange-spec §2: MIF, and calaim's own RTF and OTF) for one provider, plan and month.

The command, the web app, the API and the monthly schedule all call `exchange_export_create`: it builds the rows
(`export_rows`), writes the file under CALAIM_DATA_DIR/exchange/exports/<export id>/ (atomically), and records the
`ExchangeExport` with the file's SHA-256 and row count and one audit event, so the same file can be downloaded again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import NotFound, ValidationFailed
from calaim.core.files import file_sha256
from calaim.core.models import AuditEvent
from calaim.exchange.columns import COLUMNS
from calaim.exchange.export_common import Period
from calaim.exchange.export_mif import mif_rows
from calaim.exchange.export_otf import otf_rows
from calaim.exchange.export_rtf import rtf_rows
from calaim.exchange.models import ExchangeExport, FileFormat, FileKind
from calaim.exchange.policies import can_export
from calaim.exchange.writer import ENDINGS, table_write
from calaim.network.models import Contract, Organization, Program
from calaim.plans.models import Plan

EXPORT_KINDS = (FileKind.MIF, FileKind.RTF, FileKind.OTF)
# The programs whose contract lets a provider have each file: the MIF and OTF are ECM's; the RTF is ECM's and CS's.
KIND_PROGRAMS: dict[str, tuple[str, ...]] = {
    FileKind.MIF: (Program.ECM,),
    FileKind.OTF: (Program.ECM,),
    FileKind.RTF: (Program.ECM, Program.CS),
}


def export_rows(
    kind: str, plan: Plan, provider: Organization, period: Period | str, *, produced_on: dt.date | None = None
) -> list[list[str]]:
    """The data rows of the provider's `kind` file for the plan and month, in the contract's column order
    (`calaim.exchange.columns.COLUMNS[kind]`); `produced_on` (default today) is the production date they state."""
    period = period if isinstance(period, Period) else _period(period)
    produced_on = produced_on or plan_today()
    if kind == FileKind.MIF:
        return mif_rows(plan, provider, period, produced_on)
    if kind == FileKind.RTF:
        return rtf_rows(plan, provider, period, produced_on)
    if kind == FileKind.OTF:
        return otf_rows(plan, provider, period)
    raise ValidationFailed(f"Unknown file kind {kind!r}; calaim makes mif, rtf and otf files.", field="kind")


def exchange_export_create(
    *,
    actor: User | None,
    plan: Plan,
    provider: Organization,
    kind: str,
    period: Period | str,
    file_format: str,
    source: str,
    actor_label: str = "",
    produced_on: dt.date | None = None,
) -> ExchangeExport:
    """Make, keep and record the provider's `kind` file for the plan and month in `file_format`.

    Preconditions: the caller may (`can_export`); the provider contracts with the plan for the file's program and
    has an NPI (the files name a provider by it); the month has begun. `actor` None with `actor_label` is the
    command without --as or the schedule."""
    can_export(actor, plan, provider, source).enforce()
    period = period if isinstance(period, Period) else _period(period)
    kind, file_format = _checked(kind, file_format, plan, provider, period)
    export_id = uuid.uuid4()
    file_name = f"{kind.upper()}_{plan.code}_{provider.npi}_{period.label}{ENDINGS[file_format]}"
    path = Path(settings.CALAIM_DATA_DIR) / "exchange" / "exports" / str(export_id) / file_name
    rows = export_rows(kind, plan, provider, period, produced_on=produced_on)
    try:
        count = table_write(path, kind=kind, header=COLUMNS[kind], rows=rows, file_format=file_format)
        digest, size = file_sha256(path)
        with transaction.atomic():
            export = ExchangeExport.objects.create(
                id=export_id,
                kind=kind,
                plan=plan,
                provider=provider,
                period=period.label,
                file_format=file_format,
                file_name=file_name,
                file_sha256=digest,
                file_size=size,
                stored_path=str(path),
                rows=count,
                source=source,
                created_by=actor,
                actor_label=actor.get_username() if actor is not None else (actor_label or "system"),
            )
            _audit(export, actor)
    except BaseException:
        path.unlink(missing_ok=True)  # nothing recorded: no file left behind either
        with contextlib.suppress(OSError):
            path.parent.rmdir()
        raise
    return export


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="period") from None


def _checked(kind: str, file_format: str, plan: Plan, provider: Organization, period: Period) -> tuple[str, str]:
    if kind not in EXPORT_KINDS:
        raise ValidationFailed(f"Unknown file kind {kind!r}; calaim makes mif, rtf and otf files.", field="kind")
    if file_format not in FileFormat.values:
        raise ValidationFailed(
            f"Unknown file format {file_format!r}; expected one of {', '.join(FileFormat.values)}.", field="file_format"
        )
    if period.start > plan_today():
        raise ValidationFailed(
            f"The month {period.label} has not begun: there is nothing to report yet.", field="period"
        )
    contracted = Contract.objects.filter(
        plan=plan, organization=provider, program__in=KIND_PROGRAMS[kind], start_date__lte=period.end
    ).exclude(end_date__lt=period.start)
    if not contracted.exists():
        programs = " or ".join(p.upper() for p in KIND_PROGRAMS[kind])
        raise NotFound(f"{provider.name} has no {programs} contract with {plan.code} in {period.label}.")
    if not provider.npi:
        raise ValidationFailed(f"{provider.name} has no NPI on file; the provider files name a provider by its NPI.")
    return kind, file_format


def _audit(export: ExchangeExport, actor: User | None) -> None:
    """The export's own audit event; made by the command without --as or the schedule, under its label."""
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_label=export.actor_label,
        action="exchange_export.create",
        object_type=ExchangeExport._meta.label_lower,
        object_id=str(export.pk),
        after={
            "kind": export.kind,
            "plan": export.plan.code,
            "provider": str(export.provider_id),
            "period": export.period,
            "file_name": export.file_name,
            "file_format": export.file_format,
            "file_sha256": export.file_sha256,
            "rows": export.rows,
            "source": export.source,
        },
    )
