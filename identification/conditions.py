"""POF rule trees compiled to SQL tests over `member_facts`, and the claims measures (atoms) they need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from identification.config import Group, Leaf, Node, Rules

CLAIMS_KINDS = ("codes", "primary_codes", "ed_visits", "unplanned_stays")


@dataclass(frozen=True)
class Atom:
    """A claims measure over one window: claims with a code, ED visits or unplanned stays."""

    kind: str
    months: int
    code_list: str | None = None
    primary: str | None = None

    @property
    def name(self) -> str:
        """A stable SQL-safe identifier, e.g. `ed_visits_12_smi_sud`."""
        parts = [self.kind, str(self.months), self.code_list or "", self.primary or ""]
        return "_".join(p for p in parts if p)


def leaf_atom(leaf: Leaf) -> Atom | None:
    """The claims measure a condition reads, or None for a roster-only condition."""
    if leaf.kind not in CLAIMS_KINDS:
        return None
    assert leaf.months is not None
    if leaf.kind in ("codes", "primary_codes"):
        return Atom(leaf.kind, leaf.months, code_list=leaf.value)
    return Atom(leaf.kind, leaf.months, primary=leaf.primary)


def leaves(node: Node) -> list[Leaf]:
    """Every condition of a rule tree, depth first."""
    if isinstance(node, Leaf):
        return [node]
    return [leaf for child in node.children for leaf in leaves(child)]


def atoms_of(rules: Rules) -> list[Atom]:
    """Distinct claims measures used by any POF, in a stable order."""
    found = {a for node in rules.pofs.values() for leaf in leaves(node) if (a := leaf_atom(leaf))}
    return sorted(found, key=lambda a: a.name)


def leaf_sql(leaf: Leaf, as_of: dt.date, rules: Rules) -> str:
    """SQL boolean (never NULL) for one condition, over a `member_facts` row."""
    def day(value: dt.date) -> str:
        return f"DATE '{value.isoformat()}'"

    atom = leaf_atom(leaf)
    if atom is not None:
        return f"(n_{atom.name} >= {leaf.minimum or 1})"
    if leaf.kind == "age":
        return "adult" if leaf.value == "adult" else "(NOT adult)"
    if leaf.kind == "age_under":
        return f"(birth_date > {day(as_of - relativedelta(years=leaf.value))})"
    if leaf.kind == "flag":
        return leaf.value
    if leaf.kind == "foster_care":
        return f"COALESCE(foster_care = '{leaf.value}', FALSE)"
    if leaf.kind == "race_in":
        return "COALESCE(race_ethnicity IN (" + ", ".join(f"'{r}'" for r in leaf.value) + "), FALSE)"
    if leaf.kind == "release":
        assert leaf.months is not None  # config always sets it for release_within_months
        start = as_of - relativedelta(months=leaf.months)
        return f"COALESCE(release_date > {day(start)} AND release_date <= {day(as_of)}, FALSE)"
    raise ValueError(f"unknown condition kind {leaf.kind}")


def condition_sql(node: Node, as_of: dt.date, rules: Rules) -> str:
    """SQL boolean for a whole rule tree: `all` is AND, `any` is OR."""
    if isinstance(node, Leaf):
        return leaf_sql(node, as_of, rules)
    joiner = " AND " if node.op == "all" else " OR "
    return "(" + joiner.join(condition_sql(c, as_of, rules) for c in node.children) + ")"


def contributions(node: Node, as_of: dt.date, rules: Rules) -> list[tuple[str, str]]:
    """For each claims condition, (atom name, SQL test that it is met along with every group above it).

    Evidence is the claims behind each condition that is met, so each side of an `any` that holds
    contributes, and a side that fails contributes nothing even when the row qualifies another way.
    """
    out: list[tuple[str, str]] = []

    def walk(current: Node, path: tuple[str, ...]) -> None:
        here = (*path, condition_sql(current, as_of, rules))
        if isinstance(current, Group):
            for child in current.children:
                walk(child, here)
            return
        atom = leaf_atom(current)
        if atom is not None:
            out.append((atom.name, "(" + (" AND ".join(here[1:]) or "TRUE") + ")"))

    walk(node, ())
    return out
