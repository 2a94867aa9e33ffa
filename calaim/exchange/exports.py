"""Making a provider file for one provider, plan and month: the MIF, calaim's own RTF and OTF (exchange-spec §2), and
the encounter service lines (calaim.exchange.service_lines).

The commands (`exchange_export`, `encounters_export`), the web app, the API, the monthly schedule and the demo all
call `exchange_export_create`: it builds the header and rows (`export_content`), writes the file under
CALAIM_DATA_DIR/exchange/exports/<export id>/ (atomically), and records the `ExchangeExport` with the file's SHA-256
and row count and one audit event, so the same file can be downloaded again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from calaim.exchange.service_lines import SERVICE_LINE_COLUMNS, service_line_facts, service_line_report
from calaim.exchange.writer import ENDINGS, table_write
from calaim.network.models import Contract, Organization, Program
from calaim.plans.models import Plan

EXPORT_KINDS = (FileKind.MIF, FileKind.RTF, FileKind.OTF, FileKind.SERVICE_LINES)
KINDS_IN_WORDS = "mif, rtf, otf and service_lines"
# The programs whose contract lets a provider have each file: the MIF and OTF are ECM's; the RTF and the service
# lines are ECM's and CS's.
KIND_PROGRAMS: dict[str, tuple[str, ...]] = {
    FileKind.MIF: (Program.ECM,),
    FileKind.OTF: (Program.ECM,),
    FileKind.RTF: (Program.ECM, Program.CS),
    FileKind.SERVICE_LINES: (Program.ECM, Program.CS),
}


@dataclass(frozen=True)
class ExportContent:
    """A file's header and data rows, as text, and what its audit event records beyond them."""

    header: tuple[str, ...]
    rows: list[list[str]]
    facts: dict[str, Any] = field(default_factory=dict)


def export_rows(
    kind: str, plan: Plan, provider: Organization, period: Period | str, *, produced_on: dt.date | None = None
) -> list[list[str]]:
    """The data rows of the provider's `kind` file for the plan and month, in its column order (`export_content`'s
    header); `produced_on` (default today) is the production date they state."""
    period = period if isinstance(period, Period) else _period(period)
    produced_on = produced_on or plan_today()
    if kind == FileKind.MIF:
        return mif_rows(plan, provider, period, produced_on)
    if kind == FileKind.RTF:
        return rtf_rows(plan, provider, period, produced_on)
    if kind == FileKind.OTF:
        return otf_rows(plan, provider, period)
    if kind == FileKind.SERVICE_LINES:
        return [line.row() for line in service_line_report(plan, provider, period).lines]
    raise ValidationFailed(f"Unknown file kind {kind!r}; calaim makes {KINDS_IN_WORDS} files.", field="kind")


def export_content(
    kind: str, plan: Plan, provider: Organization, period: Period, produced_on: dt.date | None = None
) -> ExportContent:
    """The header and rows of the provider's `kind` file; for the service lines, with the lines by program and the
    records left uncoded (by reason) for the audit event."""
    if kind == FileKind.SERVICE_LINES:
        report = service_line_report(plan, provider, period)
        return ExportContent(SERVICE_LINE_COLUMNS, [line.row() for line in report.lines], service_line_facts(report))
    return ExportContent(COLUMNS[kind], export_rows(kind, plan, provider, period, produced_on=produced_on))


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
    """Make, keep and record the provider's `kind` file (mif, rtf, otf, service_lines) for the plan and month in
    `file_format`.

    Preconditions: the caller may (`can_export`); the provider contracts with the plan for the file's program and
    has an NPI (the files name a provider by it); the month has begun. `actor` None with `actor_label` is the
    command without --as or the schedule."""
    can_export(actor, plan, provider, source).enforce()
    period = period if isinstance(period, Period) else _period(period)
    kind, file_format = _checked(kind, file_format, plan, provider, period)
    export_id = uuid.uuid4()
    file_name = f"{kind.upper()}_{plan.code}_{provider.npi}_{period.label}{ENDINGS[file_format]}"
    path = Path(settings.CALAIM_DATA_DIR) / "exchange" / "exports" / str(export_id) / file_name
    content = export_content(kind, plan, provider, period, produced_on)
    try:
        count = table_write(path, kind=kind, header=content.header, rows=content.rows, file_format=file_format)
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
            _audit(export, actor, content.facts)
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
        raise ValidationFailed(f"Unknown file kind {kind!r}; calaim makes {KINDS_IN_WORDS} files.", field="kind")
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


def _audit(export: ExchangeExport, actor: User | None, facts: dict[str, Any]) -> None:
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
            **facts,
        },
    )


def export_facts(export: ExchangeExport) -> dict[str, Any]:
    """What the file's audit event recorded of it (for the service lines: `lines_by_program`, `uncoded`,
    `uncoded_by_reason`), for a command or page to say once the file is made."""
    event = AuditEvent.objects.filter(action="exchange_export.create", object_id=str(export.pk)).first()
    return dict(event.after or {}) if event is not None else {}
