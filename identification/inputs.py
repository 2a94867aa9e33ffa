"""Input files: their columns, the values each column allows, and how DuckDB reads them as text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from identification.errors import InputError

CIN = "[0-9]{8}[A-Z]"
DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
PROGRAMS = ("HOSPICE", "PACE", "CCM", "CCT", "MSSP", "HCBA", "ALW", "HCBS_DD", "SDP", "MCWP")
RACES = ("black", "aian", "pacific_islander", "asian", "white", "hispanic", "other", "unknown")
SEXES = ("F", "M", "X", "U")
FOSTER = ("current", "former")
CLAIM_TYPES = ("institutional", "professional", "pharmacy")


def list_of(item: str) -> str:
    """Regex of a `;`-list whose items, once trimmed, are empty or match `item`."""
    one = f"[ \t]*({item})?[ \t]*"
    return f"{one}(;{one})*"


def one_of(values: tuple[str, ...]) -> str:
    return "(" + "|".join(values) + ")"


@dataclass(frozen=True)
class Column:
    """One input column: whether it is required and the pattern (full match) a non-empty value must fit."""

    name: str
    required: bool = False
    pattern: str | None = None
    expected: str = ""
    kind: str = "text"  # "date" and "bool" get extra checks; "key" must be unique
    # An exact enumeration equal to `pattern` (whose full matches are exactly these values): checked
    # with an IN list, far cheaper than the regular expression on millions of rows.
    values: tuple[str, ...] = ()
    # Few distinct values (codes, dates, a member's CIN on claims): validation checks each distinct value
    # once instead of every record (see validate.py); a column with many values is checked record by record.
    distinct: bool = False
    # A GLOB pattern that only values fitting `pattern` match (no padding): a cheap first test per record,
    # so the regular expression runs only on the values it does not settle.
    glob: str | None = None


MEMBER_SPEC = (
    Column("member_id", True, CIN, "a Medi-Cal CIN: 8 digits then an upper-case letter", "key",
           glob="[0-9]" * 8 + "[A-Z]"),
    Column("first_name", True),
    Column("last_name", True),
    Column("birth_date", True, DATE, "a date YYYY-MM-DD", "date", distinct=True),
    Column("sex", False, one_of(SEXES), "one of F, M, X, U", values=SEXES, distinct=True),
    Column("race_ethnicity", False, one_of(RACES), "one of " + ", ".join(RACES), values=RACES, distinct=True),
    Column("language", False, "[A-Za-z]{2}", "an ISO 639-1 two-letter code such as en or es", distinct=True),
    Column("county", True, distinct=True),
    Column("plan_code", True, distinct=True),
    Column("enrollment_start", True, DATE, "a date YYYY-MM-DD", "date", distinct=True),
    Column("enrollment_end", False, DATE, "a date YYYY-MM-DD", "date", distinct=True),
    Column("delegated_to", False, distinct=True),
    Column("dsnp", False, "(?i)(true|false)", "true or false", "bool", distinct=True),
    Column("other_programs", False, list_of(one_of(PROGRAMS)), "a ;-list of " + ", ".join(PROGRAMS),
           distinct=True),
    Column("homeless_flag", False, "(?i)(true|false)", "true or false", "bool", distinct=True),
    Column("release_date", False, DATE, "a date YYYY-MM-DD", "date", distinct=True),
    Column("ccs_enrolled", False, "(?i)(true|false)", "true or false", "bool", distinct=True),
    Column("foster_care", False, one_of(FOSTER), "current or former", values=FOSTER, distinct=True),
)

CLAIM_SPEC = (
    Column("claim_id", True, None, "", "key"),
    Column("member_id", True, CIN, "a Medi-Cal CIN: 8 digits then an upper-case letter", distinct=True),
    Column("service_from", True, DATE, "a date YYYY-MM-DD", "date", distinct=True),
    Column("service_to", False, DATE, "a date YYYY-MM-DD", "date", distinct=True),
    Column("claim_type", True, one_of(CLAIM_TYPES), "institutional, professional or pharmacy",
           values=CLAIM_TYPES, distinct=True),
    Column("bill_type", False, "0?[0-9]{3}", "a 3-digit UB-04 type of bill (or 4 digits with a leading 0)",
           distinct=True),
    Column("place_of_service", False, "[0-9]{2}", "a 2-digit place-of-service code", distinct=True),
    Column("revenue_codes", False, list_of("[0-9]{4}"), "a ;-list of 4-digit revenue codes", distinct=True),
    Column("procedure_codes", False, list_of("[0-9A-Za-z]{5}"), "a ;-list of 5-character CPT/HCPCS codes",
           distinct=True),
    Column("admission_type", False, "[1-5]", "an admission type 1 to 5", values=("1", "2", "3", "4", "5"),
           distinct=True),
    Column("diagnosis_codes", True, distinct=True),
    # A plan's claims name far fewer providers than claims (its network), so NPIs are checked per value too.
    Column("provider_npi", False, "[0-9]{10}", "a 10-digit NPI", glob="[0-9]" * 10, distinct=True),
)


def file_format(path: str | Path) -> str:
    """`csv` or `parquet`, from the file ending."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path}: the file must end in .csv or .parquet")
    return suffix[1:]


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def reader_sql(path: str | Path) -> str:
    """DuckDB table function reading the file; CSV is read strictly as RFC 4180 text."""
    if file_format(path) == "csv":
        return (f"read_csv({sql_string(str(path))}, header=true, all_varchar=true, delim=',', quote='\"', "
                "escape='\"', encoding='utf-8')")
    return f"read_parquet({sql_string(str(path))})"


def file_columns(con: duckdb.DuckDBPyConnection, path: str | Path) -> list[str]:
    """Column names in the file's header (or Parquet schema), exactly as spelled there."""
    return list(file_schema(con, path))


def file_schema(con: duckdb.DuckDBPyConnection, path: str | Path) -> dict[str, str]:
    """Column name -> DuckDB type as read (every CSV column is VARCHAR), in file order."""
    if not Path(path).is_file():
        raise InputError(str(path), None, None, "file not found")
    try:
        return {row[0]: row[1] for row in con.sql(f"DESCRIBE SELECT * FROM {reader_sql(path)}").fetchall()}
    except duckdb.Error as exc:
        raise InputError(str(path), None, None, f"cannot be read as {file_format(path)}: {exc}") from None


DATE_COLUMNS = frozenset(c.name for spec in (MEMBER_SPEC, CLAIM_SPEC) for c in spec if c.kind == "date")


def trim_sql(sql: str, already_trimmed: bool) -> str:
    """TRIM(sql), or `sql` itself where validation proved every value already trimmed (`FileReport.trimmed`)."""
    return sql if already_trimmed else f"TRIM({sql})"


def parse_date_sql(text: str) -> str:
    """SQL (DuckDB dialect) of an input date: the text trimmed, empty as NULL, cast to DATE."""
    return f"CAST(NULLIF(TRIM({text}), '') AS DATE)"


def rules_relation_sql(path: str | Path, types: dict[str, str], wanted: tuple[str, ...]) -> str:
    """SELECT of the wanted columns as the rules read them: text, except date columns as DATE (absent ones NULL).

    A date column already stored as DATE (Parquet) is used as it is, which is what parsing its text form
    gives; any other is parsed from its text (validation has proved every value well formed).
    """
    cols = []
    for c in wanted:
        if c in DATE_COLUMNS:
            if c not in types:
                cols.append(f"CAST(NULL AS DATE) AS {c}")
            elif types[c].upper() == "DATE":
                cols.append(f"{quote_ident(c)} AS {c}")
            else:
                cols.append(f"{parse_date_sql(f'CAST({quote_ident(c)} AS VARCHAR)')} AS {c}")
        else:
            cols.append(f"CAST({quote_ident(c)} AS VARCHAR) AS {c}" if c in types else f"CAST(NULL AS VARCHAR) AS {c}")
    return f"SELECT {', '.join(cols)} FROM {reader_sql(path)}"


def text_relation_sql(path: str | Path, present: list[str], wanted: tuple[str, ...], row_number: bool) -> str:
    """SELECT of the wanted columns as text (absent ones NULL), optionally with the 1-based record number."""
    cols = [f"CAST({quote_ident(c)} AS VARCHAR) AS {c}" if c in present else f"CAST(NULL AS VARCHAR) AS {c}"
            for c in wanted]
    if row_number:
        # DuckDB keeps a CSV scan in file order when insertion order is preserved (the default),
        # so ROW_NUMBER() OVER () is the data record number; Parquet has an explicit row number.
        if file_format(path) == "parquet":
            return (f"SELECT {', '.join(cols)}, file_row_number + 1 AS rn "
                    f"FROM read_parquet({sql_string(str(path))}, file_row_number=true)")
        cols.append("ROW_NUMBER() OVER () AS rn")
    return f"SELECT {', '.join(cols)} FROM {reader_sql(path)}"
