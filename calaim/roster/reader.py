"""Reading and validating a roster file (exchange-spec §1 and its common rules), with no Django.

`roster_read` reads CSV, TSV, pipe (.txt/.psv), XLSX and Parquet, matches headers loosely, checks every row (all
errors, not the first), and writes the valid rows normalized to a Parquet file of ROSTER_COLUMNS for the apply step.
The work is DuckDB's, over the file read once as text (`reader_sources`) and checked in SQL (`reader_checks`);
what needs Python (the vocabulary, phone validity) runs once per distinct value (`reader_values`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from calaim.roster.reader_checks import checks_create, errors_create, first_errors, lookups_create
from calaim.roster.reader_output import valid_write
from calaim.roster.reader_sources import (
    ENDINGS,
    FileProblems,
    Problem,
    Source,
    no_members,
    roster_source,
    source_fallback,
)
from calaim.roster.reader_values import EARLIEST, FOSTER, RACES, TEXT_LIMITS, programs_normalize

# Normalized columns of the Parquet file `roster_read` writes, in this order, with these Arrow types:
ROSTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row", "int64"),  # the Nth data record of the file, 1-based
    ("cin", "string"),
    ("first_name", "string"),
    ("last_name", "string"),
    ("birth_date", "date32"),
    ("sex", "string"),  # F, M, X, U; U when empty
    ("race_ethnicity", "string"),  # "unknown" when empty
    ("language", "string"),  # lower case ISO 639-1 (639-2/3 where it has none, e.g. hmn); "en" when empty
    ("county", "string"),  # the canonical county name from the vocabulary
    ("plan_code", "string"),
    ("enrollment_start", "date32"),
    ("enrollment_end", "date32"),  # null = still enrolled
    ("delegated_to", "string"),  # the canonical delegate code, or null
    ("dsnp", "bool"),  # false when empty
    ("other_programs", "string"),  # ";"-joined codes in the vocabulary's program order, "" when none
    ("homeless_flag", "bool"),
    ("release_date", "date32"),
    ("ccs_enrolled", "bool"),
    ("foster_care", "string"),  # "current", "former" or "" (empty)
    ("phone", "string"),  # E.164, or "" when empty
    ("address_line", "string"),
    ("city", "string"),
    ("zip_code", "string"),  # 12345 or 12345-6789, or ""
    ("pcp_npi", "string"),  # 10 digits or ""
    ("pcp_name", "string"),
    ("bh_provider_npi", "string"),
    ("bh_provider_name", "string"),
)
# Columns a roster must have (identification-spec §1's required member columns).
REQUIRED = ("member_id", "first_name", "last_name", "birth_date", "county", "plan_code", "enrollment_start")


@dataclass(frozen=True)
class RowError:
    """One problem: the Nth data record (1-based; None for the whole file), the column, the value, what was expected."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    # The row's CIN when it could be read: with accept_valid_rows that member is left as it was, never termed.
    cin: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """What the database knows, handed to the reader so it can name unknown values by row and column."""

    plan_code: str  # the plan being loaded (--plan); a row of another plan is an error
    plan_codes: frozenset[str]  # every plan calaim knows (an unknown one gets its own message)
    counties: dict[str, str]  # casefolded county name -> canonical name (the counties the plan serves)
    delegates: dict[str, str]  # casefolded delegate code -> canonical code (organizations with a code)
    programs: tuple[str, ...]  # excluding program codes, in the order of identification-spec §1


@dataclass
class RosterRead:
    file_name: str
    sha256: str
    size: int
    rows_read: int
    normalized_path: Path | None  # the Parquet file of valid rows (ROSTER_COLUMNS), in file order
    present: frozenset[str]  # the optional columns the file has: an absent one leaves that field as it is
    errors: list[RowError] = field(default_factory=list)  # the first `max_errors`, by row then column order
    error_count: int = 0
    rejected_rows: int = 0
    rejected_cins: frozenset[str] = frozenset()
    rejected_by_reason: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str, int, int], None]  # (phase, done, total)

# The file endings a roster may have (an upload form can refuse others before storing the file).
ROSTER_ENDINGS = ENDINGS
# DuckDB's share of memory and cores: with Python and Arrow beside it, a 1M-row roster stays under 1 GB.
DUCKDB_MEMORY = "500MB"
DUCKDB_THREADS = 2


def roster_read(
    path: Path,
    *,
    vocabulary: Vocabulary,
    work_dir: Path,
    today: dt.date,
    file_name: str | None = None,
    progress: Progress | None = None,
    max_errors: int = 10_000,
) -> RosterRead:
    """Read and check every row of a roster file; the valid rows go to `normalized_path` (None if there are none).

    A missing file raises FileNotFoundError; every other problem is reported in the result, never raised.
    """
    name = file_name or path.name
    report = progress or _no_progress
    size = path.stat().st_size
    digest = _Digest(path)
    report("reading", 0, size)
    work_dir.mkdir(parents=True, exist_ok=True)
    spill = work_dir / f".roster-read-{uuid.uuid4().hex}"  # DuckDB's spill files and the reader's scratch
    spill.mkdir()
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY, "threads": DUCKDB_THREADS,
                                 "temp_directory": str(spill), "preserve_insertion_order": True})
    try:
        try:
            source, rows = _row_pass(con, path, today, spill)
        except FileProblems as exc:
            return _file_rejected(name, digest.result(), size, exc.problems)
        report("reading", size, size)
        result = _check(con, source, rows, vocabulary, today, max_errors, report)
        sha256 = digest.result()
        valid = rows - result.rejected_rows
        if valid:
            report("writing", 0, valid)
            target = work_dir / f"roster-{sha256[:32]}.parquet"
            temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
            try:
                valid_write(con, frozenset(source.columns), ROSTER_COLUMNS, temp,
                            lambda done: report("writing", done, valid))
                os.replace(temp, target)
            finally:
                temp.unlink(missing_ok=True)
            result.normalized_path = target
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    result.file_name, result.sha256, result.size = name, sha256, size
    return result


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class _Digest:
    """SHA-256 of the file's bytes, computed in a thread while DuckDB reads it (hashlib lets go of the GIL)."""

    def __init__(self, path: Path) -> None:
        self._hash = hashlib.sha256()
        self._thread = threading.Thread(target=self._run, args=(path,), name="roster-sha256", daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                self._hash.update(chunk)

    def result(self) -> str:
        self._thread.join()
        return self._hash.hexdigest()


def _row_pass(con: duckdb.DuckDBPyConnection, path: Path, today: dt.date, scratch: Path) -> tuple[Source, int]:
    """Open the file and check each row on its own (table `checks`): the source and its number of rows."""
    source = roster_source(con, path, REQUIRED, scratch)
    try:
        rows = checks_create(con, source.sql, source.numbered, frozenset(source.columns), REQUIRED, today)
    except duckdb.Error as exc:  # DuckDB refused the file: read it again the slow way (or say why not)
        source = source_fallback(path, source, exc, scratch)
        rows = checks_create(con, source.sql, source.numbered, frozenset(source.columns), REQUIRED, today)
    rows += len(source.shape_errors)  # rows left out for their number of fields are data rows all the same
    if not rows:
        raise no_members()
    return source, rows


def _check(con: duckdb.DuckDBPyConnection, source: Source, rows: int, vocabulary: Vocabulary, today: dt.date,
           max_errors: int, report: Progress) -> RosterRead:
    """Every error listed (table `errs`) and counted, the first `max_errors` described."""
    present = frozenset(source.columns)
    report("checking", 0, 3)
    lookups_create(con, present, plan_codes=vocabulary.plan_codes, counties=vocabulary.counties,
                   delegates=vocabulary.delegates, programs=vocabulary.programs)
    report("checking", 1, 3)
    errors_create(con, present, vocabulary.plan_code, source.shape_errors)
    report("checking", 2, 3)
    total, rejected = con.execute("SELECT COUNT(*), COUNT(DISTINCT rn) FROM errs").fetchall()[0]
    by_reason: Counter[str] = Counter()
    for column, code, n in con.execute("SELECT col, code, COUNT(*) FROM errs GROUP BY ALL").fetchall():
        by_reason[_kind(code, column)] += int(n)
    cins = frozenset(r[0] for r in con.execute("SELECT DISTINCT cin FROM errs WHERE cin IS NOT NULL").fetchall())
    describe = _Describe(vocabulary, today, source.width)
    errors = [RowError(int(rn), column, value, describe(code, column, info, value), cin)
              for rn, column, code, info, cin, value in first_errors(con, present, max_errors)]
    report("checking", 3, 3)
    result = RosterRead(file_name="", sha256="", size=0, rows_read=rows, normalized_path=None,
                        present=present - set(REQUIRED), errors=errors, error_count=int(total),
                        rejected_rows=int(rejected), rejected_cins=cins,
                        rejected_by_reason=dict(sorted(by_reason.items())))
    return result


def _file_rejected(name: str, sha256: str, size: int, problems: list[Problem]) -> RosterRead:
    """The result for a file that could not be checked row by row: its problems, no rows."""
    errors = [RowError(None, p.column, None, f"{name}: {p.message}") for p in problems]
    return RosterRead(file_name=name, sha256=sha256, size=size, rows_read=0, normalized_path=None,
                      present=frozenset(), errors=errors, error_count=len(errors),
                      rejected_by_reason=dict(Counter(f"file: {p.kind}" for p in problems)))


# Error code -> (the kind's short text after "<column>: ", the message). Several codes may share a kind.
MESSAGES = {
    "required": ("empty", "a value is required"),
    "cin": ("not a Medi-Cal CIN", "expected a Medi-Cal CIN: 8 digits then an upper-case letter, e.g. 91234567A"),
    "cin_lower": ("not a Medi-Cal CIN", "expected a Medi-Cal CIN: 8 digits then an upper-case letter, e.g. "
                                        "91234567A (the letter here is lower case)"),
    "duplicate": ("duplicate CIN", "duplicate CIN: row {info} has the same member_id"),
    "date": ("not a date", "expected a date MM/DD/YYYY or YYYY-MM-DD"),
    "date_early": ("before 1900", f"expected a date on or after {EARLIEST:%m/%d/%Y}"),
    "future": ("after today", "expected a date no later than today, {today:%m/%d/%Y}"),
    "end_before_start": ("before enrollment_start", "the enrollment ends before it starts (enrollment_start)"),
    "sex": ("not F, M, X or U", "expected F, M, X or U"),
    "race_ethnicity": ("not a listed race/ethnicity", "expected one of " + ", ".join(RACES)),
    "language": (
        "not a language code",
        "expected an ISO 639-1 two-letter language code such as en or es (three letters, e.g. hmn, for a language "
        "that has none)",
    ),
    "county": ("not a county of the plan", "unknown county: plan {plan} serves {counties}"),
    "unknown_plan": ("unknown plan", "unknown plan: the plans are {plans}"),
    "other_plan": ("a row of another plan", "a row of plan {value} in a roster loaded for plan {plan}"),
    "delegate": ("unknown delegate", "unknown delegate: expected one of {delegates}, or empty"),
    "flag": ("not Y or N", "expected Y or N (also Yes/No, 1/0, true/false)"),
    "programs": ("unknown program", "unknown program {item}: expected a ;-list of {programs}"),
    "foster_care": ("not current or former", "expected " + " or ".join(FOSTER) + ", or empty"),
    "phone": ("not a valid US phone number", "expected a valid US phone number with its area code, "
                                             "e.g. (209) 555-0100"),
    "zip": ("not a ZIP code", "expected a ZIP code of 5 or 9 digits: 12345, 123456789 or 12345-6789"),
    "npi_digits": ("not a valid NPI", "expected an NPI of 10 digits"),
    "npi_check": ("not a valid NPI", "expected a valid NPI: its last digit is not the check digit of the first nine"),
    "control": ("control character", "expected text without control characters (tabs, line breaks)"),
    "too_long": ("too long", "expected at most {limit} characters (this value has {length})"),
    "shape": ("wrong number of fields", "the row has {info} fields where the header has {width}"),
}


def _kind(code: str, column: str | None) -> str:
    """The stable short text errors are counted by, e.g. "member_id: not a Medi-Cal CIN"."""
    return f"{column or 'row'}: {MESSAGES[code][0]}"


class _Describe:
    """The message of one error: what was expected, with the vocabulary's values where they help."""

    def __init__(self, vocabulary: Vocabulary, today: dt.date, width: int) -> None:
        self.vocabulary, self.today, self.width = vocabulary, today, width

    def __call__(self, code: str, column: str | None, info: int | None, value: str | None) -> str:
        voc = self.vocabulary
        text = (value or "").strip()
        fields = {
            "info": info, "today": self.today, "width": self.width, "plan": voc.plan_code, "value": text,
            "counties": ", ".join(sorted(set(voc.counties.values()))) or "no county",
            "plans": ", ".join(sorted(voc.plan_codes)), "programs": ", ".join(voc.programs),
            "delegates": ", ".join(sorted(set(voc.delegates.values()))) or "none known",
            "limit": TEXT_LIMITS.get(column or ""), "length": len(text),
            "item": programs_normalize(text, voc.programs)[1] if code == "programs" else None,
        }
        message = MESSAGES[code][1].format(**fields)
        if code == "future" and column == "birth_date":
            message = "a birth date cannot be after today, " + f"{self.today:%m/%d/%Y}"
        return message


def rejects_write(errors: list[RowError], path: Path, *, file_name: str) -> None:
    """The rejects file: CSV `row, column, value, message` (RFC 4180, UTF-8), written to a temporary name and
    renamed. A whole-file error (no row) names the file in its message."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["row", "column", "value", "message"])
            for e in errors:
                message = e.message
                if e.row is None and file_name not in message:
                    message = f"{file_name}: {message}"
                out.writerow(["" if e.row is None else e.row, e.column or "", "" if e.value is None else e.value,
                              message])
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
