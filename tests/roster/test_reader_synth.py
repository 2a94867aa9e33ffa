"""`calaim synth` writes a members file that is also a valid roster (exchange-spec §1's contact columns included):
split by plan, each part reads with no error against a vocabulary of its plan's counties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from calaim.roster.reader import Vocabulary, roster_read
from calaim.roster.reader_values import npi_valid
from identification.inputs import PROGRAMS
from identification.synth import CITIES, PLACES, synthesize
from tests.roster.test_reader_formats import output

AS_OF_TODAY = dt.date(2026, 6, 30)
CONTACT = ("phone", "address_line", "city", "zip_code", "pcp_npi", "pcp_name", "bh_provider_npi", "bh_provider_name")


def vocabulary(plan: str) -> Vocabulary:
    """What calaim would know for a synthetic plan: its counties as synth places its members, Kaiser as delegate."""
    return Vocabulary(plan_code=plan, plan_codes=frozenset(p for p, _, _ in PLACES),
                      counties={county.casefold(): county for p, county, _ in PLACES if p == plan},
                      delegates={"kaiser": "KAISER"}, programs=PROGRAMS)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_synthetic_members_are_a_clean_roster_per_plan(tmp_path: Path, fmt: str) -> None:
    members, _claims = synthesize(1500, tmp_path / "synth", seed=9, fmt=fmt, claims_per_member=1)
    table = pq.read_table(members) if fmt == "parquet" else pacsv.read_csv(members)
    assert set(CONTACT) <= set(table.column_names)
    rows = []
    for plan in sorted({p for p, _, _ in PLACES}):
        part = tmp_path / f"{plan}.{fmt}"
        chosen = table.filter(pc.equal(table["plan_code"], plan))
        pq.write_table(chosen, part) if fmt == "parquet" else pacsv.write_csv(chosen, part)
        result = roster_read(part, vocabulary=vocabulary(plan), work_dir=tmp_path / "work", today=AS_OF_TODAY)
        assert (result.errors, result.error_count) == ([], 0)
        assert result.rows_read == chosen.num_rows > 100 and result.present >= set(CONTACT)
        rows += output(result)
    area_codes = {county: code for county, (code, _) in CITIES.items()}
    cities = {county: {c for c, _ in places} for county, (_, places) in CITIES.items()}
    for r in rows:
        assert r["phone"] == "" or r["phone"].startswith("+1" + area_codes[r["county"]] + "555")
        assert r["city"] == "" or r["city"] in cities[r["county"]]
        assert all(n == "" or npi_valid(n) for n in (r["pcp_npi"], r["bh_provider_npi"]))
    # Some of each: every phone shape read, ZIP+4 kept, and members without a phone, PCP or behavioral health.
    assert sum(r["phone"] == "" for r in rows) > 20 and sum("-" in r["zip_code"] for r in rows) > 200
    assert sum(r["pcp_npi"] == "" for r in rows) > 20 and 100 < sum(r["bh_provider_npi"] != "" for r in rows) < 600
    assert all((r["pcp_npi"] == "") == (r["pcp_name"] == "") for r in rows)


def test_synthetic_contact_columns_are_deterministic(tmp_path: Path) -> None:
    a = synthesize(200, tmp_path / "a", seed=4, fmt="csv", claims_per_member=1)
    b = synthesize(200, tmp_path / "b", seed=4, fmt="csv", claims_per_member=1)
    assert a[0].read_bytes() == b[0].read_bytes()
    c = synthesize(200, tmp_path / "c", seed=5, fmt="csv", claims_per_member=1)
    assert pacsv.read_csv(a[0])["phone"] != pacsv.read_csv(c[0])["phone"]
