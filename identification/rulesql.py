"""The identification rules as one chain of SQL steps in DuckDB's dialect, the single definition both engines run.

Each engine provides two relations, `members_raw` and `claims_raw`, of text columns except the dates,
which are DATE (`identification.inputs.rules_relation_sql`; absent optional columns as NULL), then runs
the steps in order; Spark runs them transpiled by SQLGlot. Dates that
depend on as_of (window starts, age cut-offs) are computed in Python with dateutil and inlined as
literals, so calendar-month clamping and Feb-29 birthdays behave the same in every dialect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from identification.codes import BLANK
from identification.conditions import Atom, atoms_of, condition_sql, contributions
from identification.config import Group, Leaf, Node, Rules
from identification.inputs import trim_sql

MEMBER_COLUMNS = ("member_id", "birth_date", "race_ethnicity", "county", "plan_code", "enrollment_start",
                  "enrollment_end", "delegated_to", "dsnp", "other_programs", "homeless_flag",
                  "release_date", "ccs_enrolled", "foster_care")
CLAIM_COLUMNS = ("claim_id", "member_id", "service_from", "service_to", "claim_type", "bill_type",
                 "place_of_service", "revenue_codes", "procedure_codes", "admission_type", "diagnosis_codes")


# The relations an engine hands to `identification.output.assemble`: excluded members, one row per
# candidate (member, POF, route_to), and each candidate row's evidence claims (member, POF, claim, date).
ENGINE_OUTPUTS = ("exclusions", "candidates_core", "evidence")


@dataclass(frozen=True)
class Step:
    """One named relation; `materialize` marks the ones worth computing once rather than inlining."""

    name: str
    sql: str
    materialize: bool = False


def lit(day: dt.date) -> str:
    """A DATE literal in DuckDB syntax (SQLGlot rewrites it for Spark)."""
    return f"DATE '{day.isoformat()}'"


def window_start(as_of: dt.date, months: int) -> dt.date:
    """Exclusive start of an N-calendar-month window ending on as_of, clamped to month end."""
    return as_of - relativedelta(months=months)


def years_before(as_of: dt.date, years: int) -> dt.date:
    """Latest birth date of someone at least `years` old on as_of (Feb 29 turns older on Mar 1)."""
    return as_of - relativedelta(years=years)


def in_window(column: str, as_of: dt.date, months: int) -> str:
    """SQL test that a date falls in the N-month window ending on as_of."""
    return f"({column} > {lit(window_start(as_of, months))} AND {column} <= {lit(as_of)})"


def _text(column: str) -> str:
    return f"NULLIF(TRIM({column}), '')"


def _bool(column: str) -> str:
    return f"COALESCE(LOWER(TRIM({column})) = 'true', FALSE)"


def _list_has(column: str, code: str) -> str:
    """An exact item on a `;`-list column, items trimmed."""
    return f"REGEXP_MATCHES({column}, '(^|;){BLANK}{code}{BLANK}(;|$)')"


def _sql_in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{_q(v)}'" for v in values) + ")"


def members_step(rules: Rules, as_of: dt.date, trimmed: frozenset[str] = frozenset()) -> Step:
    """Actively enrolled members, typed, with their exclusion reason (first program in order, else DSNP)."""
    reasons = " ".join(f"WHEN {_list_has('other_programs', p)} THEN '{p}'" for p in rules.program_order)
    dsnp = f"WHEN dsnp AND plan_code IN {_sql_in(rules.dsnp_plans)} THEN '{_q(rules.dsnp_reason)}'"
    # Most members list no program: an empty list goes straight to the D-SNP test (no program can match
    # it), so the per-program regular expressions run only on members who list something.
    sql = f"""
SELECT member_id, birth_date, race_ethnicity, county, plan_code, delegated_to, homeless_flag, dsnp,
       release_date, ccs_enrolled, foster_care,
       CASE WHEN other_programs = '' THEN CASE {dsnp} END ELSE CASE {reasons} {dsnp} END END AS exclusion_reason
FROM (
  SELECT {trim_sql('member_id', 'members_raw.member_id' in trimmed)} AS member_id, birth_date,
         {_text('race_ethnicity')} AS race_ethnicity, TRIM(county) AS county, TRIM(plan_code) AS plan_code,
         enrollment_start, enrollment_end,
         {_text('delegated_to')} AS delegated_to, {_bool('dsnp')} AS dsnp,
         COALESCE(other_programs, '') AS other_programs, {_bool('homeless_flag')} AS homeless_flag,
         release_date, {_bool('ccs_enrolled')} AS ccs_enrolled,
         {_text('foster_care')} AS foster_care
  FROM members_raw
) m
WHERE enrollment_start <= {lit(as_of)} AND (enrollment_end IS NULL OR enrollment_end >= {lit(as_of)})"""
    return Step("active_members", sql, materialize=True)


# The normalised diagnosis cell: upper-cased, dots removed, never NULL (`raw_dx` is the cell, NULL as '').
RAW_DX = "COALESCE(c.diagnosis_codes, '')"
DX = "UPPER(REPLACE(raw_dx, '.', ''))"


def _digits_first(codes: tuple[str, ...], column: str, test: str) -> str:
    """`test` (a code-list match on the upper-cased column), first asking for the digits every code starts with.

    A cell can match only if it holds one of the codes, so it holds their common leading digits; upper-casing
    neither makes nor removes digits, so the cheap LIKE on the cell as read settles most cells alone."""
    prefix = ""
    for chars in zip(*codes, strict=False):
        if len(set(chars)) > 1 or chars[0] not in "0123456789":
            break
        prefix += chars[0]
    if len(prefix) < 2 or not codes:
        return test
    return f"CASE WHEN {column} LIKE '%{prefix}%' THEN {test} ELSE FALSE END"


def claims_steps(rules: Rules, as_of: dt.date, atoms: list[Atom], trimmed: frozenset[str] = frozenset()) -> list[Step]:
    """Claims of eligible members with stay/ED flags and one flag per code list the rules read."""
    # Code-list atoms always carry their list name (leaf_atom), so the `is not None` filters drop nothing.
    lists_any = sorted({a.code_list for a in atoms if a.kind == "codes" and a.code_list is not None})
    lists_primary = sorted({a.code_list for a in atoms if a.kind == "primary_codes" and a.code_list is not None}
                           | {a.primary for a in atoms if a.primary})
    flags = [f"REGEXP_MATCHES(dx, '{rules.code_lists[n].any_item_regex()}') AS any_{n}" for n in lists_any]
    flags += [f"REGEXP_MATCHES(dx, '{rules.code_lists[n].first_item_regex()}') AS primary_{n}"
              for n in lists_primary]
    # The code-list flags depend on the diagnosis cell alone, and claims repeat the same cells a great
    # deal, so the cells are normalised and the regular expressions run once per distinct cell
    # (`dx_flags`), joined back on the cell as read.
    dx_flags = Step("dx_flags", f"SELECT raw_dx{''.join(', ' + f for f in flags)} FROM (SELECT raw_dx, {DX} AS dx "
                                "FROM (SELECT DISTINCT raw_dx FROM dx_cells) r) d", materialize=True)
    bill = _text("c.bill_type")
    bill3 = f"CASE WHEN LENGTH({bill}) = 4 THEN SUBSTR({bill}, 2, 3) ELSE {bill} END"
    bill_ok = " OR ".join(f"SUBSTR({bill3}, 1, {len(p)}) = '{p}'" for p in rules.stay_bill_type_prefixes)
    # Without COALESCE, so that in a WHERE clause the cheap claim-type test settles most claims alone.
    stay_type = f"TRIM(c.claim_type) = '{rules.stay_claim_type}'"
    stay_rest = f"{_text('c.admission_type')} IN {_sql_in(rules.stay_admission_types)} AND ({bill_ok})"
    stay_test = f"{stay_type} AND {stay_rest}"
    # As a value, CASE tests the claim type alone first (AND would evaluate every part on every claim).
    is_stay = f"CASE WHEN {stay_type} THEN COALESCE({stay_rest}, FALSE) ELSE FALSE END"
    rev = "|".join(rules.ed_revenue_codes)
    proc = "|".join(rules.ed_procedure_codes)
    proc_test = _digits_first(rules.ed_procedure_codes, "c.procedure_codes",
                              f"REGEXP_MATCHES(UPPER(c.procedure_codes), '(^|;){BLANK}({proc}){BLANK}(;|$)')")
    is_ed_any = (f"(COALESCE({_text('c.place_of_service')} IN {_sql_in(rules.ed_places_of_service)}, FALSE) "
                 f"OR COALESCE(REGEXP_MATCHES(c.revenue_codes, '(^|;){BLANK}({rev}){BLANK}(;|$)'), FALSE) "
                 f"OR COALESCE({proc_test}, FALSE))")
    widest = max([a.months for a in atoms if a.months] or [1])
    flag_cols = [f.rsplit(" AS ", 1)[1] for f in flags]
    relevant = " OR ".join(["is_ed", *flag_cols])
    # Non-stay claims matter only inside the widest window; stay claims all matter, because stays are
    # formed from all of a member's stay claims before being windowed by their earliest service_from.
    # Claims that can matter neither way are dropped first (cheap tests on the claim alone), then those
    # whose codes and ED flags leave them unused, and only then are claims matched to eligible members.
    sql = f"""
SELECT claim_id, member_id, service_from, service_to, is_stay, is_ed{''.join(', ' + c for c in flag_cols)}
FROM (
  SELECT {trim_sql('c.claim_id', 'claims_raw.claim_id' in trimmed)} AS claim_id,
         {trim_sql('c.member_id', 'claims_raw.member_id' in trimmed)} AS member_id, c.service_from, c.service_to,
         c.is_stay, c.is_ed{''.join(', f.' + col for col in flag_cols)}
  FROM (
    SELECT c.claim_id, c.member_id, c.service_from, COALESCE(c.service_to, c.service_from) AS service_to,
           c.is_stay, (NOT c.is_stay AND {is_ed_any}) AS is_ed, c.raw_dx
    FROM (
      SELECT c.claim_id, c.member_id, c.service_from, c.service_to, c.place_of_service, c.revenue_codes,
             c.procedure_codes, {RAW_DX} AS raw_dx, {is_stay} AS is_stay
      FROM claims_raw c
      WHERE {in_window('c.service_from', as_of, widest)} OR ({stay_test})
    ) c
  ) c
  JOIN dx_flags f ON f.raw_dx = c.raw_dx
) t
WHERE (is_stay OR ({in_window('service_from', as_of, widest)} AND ({relevant})))
  AND member_id IN (SELECT member_id FROM eligible_members)"""
    return [dx_flags, Step("claims_flagged", sql, materialize=True)]


def stays_steps(rules: Rules, atoms: list[Atom]) -> list[Step]:
    """Unplanned stays from all of a member's stay claims: a claim joins when it starts by the latest end + gap.

    `stay_claims` numbers each member's stays; `stay_groups` has one row per stay (its earliest
    service_from and whether any of its claims has a primary diagnosis on a list); `stays` gives each
    claim its stay's row (a grouping joined back costs less than windows partitioned by stay)."""
    primaries = sorted({a.primary for a in atoms if a.kind == "unplanned_stays" and a.primary})
    claim_flags = "".join(f", primary_{p}" for p in primaries)
    stay_flags = "".join(f", MAX(CASE WHEN primary_{p} THEN 1 ELSE 0 END) = 1 AS stay_primary_{p}" for p in primaries)
    gap = rules.stay_merge_gap_days
    numbered = f"""
SELECT member_id, claim_id, service_from, stay_no{claim_flags}
FROM (
  SELECT *, SUM(new_stay) OVER (PARTITION BY member_id ORDER BY service_from, claim_id
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS stay_no
  FROM (
    SELECT *, CASE WHEN prev_end IS NULL OR DATE_DIFF('day', prev_end, service_from) > {gap}
                   THEN 1 ELSE 0 END AS new_stay
    FROM (
      SELECT *, MAX(service_to) OVER (PARTITION BY member_id ORDER BY service_from, claim_id
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
      FROM claims_flagged WHERE is_stay
    ) a
  ) b
) c"""
    groups = (f"SELECT member_id, stay_no, MIN(service_from) AS stay_start{stay_flags} FROM stay_claims "
              "GROUP BY member_id, stay_no")
    joined = "".join(f", g.stay_primary_{p}" for p in primaries)
    stays = (f"SELECT c.member_id, c.claim_id, c.service_from, c.stay_no, g.stay_start{joined} FROM stay_claims c "
             "JOIN stay_groups g ON g.member_id = c.member_id AND g.stay_no = c.stay_no")
    return [Step("stay_claims", numbered, materialize=True), Step("stay_groups", groups, materialize=True),
            Step("stays", stays, materialize=True)]


def atom_sql(atom: Atom, as_of: dt.date) -> str:
    """Evidence rows of one claims measure: (member, atom, claim, date, unit counted toward thresholds).

    The counts come from `counts_steps`; these rows are read only for evidence."""
    head = f"SELECT member_id, '{atom.name}' AS atom, claim_id, service_from"
    if atom.kind in ("codes", "primary_codes"):
        flag = f"{'any' if atom.kind == 'codes' else 'primary'}_{atom.code_list}"
        return (f"{head}, claim_id AS unit FROM claims_flagged "
                f"WHERE {flag} AND {in_window('service_from', as_of, atom.months)}")
    if atom.kind == "unplanned_stays":
        extra = f" AND stay_primary_{atom.primary}" if atom.primary else ""
        return (f"{head}, CAST(stay_no AS VARCHAR) AS unit FROM stays "
                f"WHERE {in_window('stay_start', as_of, atom.months)}{extra}")
    # ED visits: every ED claim of one member on one date is one visit, in that date's window.
    if not atom.primary:
        return (f"{head}, CAST(service_from AS VARCHAR) AS unit FROM claims_flagged "
                f"WHERE is_ed AND {in_window('service_from', as_of, atom.months)}")
    return (f"{head}, CAST(service_from AS VARCHAR) AS unit FROM ("
            f"SELECT *, MAX(CASE WHEN primary_{atom.primary} THEN 1 ELSE 0 END) "
            f"OVER (PARTITION BY member_id, service_from) AS visit_primary FROM claims_flagged "
            f"WHERE is_ed AND {in_window('service_from', as_of, atom.months)}) v WHERE visit_primary = 1")


def dx_cells_step() -> Step:
    """Every diagnosis cell of the claims as read (`raw_dx`, NULL as ''; repeats allowed).

    An engine that already holds the claims' distinct diagnosis cells (DuckDB keeps them from validation)
    provides `dx_cells` itself and leaves this step out; the others run it.
    """
    return Step("dx_cells", f"SELECT DISTINCT {RAW_DX} AS raw_dx FROM claims_raw c")


def build_steps(rules: Rules, as_of: dt.date, provided: frozenset[str] = frozenset(),
                trimmed: frozenset[str] = frozenset()) -> list[Step]:
    """Every step of the job; the engine outputs are `ENGINE_OUTPUTS`.

    `provided` names relations the engine supplies itself (only `dx_cells`, see `dx_cells_step`).
    `trimmed` names input columns (`claims_raw.claim_id`, `claims_raw.member_id`, `members_raw.member_id`)
    whose every value validation proved unchanged by TRIM (`validate.trimmed_columns`): the steps read
    those as they are instead of trimming millions of ids that need none."""
    atoms = atoms_of(rules)
    adult_cutoff = years_before(as_of, rules.adult_age)
    steps = [
        members_step(rules, as_of, trimmed),
        Step("exclusions", "SELECT member_id, exclusion_reason AS reason FROM active_members "
                           "WHERE exclusion_reason IS NOT NULL", materialize=True),
        Step("eligible_members", f"SELECT *, birth_date <= {lit(adult_cutoff)} AS adult FROM active_members "
                                 "WHERE exclusion_reason IS NULL", materialize=True),
        *([] if "dx_cells" in provided else [dx_cells_step()]),
        *claims_steps(rules, as_of, atoms, trimmed),
        *stays_steps(rules, atoms),
    ]
    steps += facts_steps(rules, as_of, atoms)
    return steps


def counts_steps(as_of: dt.date, atoms: list[Atom]) -> list[tuple[Step, list[Atom]]]:
    """Per-member counts of each claims measure, straight from the flagged claims, visits and stays.

    A code measure counts claims (claim ids are unique: validation rejects a repeated one); an ED
    measure counts visits, one per member and date, with a primary diagnosis on the list when any of
    the visit's claims has one; a stay measure counts stays by their earliest service_from.
    """
    def count(test: str, atom: Atom) -> str:
        return f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END) AS n_{atom.name}"

    out = []
    codes = [a for a in atoms if a.kind in ("codes", "primary_codes")]
    if codes:
        cols = ", ".join(count(f"{'any' if a.kind == 'codes' else 'primary'}_{a.code_list} AND "
                               f"{in_window('service_from', as_of, a.months)}", a) for a in codes)
        out.append((Step("code_counts", f"SELECT member_id, {cols} FROM claims_flagged GROUP BY member_id",
                         materialize=True), codes))
    visits = [a for a in atoms if a.kind == "ed_visits"]
    if visits:
        primaries = sorted({a.primary for a in visits if a.primary})
        per_visit = "".join(f", MAX(CASE WHEN primary_{p} THEN 1 ELSE 0 END) AS visit_primary_{p}" for p in primaries)
        cols = ", ".join(count(in_window("service_from", as_of, a.months)
                               + (f" AND visit_primary_{a.primary} = 1" if a.primary else ""), a) for a in visits)
        out.append((Step("visit_counts", f"SELECT member_id, {cols} FROM (SELECT member_id, service_from{per_visit} "
                                         "FROM claims_flagged WHERE is_ed GROUP BY member_id, service_from) v "
                                         "GROUP BY member_id", materialize=True), visits))
    stays = [a for a in atoms if a.kind == "unplanned_stays"]
    if stays:
        primaries = sorted({a.primary for a in stays if a.primary})
        per_stay = "".join(f", stay_primary_{p}" for p in primaries)
        cols = ", ".join(count(in_window("stay_start", as_of, a.months)
                               + (f" AND stay_primary_{a.primary}" if a.primary else ""), a) for a in stays)
        out.append((Step("stay_counts", f"SELECT member_id, {cols} FROM (SELECT member_id, stay_no, "
                                        f"stay_start{per_stay} FROM stay_groups) s GROUP BY member_id",
                         materialize=True), stays))
    return out


def facts_steps(rules: Rules, as_of: dt.date, atoms: list[Atom]) -> list[Step]:
    """Per-member facts, POF rows, their evidence, and the per-row evidence summary."""
    counts = counts_steps(as_of, atoms)
    joins = "".join(f" LEFT JOIN {step.name} ON {step.name}.member_id = m.member_id" for step, _ in counts)
    coalesced = "".join(f", COALESCE({step.name}.n_{a.name}, 0) AS n_{a.name}" for step, group in counts
                        for a in group)
    # Whether each POF is live for the member's plan and county: POFs live in the same places share one
    # column (they usually all go live together), which keeps the materialised facts narrow.
    places: dict[str, str] = {}
    live_of = {pof: places.setdefault(_live_sql(rules, pof, as_of), f"live_{len(places)}") for pof in rules.pofs}
    live = "".join(f", {sql} AS {name}" for sql, name in places.items())
    facts = f"SELECT m.*{coalesced}{live} FROM eligible_members m{joins}"
    rows, links = [], []
    for pof, node in rules.pofs.items():
        met = condition_sql(node, as_of, rules)
        rows.append(f"SELECT member_id, '{pof}' AS pof FROM member_facts WHERE {live_of[pof]} AND {met}")
        for atom_name, path_sql in contributions(node, as_of, rules):
            links.append(f"SELECT member_id, '{pof}' AS pof, '{atom_name}' AS atom FROM member_facts "
                         f"WHERE {live_of[pof]} AND {met} AND {path_sql}")
    empty_links = "SELECT member_id, 'x' AS pof, 'x' AS atom FROM member_facts WHERE FALSE"
    # Each link (member, POF, measure) takes the measure's claims of that member. The measures' rows are
    # joined to the links in one join (no materialised table of every member's measure rows), which also
    # keeps Spark's plans small: each relation appears once.
    used = [a for a in atoms if any(f"'{a.name}' AS atom" in link for link in links)]
    measures = " UNION ALL ".join(f"SELECT member_id, '{a.name}' AS atom, claim_id, service_from "
                                  f"FROM ({atom_sql(a, as_of)}) a" for a in used)
    if measures:
        evidence = (f"SELECT DISTINCT l.member_id, l.pof, e.claim_id, e.service_from FROM pof_atoms l "
                    f"JOIN ({measures}) e ON e.member_id = l.member_id AND e.atom = l.atom")
    else:
        evidence = ("SELECT member_id, pof, 'x' AS claim_id, CAST(NULL AS DATE) AS service_from "
                    "FROM pof_atoms WHERE FALSE")
    return [
        *(step for step, _ in counts),
        Step("member_facts", facts, materialize=True),
        Step("pof_rows", " UNION ALL ".join(rows), materialize=True),
        Step("pof_atoms", " UNION ALL ".join(links) if links else empty_links, materialize=True),
        Step("evidence", evidence, materialize=True),
        # One row per candidate with its routing; the evidence summary (count, dates, first ids) is made from
        # `evidence` when the outputs are assembled (`identification.output`), the same code for every engine.
        Step("candidates_core", "SELECT r.member_id, r.pof, m.delegated_to AS route_to FROM pof_rows r "
                                "JOIN eligible_members m ON m.member_id = r.member_id"),
    ]


def _live_sql(rules: Rules, pof: str, as_of: dt.date) -> str:
    """Whether the POF is live for the member's plan and county on as_of (not listed = not live)."""
    places = [(plan, county) for plan, county, p, day in rules.go_live if p == pof and day <= as_of]
    if not places:
        return "FALSE"
    tests = " OR ".join(f"(plan_code = '{_q(plan)}' AND county = '{_q(county)}')" for plan, county in places)
    return f"COALESCE({tests}, FALSE)"


def _q(text: str) -> str:
    return text.replace("'", "''")


__all__ = ["CLAIM_COLUMNS", "ENGINE_OUTPUTS", "MEMBER_COLUMNS", "Group", "Leaf", "Node", "Step", "build_steps",
           "window_start"]
