"""What a compared roster would change, read from the merge's temporary tables before anything is written: the
counts, up to 50 members per kind of change with their fields before and after (names, not ids, for people to
read), and the roster facts for the members calaim already had.

Roster facts (for `consequences.facts_raise`, which keeps those bearing on open ECM or Community Supports work):
TERMED on the day before as_of for a member termed by absence, or on the row's end for a row whose end before as_of
is newly set; MOVED (detail: the new plan's code) on the day before the new span starts, for a member whose CIN
moved here from another plan (MOVED rather than TERMED: the old plan's provider learns where the member went);
PROGRAM (detail: the code) on as_of for each newly listed program; DSNP on as_of for a member newly in a D-SNP where
the plan's settings say D-SNP members do not qualify for ECM; DELEGATED (detail: the delegate's code) on as_of."""

# The SQL here is built from this package's own table, column and program names (codes checked by
# merge_sql.program_codes); every value from a file or a user is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from calaim.roster.consequences import MemberRosterChange
from calaim.roster.merge import RosterMerge
from calaim.roster.merge_sql import END_KEY, FIELDS, PLAN_KEY, PROGRAMS_KEY
from calaim.roster.models import FactKind

SAMPLE_SIZE = 50
_ORGANIZATION_KEYS = ("delegated_to", "pcp_organization", "behavioral_health_organization")


def merge_counts(merge: RosterMerge) -> dict[str, int]:
    """How many rows create, update, move, term or leave a member alone; members newly excluded, delegated,
    D-SNP; the plan's members enrolled on as_of before the load and how many of them absence would term."""
    cursor = merge.cursor
    merge.run(
        """SELECT COUNT(*), SUM(CASE WHEN is_new THEN 1 ELSE 0 END),
                  SUM(CASE WHEN is_new AND s.delegated_id IS NOT NULL THEN 1 ELSE 0 END),
                  SUM(CASE WHEN is_new AND s.dsnp THEN 1 ELSE 0 END)
           FROM roster_stage s"""
    )
    rows, created, created_delegated, created_dsnp = (int(v or 0) for v in cursor.fetchone())
    merge.run(
        """SELECT COUNT(*), SUM(CASE WHEN moved THEN 1 ELSE 0 END),
                  SUM(CASE WHEN termed AND NOT moved THEN 1 ELSE 0 END),
                  SUM(CASE WHEN newly_delegated THEN 1 ELSE 0 END), SUM(CASE WHEN newly_dsnp THEN 1 ELSE 0 END)
           FROM roster_change"""
    )
    changed, moved, termed_by_row, delegated, dsnp = (int(v or 0) for v in cursor.fetchone())
    termed_by_absence = int(merge.scalar("SELECT COUNT(DISTINCT member_id) FROM roster_term"))
    enrolled_before = int(
        merge.scalar(
            """SELECT COUNT(*) FROM members_member m
               WHERE m.plan_id = %(plan)s AND EXISTS (
                 SELECT 1 FROM members_enrollmentspan es
                 WHERE es.member_id = m.id AND es.plan_id = %(plan)s AND es.start_date <= %(as_of)s
                   AND (es.end_date IS NULL OR es.end_date >= %(as_of)s))"""
        )
    )
    return {
        "rows_applied": rows,
        "created": created,
        "updated": changed - moved - termed_by_row,
        "unchanged": rows - created - changed,
        "termed": termed_by_row + termed_by_absence,
        "termed_by_absence": termed_by_absence,
        "moved": moved,
        "excluded": int(merge.scalar("SELECT COUNT(DISTINCT member_id) FROM roster_prog_new")),
        "delegated": delegated + created_delegated,
        "dsnp": dsnp + created_dsnp,
        "enrolled_before": enrolled_before,
    }


def merge_samples(merge: RosterMerge) -> dict[str, list[dict[str, Any]]]:
    """Up to 50 members per kind of change, in file order: {cin, name, changes: {field: [before, after]}}."""
    samples: dict[str, list[dict[str, Any]]] = {}
    # The rows first, then their JSON: built for 50 rows, not for every new member before the sort.
    merge.run(
        f"""SELECT s.cin, s.first_name, s.last_name, NULL, {merge.created_json()}
            FROM (SELECT * FROM roster_stage WHERE is_new ORDER BY file_row LIMIT {SAMPLE_SIZE}) s
            ORDER BY s.file_row"""
    )
    samples["created"] = _rows(merge, merge.cursor.fetchall())
    for kind, condition in (
        ("moved", "moved"),
        ("termed", "termed AND NOT moved"),
        ("updated", "NOT moved AND NOT termed"),
    ):
        merge.run(
            f"""SELECT cin, first_name, last_name, before, after FROM roster_change WHERE {condition}
                ORDER BY file_row LIMIT {SAMPLE_SIZE}"""
        )
        samples[kind] = _rows(merge, merge.cursor.fetchall())
    old_end = "CASE WHEN COUNT(t.old_end) < COUNT(*) THEN NULL ELSE MAX(t.old_end) END"
    merge.run(
        f"""SELECT m.cin, m.first_name, m.last_name, {old_end} FROM roster_term t
            JOIN members_member m ON m.id = t.member_id GROUP BY m.cin, m.first_name, m.last_name
            ORDER BY m.cin LIMIT {SAMPLE_SIZE}"""
    )
    day_before = (merge.source.as_of - dt.timedelta(days=1)).isoformat()
    samples["termed"] += [
        _sample(cin, first, last, {END_KEY: [_iso(end), day_before]})
        for cin, first, last, end in merge.cursor.fetchall()
    ]
    samples["termed"] = samples["termed"][:SAMPLE_SIZE]
    samples.update(_flag_samples(merge))
    return samples


def _flag_samples(merge: RosterMerge) -> dict[str, list[dict[str, Any]]]:
    """Members newly in an excluding program, newly delegated, newly D-SNP: members calaim had (their changed
    value before and after), then new members (their value)."""
    kinds = {
        # kind: (the column it needs, the audit key, which changed members, which new members)
        "excluded": (
            "other_programs",
            PROGRAMS_KEY,
            "member_id IN (SELECT member_id FROM roster_prog_new)",
            "s.other_programs <> ''",
        ),
        "delegated": ("delegated_to", "delegated_to", "newly_delegated", "s.delegated_id IS NOT NULL"),
        "dsnp": ("dsnp", "dsnp", "newly_dsnp", "s.dsnp"),
    }
    samples: dict[str, list[dict[str, Any]]] = {}
    for kind, (column, key, changed, new) in kinds.items():
        samples[kind] = []
        if column not in merge.source.present:
            continue
        merge.run(
            f"""SELECT cin, first_name, last_name, before, after FROM roster_change WHERE {changed}
                ORDER BY file_row LIMIT {SAMPLE_SIZE}"""
        )
        for sample in _rows(merge, merge.cursor.fetchall()):
            samples[kind].append({**sample, "changes": {key: sample["changes"][key]}})
        value = next(f for f in FIELDS if f.key == key).stage if key != PROGRAMS_KEY else "other_programs"
        merge.run(
            f"""SELECT s.cin, s.first_name, s.last_name, s.{value} FROM roster_stage s
                WHERE s.is_new AND {new} ORDER BY s.file_row LIMIT {SAMPLE_SIZE - len(samples[kind])}"""
        )
        samples[kind] += [
            _sample(cin, first, last, _readable(merge, {key: [None, _plain(after, key)]}))
            for cin, first, last, after in merge.cursor.fetchall()
        ]
    return samples


def _rows(merge: RosterMerge, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    result = []
    for cin, first, last, before, after in rows:
        old, new = _json(before) or {}, _json(after) or {}
        changes = {key: [old.get(key), new.get(key)] for key in (*old, *(k for k in new if k not in old))}
        result.append(_sample(cin, first, last, _readable(merge, changes)))
    return result


def _sample(cin: str, first: str, last: str, changes: dict[str, list[Any]]) -> dict[str, Any]:
    return {"cin": cin, "name": f"{first} {last}", "changes": changes}


def _readable(merge: RosterMerge, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Ids as the names people know: a county's name, a plan's code, an organization's code or name."""
    keys = merge.source.keys

    def label(key: str, value: Any) -> Any:
        if value is None:
            return None
        if key == "county":
            return keys.county_names.get(int(value), value)
        if key == PLAN_KEY:
            return keys.plan_codes.get(int(value), value)
        if key in _ORGANIZATION_KEYS:
            return keys.organization_labels.get(uuid.UUID(str(value)), str(value))
        return value

    return {key: [label(key, old), label(key, new)] for key, (old, new) in changes.items()}


def _plain(value: Any, key: str) -> Any:
    if key == "dsnp" and value is not None:
        return bool(value)
    return _iso(value)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _json(value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    return dict(json.loads(value))


def merge_changes(merge: RosterMerge, *, dsnp_excludes_ecm: bool) -> list[MemberRosterChange]:
    """The roster facts of the members calaim already had (a new member has no open work)."""
    as_of = merge.source.as_of
    day_before = as_of - dt.timedelta(days=1)
    codes = {str(org): code for code, org in merge.source.keys.delegate_ids.items()}
    changes: list[MemberRosterChange] = []
    merge.run(
        """SELECT member_id, moved, termed, new_start, new_end, newly_delegated, newly_dsnp, delegated_id
           FROM roster_change WHERE moved OR termed OR newly_delegated OR newly_dsnp ORDER BY file_row"""
    )
    for member, moved, termed, start, end, delegated, dsnp, delegate in merge.cursor.fetchall():
        member_id = _uuid(member)
        if moved:
            changes.append(change(member_id, FactKind.MOVED, merge.source.plan_code, _date(start) - dt.timedelta(1)))
        elif termed:
            changes.append(change(member_id, FactKind.TERMED, "", _date(end)))
        if delegated:
            changes.append(change(member_id, FactKind.DELEGATED, codes.get(str(_uuid(delegate)), ""), as_of))
        if dsnp and dsnp_excludes_ecm:
            changes.append(change(member_id, FactKind.DSNP, "", as_of))
    merge.run("SELECT member_id, code FROM roster_prog_new WHERE NOT is_new ORDER BY member_id, code")
    changes += [change(_uuid(member), FactKind.PROGRAM, code, as_of) for member, code in merge.cursor.fetchall()]
    merge.run("SELECT DISTINCT member_id FROM roster_term")
    changes += [change(_uuid(member), FactKind.TERMED, "", day_before) for (member,) in merge.cursor.fetchall()]
    return changes


def change(member_id: uuid.UUID, kind: FactKind, detail: str, day: dt.date) -> MemberRosterChange:
    return MemberRosterChange(member_id=member_id, kind=kind, detail=detail, effective_date=day)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
