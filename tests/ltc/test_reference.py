"""Facility types and NEMT rules as dated reference data: carve-in dates per county, editions by date, and a
malformed file refused naming the place."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from calaim.ltc.npi import npi_problem, npi_valid
from calaim.ltc.reference import REFERENCE_DIR, facility_editions, facility_types_on, nemt_rules_on
from calaim.plans.reference import ReferenceDataError

D = dt.date


def test_every_facility_type_is_listed_with_its_level_and_pasrr_rule():
    edition = facility_types_on(D(2026, 1, 1))
    codes = [t.code for t in edition.types]
    assert codes == ["SNF/NF-B", "NF-A", "Subacute-Adult", "Subacute-Peds", "ICF/DD", "ICF/DD-H", "ICF/DD-N"]
    assert set(edition.nursing_facility_codes()) == {"SNF/NF-B", "NF-A", "Subacute-Adult", "Subacute-Peds"}


@pytest.mark.parametrize(
    ("code", "county", "day", "covered"),
    [
        ("SNF/NF-B", "San Joaquin", D(2022, 12, 31), False),
        ("SNF/NF-B", "San Joaquin", D(2023, 1, 1), True),
        ("SNF/NF-B", "Stanislaus", D(2023, 1, 1), True),
        ("SNF/NF-B", "San Mateo", D(2022, 6, 1), None),  # COHS: carved in before 2023, start not read
        ("SNF/NF-B", "San Mateo", D(2023, 1, 1), True),
        ("Subacute-Adult", "San Joaquin", D(2023, 12, 31), False),
        ("Subacute-Peds", "San Mateo", D(2024, 1, 1), True),
        ("ICF/DD", "Stanislaus", D(2023, 7, 1), False),  # not the 2022 notice's 1 Jul 2023
        ("ICF/DD-H", "San Joaquin", D(2024, 1, 1), True),
        ("ICF/DD-N", "San Mateo", D(2023, 12, 31), False),
    ],
)
def test_carve_in_dates(code, county, day, covered):
    row = facility_types_on(day).get(code).carve_in_for(county)
    assert row.covers(day) is covered
    assert row.source.startswith("https://") and row.confidence in {"C", "C2", "P", "M", "?"}


def test_nemt_editions_by_date():
    before, after = nemt_rules_on(D(2017, 12, 31)), nemt_rules_on(D(2018, 1, 1))
    assert [code for code, _ in before.signer_types] == ["physician"]
    assert {"np", "pa", "cnm", "pt", "st", "ot", "mh_sud"} <= {code for code, _ in after.signer_types}
    assert after.pcs_max_months == 12 and not after.is_nemt("nmt") and after.is_nemt("litter_van")
    assert after.forms_for("HPSJ", D(2023, 2, 28)) == ("HPSJ PCS (before 2023-03)",)
    assert after.forms_for("HPSJ", D(2023, 3, 1)) == ("HPSJ PCS (2023-03)",)


def test_a_malformed_file_is_refused_naming_the_place(tmp_path):
    shutil.copy(REFERENCE_DIR / "nemt.yaml", tmp_path / "nemt.yaml")
    text = (REFERENCE_DIR / "facility_types.yaml").read_text().replace("precision: exact,", "precision: maybe,", 1)
    (tmp_path / "facility_types.yaml").write_text(text)
    with pytest.raises(ReferenceDataError, match=r"facility type SNF/NF-B, key 'carve_in\.precision'"):
        facility_editions(tmp_path)


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1234567890", False), ("123456789", False), ("12345678a3", False), ("１234567893", False)],
)
def test_npi_check_digit(npi, valid):
    assert npi_valid(npi) is valid
    assert (npi_problem(npi) == "") is valid
