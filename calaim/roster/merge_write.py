"""Writing what `RosterMerge.compare` found, in the load's transaction: the members (new ones, then the changed
fields of the others), their enrollment spans, their programs, and one audit event per changed member, each a single
INSERT ... SELECT or UPDATE ... FROM over the merge's temporary tables."""

# The SQL here is built from this package's own table, column and program names (codes checked by
# merge_sql.program_codes); every value from a file or a user is a parameter.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from calaim.roster.merge import MEMBER, PROGRAM, SPAN, RosterMerge
from calaim.roster.merge_sql import END_KEY, FIELDS


def write_members(merge: RosterMerge, now: Any) -> None:
    """New members, then the changed fields of existing ones (the file's fields; the plan when it moved)."""
    columns = ", ".join(f.column for f in FIELDS)
    values = ", ".join(f"s.{f.stage}" for f in FIELDS)
    # In the staging table's order, which is the new ids' order (merge_stage.member_ids): no sort.
    merge.run(
        f"""INSERT INTO {MEMBER} (id, created_at, updated_at, cin, plan_id, {columns})
            SELECT s.member_id, %(now)s, %(now)s, s.cin, %(plan)s, {values}
            FROM roster_stage s WHERE s.is_new""",
        now=now,
    )
    sets = ", ".join(f"{f.column} = c.{f.stage}" for f in merge.fields)
    merge.run(
        f"""UPDATE {MEMBER} SET {sets}, plan_id = %(plan)s, updated_at = %(now)s
            FROM roster_change c WHERE {MEMBER}.id = c.member_id AND c.fields_changed""",
        now=now,
    )


def write_spans(merge: RosterMerge) -> None:
    """A moved member's open span of its old plan ends the day before the new one starts; each row's span of this
    plan as `roster_span` says; an absent member's open span ends the day before as_of."""
    d = merge.d
    merge.run(
        f"""UPDATE {SPAN} SET end_date = {d.day_before("x.new_start")}
            FROM (SELECT member_id, old_plan_id, new_start FROM roster_change WHERE moved) x
            WHERE {SPAN}.member_id = x.member_id AND {SPAN}.plan_id = x.old_plan_id
              AND {SPAN}.start_date < x.new_start
              AND ({SPAN}.end_date IS NULL OR {SPAN}.end_date >= x.new_start)"""
    )
    for case, sets in (
        ("B", f"end_date = {d.day_before('x.new_start')}"),
        ("C", "start_date = x.new_start, end_date = x.new_end"),
        ("A", "end_date = x.new_end"),
    ):
        merge.run(
            f"""UPDATE {SPAN} SET {sets}
                FROM (SELECT span_id, new_start, new_end FROM roster_span WHERE span_case = '{case}') x
                WHERE {SPAN}.id = x.span_id"""
        )
    # New members' spans in the staging table's order, which is their ids' order: no sort.
    merge.run(
        f"""INSERT INTO {SPAN} (member_id, plan_id, start_date, end_date)
            SELECT member_id, %(plan)s, new_start, new_end FROM roster_span WHERE span_case IN ('B', 'D')"""
    )
    merge.run(f"UPDATE {SPAN} SET end_date = %(day_before)s WHERE id IN (SELECT span_id FROM roster_term)")


def write_programs(merge: RosterMerge) -> None:
    """Listed programs open on as_of; programs no longer listed end the day before (or are withdrawn when they
    opened on or after as_of: a corrected file for the same day)."""
    merge.run(f"DELETE FROM {PROGRAM} WHERE id IN (SELECT id FROM roster_prog_close WHERE start_date >= %(as_of)s)")
    merge.run(
        f"""UPDATE {PROGRAM} SET end_date = %(day_before)s
            WHERE id IN (SELECT id FROM roster_prog_close WHERE start_date < %(as_of)s)"""
    )
    merge.run(
        f"""INSERT INTO {PROGRAM} (member_id, program_code, start_date, end_date)
            SELECT member_id, code, %(as_of)s, NULL FROM roster_prog_new"""
    )


def write_audit(merge: RosterMerge, *, now: Any, actor_id: int | None, actor_label: str, reason: str) -> None:
    """One event per changed member: created (every field), updated, moved or termed (the changed fields)."""
    d = merge.d
    insert = """INSERT INTO core_auditevent
                  (at, actor_id, actor_label, action, member_id, object_type, object_id, before, after, reason)"""
    common = {"now": now, "actor": actor_id, "label": actor_label, "reason": reason}
    # In the staging table's order, which is the new ids' order: the id indexes grow at one end, with no sort.
    merge.run(
        f"""{insert} SELECT %(now)s, %(actor)s, %(label)s, 'member.roster_created', s.member_id, 'members.member',
                   {d.uuid_text("s.member_id")}, NULL, {merge.created_json()}, %(reason)s
            FROM roster_stage s WHERE s.is_new""",
        **common,
    )
    merge.run(
        f"""{insert} SELECT %(now)s, %(actor)s, %(label)s,
                   CASE WHEN moved THEN 'member.roster_moved' WHEN termed THEN 'member.roster_termed'
                        ELSE 'member.roster_updated' END,
                   member_id, 'members.member', {d.uuid_text("member_id")}, before, after, %(reason)s
            FROM roster_change ORDER BY file_row""",
        **common,
    )
    old_end = "CASE WHEN COUNT(old_end) < COUNT(*) THEN NULL ELSE MAX(old_end) END"
    merge.run(
        f"""{insert} SELECT %(now)s, %(actor)s, %(label)s, 'member.roster_termed', member_id, 'members.member',
                   {d.uuid_text("member_id")}, {d.json_object([(END_KEY, old_end)])},
                   {d.json_object([(END_KEY, "%(day_before)s")])}, %(reason)s
            FROM roster_term GROUP BY member_id""",
        **common,
    )
