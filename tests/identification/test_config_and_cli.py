"""Rules file validation, an alternative rules file, and the `calaim` command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from identification.cli import main
from identification.config import DEFAULT_RULES_PATH, load_rules
from identification.errors import RulesError
from identification.output import default_exclusions_path
from tests.identification.conftest import CLAIM_COLUMNS, MEMBER_COLUMNS, claim, member, write_rows


def _rules_with(tmp_path: Path, change) -> Path:
    doc = yaml.safe_load(DEFAULT_RULES_PATH.read_text())
    change(doc)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.pop("version"), "'version': is missing"),
        (lambda d: d.update(version=""), "'version'"),
        (lambda d: d["pofs"]["A2"]["all"][1]["any"][0].update(ed_visits=0), "pofs.A2.all[1].any[0].ed_visits"),
        (lambda d: d["pofs"]["A1"]["all"][2].update(codes="nope"), "pofs.A1.all[2].codes"),
        (lambda d: d["code_lists"]["smi"].update(include=["F20-G29"]), "code_lists.smi.include[0]"),
        (lambda d: d["go_live"][0]["dates"].update(A1="2022-13-01"), "go_live[0].dates.A1"),
        (lambda d: d["exclusions"].update(program_order=["PACE", "HOSPICE"]), "exclusions.program_order"),
        (lambda d: d["pofs"]["C6"]["all"][1].update(months=3), "unexpected key"),
        (lambda d: d["code_lists"].update(loop={"lists": ["loop"]}), "code_lists.loop"),
    ],
)
def test_invalid_rules_name_the_key(tmp_path, change, words: str) -> None:
    path = _rules_with(tmp_path, change)
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert words in str(info.value) and str(path) in str(info.value)


def test_default_rules_version() -> None:
    assert load_rules().version == "2026.1"


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    m = write_rows(tmp_path / "members.csv", MEMBER_COLUMNS, [member(homeless_flag="true")])
    c = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim(diagnosis_codes="E11"), claim("99999999Z")])
    return m, c


def test_cli_identify_with_alternative_rules(tmp_path, capsys) -> None:
    m, c = _inputs(tmp_path)
    rules = _rules_with(tmp_path, lambda d: d.update(version="2026.1-plan-b"))
    out = tmp_path / "out" / "candidates.csv"
    assert main(["identify", "--members", str(m), "--claims", str(c), "--as-of", "2026-06-30",
                 "--out", str(out), "--rules", str(rules)]) == 0
    assert out.read_text().splitlines()[1].split(",")[3] == "2026.1-plan-b"
    assert default_exclusions_path(out).exists()
    err = capsys.readouterr().err
    assert "claims skipped (member_id not in members): 1" in err and "row 2, column member_id" in err
    assert "A1 1" in err


def test_cli_explicit_exclusions_path_and_parquet(tmp_path) -> None:
    m, c = _inputs(tmp_path)
    out, excl = tmp_path / "c.parquet", tmp_path / "x" / "excl.csv"
    assert main(["identify", "--members", str(m), "--claims", str(c), "--as-of", "2026-06-30",
                 "--out", str(out), "--exclusions", str(excl)]) == 0
    assert out.exists() and excl.read_text() == "member_id,reason\n"


def test_cli_invalid_input_exits_non_zero_without_outputs(tmp_path, capsys) -> None:
    m = write_rows(tmp_path / "members.csv", MEMBER_COLUMNS, [member(birth_date="1980-02-30")])
    c = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim()])
    out = tmp_path / "out" / "candidates.csv"
    status = main(["identify", "--members", str(m), "--claims", str(c), "--as-of", "2026-06-30", "--out", str(out)])
    assert status != 0
    err = capsys.readouterr().err
    assert str(m) in err and "row 1" in err and "birth_date" in err
    assert not out.exists() and not out.parent.exists()


def test_default_exclusions_path() -> None:
    assert default_exclusions_path(Path("out/candidates.csv")) == Path("out/candidates.exclusions.csv")
    assert default_exclusions_path(Path("a.b/c.parquet")) == Path("a.b/c.exclusions.parquet")
