"""Applying a complete roster to the members of one plan, set-based: the rows are staged in a temporary table, the
changes computed by a handful of joins, and written by INSERT ... SELECT and UPDATE ... FROM, with the audit trail
built in SQL. The same statements run on PostgreSQL (COPY for the staging) and SQLite (see `merge_sql.Dialect`).
Must run inside the caller's transaction; the caller commits, or rolls back for a preview.

The rules (exchange-spec §1, as the lead decided them):
- A row's member is created, or updated field by field; an optional column absent from the file leaves its field,
  present and empty clears it. `homeless_flag` is `experiencing_homelessness`; `pcp_npi` and `bh_provider_npi` set
  the PCP and behavioral-health organization when an organization has that NPI (none otherwise), their names
  going to `pcp_name` and `behavioral_health_provider_name` (merge_sql.FIELDS).
- Enrollment spans: the plan's span starting on the row's start gets the row's end; otherwise the member's open span
  of the plan that started earlier ends the day before the row's start (a later-starting one is corrected to the
  row's start) and a new span opens.
- A member of the plan with a span of the plan open on as_of (started before it) and absent from the file (and not
  one of the rejected rows' members) is termed: that span ends the day before as_of.
- A CIN of another plan is moved with its history: the member's plan changes and the old plan's open span ends the
  day before the new span starts.
- Programs: a listed program with no open row opens on as_of; an open one not listed ends the day before as_of (or,
  opened on or after as_of, is withdrawn).
- One audit event per changed member (created, updated, termed, moved) with only the changed fields before and
  after (every field for a new member); an unchanged member gets none."""

# The SQL here is built from this package's own table, column and program names (codes checked by
# merge_sql.program_codes); every value from a file or a user is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calaim.roster.merge_sql import (
    END_KEY,
    FIELDS,
    PLAN_KEY,
    PROGRAMS_KEY,
    STAGE_COLUMNS,
    START_KEY,
    Dialect,
    Kind,
    fields_present,
    program_bit,
    programs_text,
)
from calaim.roster.merge_stage import Tick, stage_rows, stage_tables_create
from calaim.roster.vocabulary import RosterKeys

TEMP_TABLES = (
    "roster_rows",
    "roster_latest",
    "roster_span",
    "roster_prog_open",
    "roster_prog_new",
    "roster_prog_close",
    "roster_prog_member",
    "roster_change",
    "roster_term",
    "roster_absent",
    "roster_stage",
    "roster_stage_program",
    "roster_rejected",
)
MEMBER = "members_member"
SPAN = "members_enrollmentspan"
PROGRAM = "members_memberprogram"


@dataclass(frozen=True)
class MergeInput:
    plan_id: int
    plan_code: str
    as_of: dt.date
    normalized_path: Path
    present: frozenset[str]
    rejected_cins: frozenset[str]
    keys: RosterKeys
    programs: tuple[str, ...]  # the vocabulary's codes that can stand in a mask (merge_sql.program_codes)


class RosterMerge:
    """The staged roster and the changes it makes; `compare` first, then `write` (apply) or nothing (preview)."""

    def __init__(self, cursor: Any, source: MergeInput, *, postgres: bool) -> None:
        self.cursor = cursor
        self.source = source
        self.d = Dialect(postgres=postgres)
        self.fields = fields_present(source.present)
        self.end_present = "enrollment_end" in source.present
        self.programs_present = "other_programs" in source.present

    def params(self, **more: Any) -> dict[str, Any]:
        ops = self.cursor.db.ops
        return {
            "plan": self.source.plan_id,
            "as_of": ops.adapt_datefield_value(self.source.as_of),
            "day_before": ops.adapt_datefield_value(self.source.as_of - dt.timedelta(days=1)),
            **more,
        }

    def run(self, sql: str, **more: Any) -> None:
        self.cursor.execute(sql, self.params(**more))

    def scalar(self, sql: str, **more: Any) -> Any:
        self.cursor.execute(sql, self.params(**more))
        return self.cursor.fetchone()[0]

    # ---- compare: stage the rows and compute every change, writing no member ----------------------------------------

    def stage(self, tick: Tick) -> int:
        self.drop()
        stage_tables_create(self.cursor, self.d)
        return stage_rows(
            self.cursor,
            self.d,
            path=str(self.source.normalized_path),
            present=self.source.present,
            keys=self.source.keys,
            programs=self.source.programs,
            rejected_cins=self.source.rejected_cins,
            tick=tick,
        )

    def compare(self) -> None:
        self._ids()
        self._latest()
        self._programs()
        self._changes()
        self._span_writes()
        self._terms()

    def _temp(self, name: str, select: str, *, indexes: tuple[str, ...] = (), **more: Any) -> None:
        self.run(f"CREATE TEMP TABLE {name} AS {select}", **more)
        for column in indexes if self.d.indexes_temporary_tables else ():
            self.cursor.execute(f"CREATE INDEX {name}_{column} ON {name} ({column})")
        if self.d.postgres:
            self.cursor.execute(f"ANALYZE {name}")

    def _ids(self) -> None:
        """Each row with its member: the stored one with its CIN (and its plan), else the new id it was copied with.
        Written as a new table rather than by updating the copied rows, which would leave every later scan reading
        past a dead copy of each row (a temporary table is never vacuumed while the load runs)."""
        columns = ", ".join(f"r.{name}" for name, _ in STAGE_COLUMNS)
        self.run(
            f"""CREATE TEMP TABLE roster_stage AS
                SELECT {columns}, COALESCE(m.id, r.member_id) AS member_id, (m.id IS NULL) AS is_new,
                       m.plan_id AS old_plan_id
                FROM roster_rows r LEFT JOIN {MEMBER} m ON m.cin = r.cin"""
        )
        self.cursor.execute("DROP TABLE roster_rows")
        if self.d.indexes_temporary_tables:
            for column in ("file_row", "cin", "member_id"):
                self.cursor.execute(f"CREATE INDEX roster_stage_{column} ON roster_stage ({column})")
        else:
            # Autovacuum never analyzes temporary tables; the joins below need the join columns' statistics.
            self.cursor.execute("ANALYZE roster_stage (file_row, cin, member_id, is_new)")

    def _latest(self) -> None:
        """Each member's latest span of this plan, and how many spans of it they have."""
        self._temp(
            "roster_latest",
            f"""SELECT member_id, id, start_date, end_date, spans FROM (
                  SELECT es.member_id, es.id, es.start_date, es.end_date,
                         COUNT(*) OVER (PARTITION BY es.member_id) AS spans,
                         ROW_NUMBER() OVER (PARTITION BY es.member_id ORDER BY es.start_date DESC, es.id DESC) AS rn
                  FROM {SPAN} es WHERE es.plan_id = %(plan)s) ranked
                WHERE rn = 1""",
            indexes=("member_id",),
        )

    def _programs(self) -> None:
        """Programs to open and to close, and each listed member's open programs before, as a mask."""
        uuid_type, int_type = self.d.column_type(Kind.UUID), self.d.column_type(Kind.INT)
        if not self.programs_present:
            for name, columns in (
                ("roster_prog_new", f"member_id {uuid_type}, code text, is_new {self.d.column_type(Kind.BOOL)}"),
                (
                    "roster_prog_close",
                    f"id {int_type}, member_id {uuid_type}, start_date {self.d.column_type(Kind.DATE)}",
                ),
                ("roster_prog_member", f"member_id {uuid_type}, old_mask {int_type}, changed {int_type}"),
            ):
                self.cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
            return
        self._temp(
            "roster_prog_open",
            f"""SELECT mp.id, mp.member_id, mp.program_code, mp.start_date
                FROM {PROGRAM} mp JOIN roster_stage s ON s.member_id = mp.member_id
                WHERE NOT s.is_new AND (mp.end_date IS NULL OR mp.end_date >= %(as_of)s)""",
            indexes=("member_id",),
        )
        self._temp(
            "roster_prog_new",
            """SELECT DISTINCT s.member_id, p.code, s.is_new
               FROM roster_stage_program p JOIN roster_stage s ON s.file_row = p.file_row
               WHERE NOT EXISTS (SELECT 1 FROM roster_prog_open o
                                 WHERE o.member_id = s.member_id AND o.program_code = p.code)""",
        )
        self._temp(
            "roster_prog_close",
            """SELECT o.id, o.member_id, o.start_date FROM roster_prog_open o
               WHERE NOT EXISTS (SELECT 1 FROM roster_stage_program p JOIN roster_stage s ON s.file_row = p.file_row
                                 WHERE s.member_id = o.member_id AND p.code = o.program_code)""",
        )
        self._temp(
            "roster_prog_member",
            f"""SELECT member_id, SUM(DISTINCT bit) AS old_mask, MAX(changed) AS changed FROM (
                  SELECT member_id, {program_bit("program_code", self.source.programs)} AS bit, 0 AS changed
                  FROM roster_prog_open
                  UNION ALL SELECT member_id, 0, 1 FROM roster_prog_new WHERE NOT is_new
                  UNION ALL SELECT member_id, 0, 1 FROM roster_prog_close) x
                GROUP BY member_id""",
            indexes=("member_id",),
        )

    def _changes(self) -> None:
        """One row per existing member the roster changes: the changed fields before and after, and the span of this
        plan the row continues with what it becomes. That span is the plan's span starting on the row's start if
        any, else the member's latest span of the plan: its end is the row's (case A); or, still open on the row's
        start, it ends the day before and a new span opens (B); or, starting later, its start is corrected to the
        row's (C); or a new span opens (D). One pass over the staged rows, their members and latest spans."""
        d = self.d
        member_columns = ", ".join(f"m.{f.column} AS m_{f.column}" for f in FIELDS)
        # An earlier span starting on the row's start is looked up only for the rare member with several spans whose
        # latest starts on another day.
        older = f"""CASE WHEN l.spans > 1 AND l.start_date <> s.enrollment_start THEN
                      (SELECT MAX(e.id) FROM {SPAN} e WHERE e.member_id = s.member_id AND e.plan_id = %(plan)s
                                                         AND e.start_date = s.enrollment_start) END"""
        joined = f"""SELECT s.*, {member_columns}, pm.old_mask AS pm_mask, pm.changed AS pm_changed,
                            l.id AS latest_id, l.start_date AS latest_start, l.end_date AS latest_end,
                            {older} AS older_id
                     FROM roster_stage s JOIN {MEMBER} m ON m.id = s.member_id
                     LEFT JOIN roster_latest l ON l.member_id = s.member_id
                     LEFT JOIN roster_prog_member pm ON pm.member_id = s.member_id
                     WHERE NOT s.is_new"""
        spans = f"""SELECT b.*,
                      CASE WHEN b.older_id IS NOT NULL OR b.latest_start = b.enrollment_start THEN 'A'
                           WHEN b.latest_id IS NULL THEN 'D'
                           WHEN b.latest_start < b.enrollment_start
                                AND (b.latest_end IS NULL OR b.latest_end >= b.enrollment_start) THEN 'B'
                           WHEN b.latest_start > b.enrollment_start THEN 'C' ELSE 'D' END AS span_case,
                      COALESCE(b.older_id, b.latest_id) AS span_id,
                      CASE WHEN b.older_id IS NULL THEN b.latest_start ELSE b.enrollment_start END AS old_start,
                      CASE WHEN b.older_id IS NULL THEN b.latest_end
                           ELSE (SELECT e.end_date FROM {SPAN} e WHERE e.id = b.older_id) END AS old_end
                    FROM ({joined}) b"""
        kept_end = "c.enrollment_end" if self.end_present else "CASE WHEN c.span_case IN ('A', 'C') THEN c.old_end END"
        rows = f"SELECT c.*, {kept_end} AS new_end FROM ({spans}) c"

        field_changed = {f.key: d.distinct(f"y.m_{f.column}", f"y.{f.stage}") for f in self.fields}
        plan_changed = "(y.old_plan_id <> %(plan)s)"
        start_changed = d.distinct("y.old_start", "y.enrollment_start")
        end_changed = d.distinct("y.old_end", "y.new_end")
        span_write = f"(y.span_case <> 'A' OR {end_changed})"
        programs_changed = "(COALESCE(y.pm_changed, 0) = 1)"
        fields_changed = " OR ".join([*field_changed.values(), plan_changed])
        old_programs = programs_text("COALESCE(y.pm_mask, 0)", self.source.programs)
        before = d.json_changed(
            [(f.key, d.json_value(f"y.m_{f.column}", f.kind), field_changed[f.key]) for f in self.fields]
            + [
                (PLAN_KEY, "y.old_plan_id", plan_changed),
                (START_KEY, "y.old_start", start_changed),
                (END_KEY, "y.old_end", end_changed),
                (PROGRAMS_KEY, old_programs, programs_changed),
            ]
        )
        after = d.json_changed(
            [(f.key, d.json_value(f"y.{f.stage}", f.kind), field_changed[f.key]) for f in self.fields]
            + [
                (PLAN_KEY, "%(plan)s", plan_changed),
                (START_KEY, "y.enrollment_start", start_changed),
                (END_KEY, "y.new_end", end_changed),
                (PROGRAMS_KEY, "y.other_programs", programs_changed),
            ]
        )
        newly_delegated = (
            f"(y.delegated_id IS NOT NULL AND {d.distinct('y.m_delegated_to_id', 'y.delegated_id')})"
            if "delegated_to" in self.source.present
            else "FALSE"
        )
        newly_dsnp = "(y.dsnp AND NOT y.m_dsnp)" if "dsnp" in self.source.present else "FALSE"
        # The new values of the fields this file sets (the names and the delegate are read by samples and facts).
        carried = ", ".join(f"y.{f.stage}" for f in FIELDS if f in self.fields or f.stage == "delegated_id")
        self._temp(
            "roster_change",
            f"""SELECT y.file_row, y.member_id, y.cin, y.old_plan_id, {carried},
                       y.span_case, y.span_id, y.old_start, y.old_end, y.enrollment_start AS new_start, y.new_end,
                       {span_write} AS span_write,
                       ({fields_changed}) AS fields_changed,
                       {plan_changed} AS moved,
                       (y.new_end IS NOT NULL AND y.new_end < %(as_of)s
                        AND (y.old_end IS NULL OR y.old_end >= %(as_of)s)) AS termed,
                       {newly_delegated} AS newly_delegated,
                       {newly_dsnp} AS newly_dsnp,
                       {before} AS before, {after} AS after
                FROM ({rows}) y
                WHERE {fields_changed} OR {span_write} OR {programs_changed}""",
            indexes=("member_id",),
        )

    def _span_writes(self) -> None:
        """The spans to write: the changed members' (as roster_change says) and each new member's first."""
        self._temp(
            "roster_span",
            """SELECT member_id, span_case, span_id, new_start, new_end FROM roster_change WHERE span_write
               UNION ALL
               SELECT member_id, 'D', NULL, enrollment_start, enrollment_end FROM roster_stage WHERE is_new""",
        )

    def _terms(self) -> None:
        """The spans of the plan's members absent from the file that are open on as_of and started before it."""
        self._temp(
            "roster_absent",
            f"""SELECT m.id FROM {MEMBER} m
                WHERE m.plan_id = %(plan)s
                  AND NOT EXISTS (SELECT 1 FROM roster_stage s WHERE s.cin = m.cin)
                  AND NOT EXISTS (SELECT 1 FROM roster_rejected r WHERE r.cin = m.cin)""",
        )
        self._temp(
            "roster_term",
            f"""SELECT es.id AS span_id, es.member_id, es.end_date AS old_end
                FROM roster_absent a JOIN {SPAN} es ON es.member_id = a.id
                WHERE es.plan_id = %(plan)s AND es.start_date <= %(day_before)s
                  AND (es.end_date IS NULL OR es.end_date >= %(as_of)s)""",
        )

    def created_json(self) -> str:
        """Every field of a new member, as its audit event's `after`."""
        d = self.d
        pairs = [("cin", "s.cin"), *((f.key, d.json_value(f"s.{f.stage}", f.kind)) for f in FIELDS)]
        pairs += [
            (PLAN_KEY, "%(plan)s"),
            (START_KEY, "s.enrollment_start"),
            (END_KEY, "s.enrollment_end"),
            (PROGRAMS_KEY, "s.other_programs"),
        ]
        return d.json_object(pairs)

    def drop(self) -> None:
        for name in TEMP_TABLES:
            self.cursor.execute(f"DROP TABLE IF EXISTS {name}")
