"""Reading and validating a roster file (exchange-spec §1 and its common rules), with no Django.

CONTRACT (the lead's stub; the reader's author replaces this docstring and the body, keeping the names):
`roster_read` reads CSV, TSV, pipe (.txt/.psv), XLSX and Parquet, matches headers loosely, checks every row, and
writes the valid rows normalized to a Parquet file of ROSTER_COLUMNS for the apply step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Normalized columns of the Parquet file `roster_read` writes, in this order, with these Arrow types:
ROSTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row", "int64"),  # the Nth data record of the file, 1-based
    ("cin", "string"),
    ("first_name", "string"),
    ("last_name", "string"),
    ("birth_date", "date32"),
    ("sex", "string"),  # F, M, X, U; U when empty
    ("race_ethnicity", "string"),  # "unknown" when empty
    ("language", "string"),  # lower case ISO 639-1; "en" when empty
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
    raise NotImplementedError


def rejects_write(errors: list[RowError], path: Path, *, file_name: str) -> None:
    """The rejects file: CSV `row, column, value, message`, atomically written."""
    raise NotImplementedError
