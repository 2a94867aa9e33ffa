"""The SQL dialect of the roster merge: one set of statements for PostgreSQL and SQLite, differing only in the few
expressions below (JSON objects, UUID text, a day's arithmetic, column types), so both databases compute the same
changes and write the same audit trail.

Member fields a roster row sets, with the audit key of each (a foreign key by its field name, its value the id, as
`calaim.core.audit.snapshot` writes them) and the optional column of the file that carries it: an optional column
absent from the file leaves that field as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    DATE = "date"
    BOOL = "bool"
    INT = "int"
    UUID = "uuid"


@dataclass(frozen=True)
class Field:
    column: str  # members_member's column
    stage: str  # roster_stage's column
    key: str  # the audit key (the model field's name)
    kind: Kind
    optional: str | None  # the roster column whose presence governs it; None = required, always set


FIELDS: tuple[Field, ...] = (
    Field("first_name", "first_name", "first_name", Kind.TEXT, None),
    Field("last_name", "last_name", "last_name", Kind.TEXT, None),
    Field("birth_date", "birth_date", "birth_date", Kind.DATE, None),
    Field("sex", "sex", "sex", Kind.TEXT, "sex"),
    Field("race_ethnicity", "race_ethnicity", "race_ethnicity", Kind.TEXT, "race_ethnicity"),
    Field("language", "language", "language", Kind.TEXT, "language"),
    Field("phone", "phone", "phone", Kind.TEXT, "phone"),
    Field("address_line", "address_line", "address_line", Kind.TEXT, "address_line"),
    Field("city", "city", "city", Kind.TEXT, "city"),
    Field("zip_code", "zip_code", "zip_code", Kind.TEXT, "zip_code"),
    Field("experiencing_homelessness", "homeless", "experiencing_homelessness", Kind.BOOL, "homeless_flag"),
    Field("county_id", "county_id", "county", Kind.INT, None),
    Field("delegated_to_id", "delegated_id", "delegated_to", Kind.UUID, "delegated_to"),
    Field("dsnp", "dsnp", "dsnp", Kind.BOOL, "dsnp"),
    Field("pcp_organization_id", "pcp_org_id", "pcp_organization", Kind.UUID, "pcp_npi"),
    Field("pcp_name", "pcp_name", "pcp_name", Kind.TEXT, "pcp_name"),
    Field(
        "behavioral_health_organization_id",
        "bh_org_id",
        "behavioral_health_organization",
        Kind.UUID,
        "bh_provider_npi",
    ),
    Field(
        "behavioral_health_provider_name",
        "bh_provider_name",
        "behavioral_health_provider_name",
        Kind.TEXT,
        "bh_provider_name",
    ),
    Field("release_date", "release_date", "release_date", Kind.DATE, "release_date"),
    Field("ccs_enrolled", "ccs_enrolled", "ccs_enrolled", Kind.BOOL, "ccs_enrolled"),
    Field("foster_care", "foster_care", "foster_care", Kind.TEXT, "foster_care"),
)
# Audit keys for what is not a member column: the plan, this plan's current enrollment span, the open programs.
PLAN_KEY, START_KEY, END_KEY, PROGRAMS_KEY = "plan", "enrollment_start", "enrollment_end", "other_programs"
# roster_stage's columns and their kinds, in the order the staged rows carry them.
STAGE_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("file_row", Kind.INT),  # the reader's `row`: the Nth data record of the file
    ("cin", Kind.TEXT),
    *((f.stage, f.kind) for f in FIELDS),
    ("enrollment_start", Kind.DATE),
    ("enrollment_end", Kind.DATE),
    ("other_programs", Kind.TEXT),
    ("program_mask", Kind.INT),
)


def fields_present(present: frozenset[str]) -> tuple[Field, ...]:
    """The member fields this file sets: the required ones and the optional ones whose column it has."""
    return tuple(f for f in FIELDS if f.optional is None or f.optional in present)


@dataclass(frozen=True)
class Dialect:
    postgres: bool

    @property
    def json_type(self) -> str:
        return "jsonb" if self.postgres else "text"

    def column_type(self, kind: Kind) -> str:
        if self.postgres:
            return {
                Kind.TEXT: "text",
                Kind.DATE: "date",
                Kind.BOOL: "boolean",
                Kind.INT: "bigint",
                Kind.UUID: "uuid",
            }[kind]
        return {Kind.TEXT: "text", Kind.DATE: "text", Kind.BOOL: "integer", Kind.INT: "integer", Kind.UUID: "text"}[
            kind
        ]

    def distinct(self, a: str, b: str) -> str:
        return f"({a} IS DISTINCT FROM {b})" if self.postgres else f"({a} IS NOT {b})"

    def day_before(self, expr: str) -> str:
        return f"({expr} - 1)" if self.postgres else f"date({expr}, '-1 day')"

    @property
    def indexes_temporary_tables(self) -> bool:
        """SQLite joins through indexes; PostgreSQL hashes the staged rows in the load's memory instead."""
        return not self.postgres

    def uuid_text(self, expr: str) -> str:
        """A UUID as str(uuid) writes it (the audit trail's object_id and JSON values)."""
        if self.postgres:
            return f"{expr}::text"
        parts = "||'-'||".join(f"substr({expr}, {start}, {length})" for start, length in _UUID_PARTS)
        return f"(CASE WHEN {expr} IS NULL THEN NULL ELSE {parts} END)"

    def json_value(self, expr: str, kind: Kind) -> str:
        if self.postgres:
            return expr
        if kind is Kind.BOOL:
            return f"json(CASE WHEN {expr} THEN 'true' ELSE 'false' END)"
        if kind is Kind.UUID:
            return self.uuid_text(expr)
        return expr

    def json_object(self, pairs: list[tuple[str, str]]) -> str:
        """A JSON object of (key, value expression) pairs; a null value is kept as null."""
        body = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"jsonb_build_object({body})" if self.postgres else f"json_object({body})"

    def json_changed(self, items: list[tuple[str, str, str]]) -> str:
        """A JSON object of only the keys whose `changed` expression holds: (key, value expression, changed)."""
        whole = self.json_object([(key, value) for key, value, _ in items])
        if self.postgres:
            drops = ", ".join(f"CASE WHEN {changed} THEN '' ELSE '{key}' END" for key, _, changed in items)
            return f"({whole} - ARRAY[{drops}]::text[])"
        drops = ", ".join(f"CASE WHEN {changed} THEN '$.__kept' ELSE '$.{key}' END" for key, _, changed in items)
        return f"json_remove({whole}, {drops})"


_UUID_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
# Program codes are written into the SQL as literals, so only codes of this shape are (any other would never match
# the reader's normalised codes anyway).
_PROGRAM_CODE = re.compile(r"^[A-Z0-9_]{1,20}$")


def program_codes(programs: tuple[str, ...]) -> tuple[str, ...]:
    """The vocabulary's program codes that can stand in a mask: at most 62 (a bigint), each of a safe shape."""
    return tuple(code for code in programs if _PROGRAM_CODE.match(code))[:62]


def programs_text(mask: str, programs: tuple[str, ...]) -> str:
    """The ';'-list of program codes a bit mask holds, in the vocabulary's order (the roster's own order)."""
    if not programs:
        return "''"
    pieces = " || ".join(
        f"CASE WHEN ({mask} & {1 << i}) <> 0 THEN '{code};' ELSE '' END" for i, code in enumerate(programs)
    )
    return f"rtrim(COALESCE({pieces}, ''), ';')"


def program_bit(code_column: str, programs: tuple[str, ...]) -> str:
    """A program code's bit in the mask (0 for a code the vocabulary does not know)."""
    if not programs:
        return "0"
    cases = " ".join(f"WHEN '{code}' THEN {1 << i}" for i, code in enumerate(programs))
    return f"(CASE {code_column} {cases} ELSE 0 END)"
