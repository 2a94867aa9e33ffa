"""Running one load: read the file, check every row (`import_rtf` / `import_otf`), then apply the valid rows in
one transaction, or none when any row is wrong and the load does not accept valid rows. Every outcome is saved on
the load's row with its counts, first errors and rejects file, and audited."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calaim.core.audit import audit_record
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError, ValidationFailed
from calaim.core.files import file_sha256
from calaim.exchange.import_common import Errors
from calaim.exchange.import_otf import otf_apply, otf_check
from calaim.exchange.import_rtf import rtf_check
from calaim.exchange.import_rtf_apply import rtf_apply
from calaim.exchange.imports_progress import LoadProgress
from calaim.exchange.models import ExchangeLoad, FileFormat, LoadStatus
from calaim.exchange.reader import DEFAULT_MAX_BYTES, ENDINGS, FileRefused, RowError, npis_named, table_read
from calaim.network.models import Organization

logger = logging.getLogger("calaim.exchange")
Progress = Callable[[str, int, int], None]  # (phase, done, total)
MAX_ERRORS_KEPT = 200
FORMATS = {
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.TSV,
    ".txt": FileFormat.PSV,
    ".psv": FileFormat.PSV,
    ".xlsx": FileFormat.XLSX,
}
FINISHED_OK = (LoadStatus.APPLIED, LoadStatus.NOTHING_NEW)


class Checked(Protocol):
    rows_read: int
    errors: Errors
    period: str
    produced_on: Any


def max_bytes() -> int:
    """The largest provider file read (settings.CALAIM_EXCHANGE_MAX_MB, 50 MB by default)."""
    megabytes = getattr(settings, "CALAIM_EXCHANGE_MAX_MB", None)
    return int(megabytes) * 1024 * 1024 if megabytes else DEFAULT_MAX_BYTES


def file_format_of(file_name: str) -> str:
    ending = Path(file_name).suffix.lower()
    if ending not in FORMATS:
        raise ValidationFailed(f"{file_name}: a provider file must be one of {', '.join(ENDINGS)}.", field="file")
    return FORMATS[ending]


def provider_named_in_file(path: Path, file_name: str, kind: str) -> Organization:
    """The one provider the file's NPI column names; refused when it names none, several, or one unknown."""
    try:
        npis = npis_named(path, kind=kind, file_name=file_name, max_bytes=max_bytes())
    except FileRefused as refused:
        raise ValidationFailed(refused.problems[0].line(file_name), field="file") from None
    if len(npis) != 1:
        named = ", ".join(sorted(npis)) or "none"
        raise ValidationFailed(
            f"{file_name}: name the provider (--provider NPI): the file's ECM Provider NPI column names {named}.",
            field="provider",
        )
    npi = npis.pop()
    found = list(Organization.objects.filter(npi=npi)[:2])
    if len(found) != 1:
        raise ValidationFailed(
            f"{file_name}: no single provider has the NPI {npi}; name the provider.", field="provider"
        )
    return found[0]


def load_audit(
    load: ExchangeLoad, action: str, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
) -> None:
    audit_record(actor=load.created_by, action=action, obj=load, before=before, after=after, reason=load.file_name)


def applied_before(load: ExchangeLoad) -> ExchangeLoad | None:
    """The earlier load that applied the same bytes for the same plan, provider and kind, if any. A file of a header
    and no rows is no one's duplicate: the same header serves every month a provider has nobody, and the load says
    it has no rows instead."""
    earlier = (
        ExchangeLoad.objects.filter(
            plan_id=load.plan_id,
            provider_id=load.provider_id,
            kind=load.kind,
            file_sha256=load.file_sha256,
            status__in=FINISHED_OK,
        )
        .exclude(pk=load.pk)
        .order_by("finished_at", "created_at")
        .first()
    )
    if earlier is None or (earlier.status == LoadStatus.NOTHING_NEW and not (earlier.counts or {}).get("rows_read")):
        return None
    return earlier


def duplicate_mark(load: ExchangeLoad, earlier: ExchangeLoad) -> None:
    """The load repeats bytes already applied: nothing to do, and the message says when and by whom."""
    when = timezone.localtime(earlier.finished_at or earlier.created_at)
    load.status = LoadStatus.DUPLICATE
    load.duplicate_of = earlier
    load.message = (
        f"The same file ({earlier.file_name}) was loaded on {when:%m/%d/%Y at %H:%M} by "
        f"{earlier.actor_label}; nothing was changed."
    )
    load.finished_at = timezone.now()
    load.phase = LoadStatus.DUPLICATE.label
    load.counts = {
        "rows_read": 0,
        "applied": 0,
        "unchanged": 0,
        "rejected": 0,
        "rejected_by_reason": {},
        "elapsed_seconds": 0.0,
    }
    load.save()
    load_audit(load, "exchange_load.duplicate", after={"status": load.status, "duplicate_of": earlier.pk})


def load_execute(load: ExchangeLoad, progress: Progress | None) -> ExchangeLoad:
    """Read, check and apply a running load; every outcome is saved on its row (see the module docstring)."""
    checks: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
        "rtf": (rtf_check, rtf_apply),
        "otf": (otf_check, otf_apply),
    }
    check, apply = checks[load.kind]
    tracker = LoadProgress(load.pk, progress)
    try:
        path = Path(load.stored_path)
        if not path.is_file() or file_sha256(path)[0] != load.file_sha256:
            return _finish(load, LoadStatus.FAILED, "The file is gone or changed after it was offered; offer it again.")
        tracker("reading", 0, 1)
        try:
            table = table_read(path, kind=load.kind, file_name=load.file_name, max_bytes=max_bytes())
        except FileRefused as refused:
            errors = Errors()
            errors.extend(refused.problems)
            return _rejected(load, 0, errors)
        if not table.rows and not table.errors:
            return _no_rows(load)
        with transaction.atomic():
            # One load of a provider's files at a time: the check reads what is on record and the apply writes
            # what is new, so a second load waits until the first has committed.
            Organization.objects.select_for_update().filter(pk=load.provider_id).first()
            tracker.in_write = True
            checked: Checked = check(load, table, plan_today(), tracker)
            load.period, load.produced_on = checked.period or "", checked.produced_on
            valid = checked.rows_read - len(checked.errors.rows)
            whole_file = any(e.row is None for e in checked.errors.items)
            if (checked.errors.items and not load.accept_valid_rows) or valid <= 0 or whole_file:
                return _rejected(load, checked.rows_read, checked.errors)
            counts = apply(load, checked, tracker)
            counts["rows_read"] = checked.rows_read
            counts["rejected"] = len(checked.errors.rows)
            counts["rejected_by_reason"] = checked.errors.by_reason()
            _record_errors(load, checked.errors)
            status = LoadStatus.APPLIED if counts.get("applied") else LoadStatus.NOTHING_NEW
            return _finish(load, status, _applied_message(load, counts), counts)
    except DomainError as refusal:
        load.counts, load.errors, load.error_count = {}, [], 0
        return _finish(load, LoadStatus.FAILED, refusal.message)
    except Exception as exc:
        load.counts, load.errors, load.error_count = {}, [], 0
        # The reason goes on the load's row, which only the plan's and provider's staff see.
        logger.exception("Exchange load %s failed", load.pk)
        return _finish(load, LoadStatus.FAILED, f"{type(exc).__name__}: {exc}")
    finally:
        tracker.close()


def _no_rows(load: ExchangeLoad) -> ExchangeLoad:
    """A header and no data rows: nothing to apply, as for a file whose every row is on record. It is what calaim's
    own export gives for a provider with nobody in the period, so the round trip holds for every provider and month."""
    counts = {"rows_read": 0, "applied": 0, "unchanged": 0, "rejected": 0, "rejected_by_reason": {}}
    message = f"Nothing new: {load.file_name} has a header row and no data rows, so there was nothing to apply."
    return _finish(load, LoadStatus.NOTHING_NEW, message, counts)


def _applied_message(load: ExchangeLoad, counts: dict[str, Any]) -> str:
    if not counts.get("applied"):
        return "Nothing new: every row was already on record."
    rejected = f"; {counts['rejected']:,} rejected (see the rejects file)" if counts.get("rejected") else ""
    return f"{counts['applied']:,} rows applied, {counts.get('unchanged', 0):,} already on record{rejected}."


def _rejected(load: ExchangeLoad, rows_read: int, errors: Errors) -> ExchangeLoad:
    counts = {
        "rows_read": rows_read,
        "applied": 0,
        "unchanged": 0,
        "rejected": len(errors.rows) or rows_read,
        "rejected_by_reason": errors.by_reason(),
    }
    _record_errors(load, errors)
    first = errors.sorted()[0].line(load.file_name) if errors.items else ""
    rows = f" in {len(errors.rows):,} of {rows_read:,} rows" if errors.rows else ""
    message = f"{load.file_name}: {len(errors.items):,} errors{rows}; nothing was applied. First: {first}"
    return _finish(load, LoadStatus.REJECTED, message, counts)


def _record_errors(load: ExchangeLoad, errors: Errors) -> None:
    ordered = errors.sorted()
    load.errors = [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in ordered[:MAX_ERRORS_KEPT]
    ]
    load.error_count = len(ordered)
    if ordered:
        target = Path(load.rejects_path) if load.rejects_path else _work_dir(load) / "rejects.csv"
        rejects_write(ordered, target)
        load.rejects_path = str(target)


def _work_dir(load: ExchangeLoad) -> Path:
    folder = Path(settings.CALAIM_DATA_DIR) / "exchange" / str(load.pk)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def rejects_write(errors: list[RowError], target: Path) -> None:
    """The rejects file: one line per error, `row, column, value, message` (row empty for the whole file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "value", "message"])
        for error in errors:
            writer.writerow(
                ["" if error.row is None else error.row, error.column or "", error.value or "", error.message]
            )
    target.chmod(0o600)


def _finish(
    load: ExchangeLoad,
    status: LoadStatus,
    message: str,
    counts: dict[str, Any] | None = None,
) -> ExchangeLoad:
    before = load.status
    load.status = status
    load.message = message
    load.counts = {**load.counts, **(counts or {})}
    load.finished_at = timezone.now()
    started = load.started_at or load.created_at
    load.counts["elapsed_seconds"] = round((load.finished_at - started).total_seconds(), 2)
    load.phase = status.label[:80]
    rows = int(load.counts.get("rows_read", 0))
    load.progress_done = load.progress_total = max(rows, load.progress_total)
    load.save()
    load_audit(
        load,
        f"exchange_load.{status}",
        before={"status": before},
        after={"status": status, "message": message, "counts": load.counts},
    )
    return load
