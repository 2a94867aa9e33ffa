"""The DuckDB engine drops each table once nothing still to run reads it, and never one still needed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from identification.config import load_rules
from identification.engine_duckdb import drop_schedule
from identification.rulesql import ENGINE_OUTPUTS, Step, build_steps

AS_OF = dt.date(2026, 6, 30)


def _reads(sql: str, names: set[str]) -> set[str]:
    return {n for n in names if re.search(rf"\b{re.escape(n)}\b", sql)}


@pytest.mark.parametrize("provided", [frozenset(), frozenset({"dx_cells"})])
def test_no_step_or_output_reads_a_dropped_table(provided: frozenset[str]) -> None:
    steps = build_steps(load_rules(), AS_OF, provided)
    views = {"dx_cells": {"validation_values_9"}} if provided else {}
    schedule = drop_schedule(steps, views, ENGINE_OUTPUTS)
    sql = {s.name: s.sql for s in steps} | {v: " ".join(reads) for v, reads in views.items()}
    kind = {s.name: s.materialize for s in steps} | {v: False for v in views}
    names = set(sql) | {r for reads in views.values() for r in reads}

    def needs(relation: str) -> set[str]:
        """What reading `relation` reads at that moment: a view's relations, transitively."""
        got = {relation}
        if not kind.get(relation, True):
            for r in _reads(sql[relation], names - {relation}):
                got |= needs(r)
        return got

    dropped: set[str] = set()
    for step, drops in zip(steps, schedule, strict=True):
        used = set().union(*(needs(r) for r in _reads(step.sql, names - {step.name})))
        assert not used & dropped, (step.name, used & dropped)
        assert all(kind.get(t, True) for t in drops), drops  # only tables are dropped, never views
        dropped |= set(drops)
    final = set().union(*(needs(o) for o in ENGINE_OUTPUTS))
    assert not final & dropped
    # Every table the outputs do not read is dropped, so no dead table holds memory at the end.
    tables = {s.name for s in steps if s.materialize} | {r for reads in views.values() for r in reads}
    assert dropped == tables - final
    assert "claims_flagged" in dropped


def test_a_view_keeps_what_it_reads_alive_until_the_view_is_last_read() -> None:
    steps = [Step("a", "SELECT 1 AS x", materialize=True), Step("v", "SELECT x FROM a"),
             Step("b", "SELECT x FROM v", materialize=True), Step("c", "SELECT 2 AS y", materialize=True),
             Step("out", "SELECT y FROM c, b")]
    assert drop_schedule(steps, {}, ("out",)) == [[], [], ["a"], [], []]
    # b is read by the output (through the view `out`), so it is never dropped; a goes once b is built.
