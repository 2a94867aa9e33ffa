"""Plan identification into the ECM pipeline: `calaim identify` output loaded as referrals."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calaim.core.clock import plan_today
from calaim.core.errors import Forbidden, ValidationFailed
from calaim.referrals.models import Referral
from calaim.workflows.plan_identification import COLUMNS, candidates_load
from identification.run import identify
from tests.conftest import referral_body
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today()


def write_candidates(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    "as_of": TODAY.isoformat(),
                    "rule_version": "2026.1",
                    "evidence_count": "2",
                    "first_evidence_date": "2026-01-02",
                    "last_evidence_date": "2026-03-04",
                    "evidence_claim_ids": "C1;C2",
                    "route_to": "",
                    **row,
                }
            )
    return path


def test_candidates_become_referrals_once(tmp_path, network, api):
    new, enrolled_elsewhere, open_one = MemberFactory(), MemberFactory(), MemberFactory(experiencing_homelessness=True)
    kaiser = MemberFactory(delegated_to=network.kaiser)
    api("referrer").post("/referrals", referral_body(open_one))
    path = write_candidates(
        tmp_path / "candidates.csv",
        [
            {"member_id": new.cin, "pof": "A2"},
            {"member_id": new.cin, "pof": "A3"},
            {"member_id": open_one.cin, "pof": "A1"},
            {"member_id": kaiser.cin, "pof": "A2", "route_to": "KAISER"},
            {"member_id": "99999999Z", "pof": "A2"},
        ],
    )
    report = candidates_load(actor=network.users["intake"], path=path, day=TODAY, determine=True)
    assert report.created == 1 and report.determined == {"eligible": 1}
    assert report.skipped == {
        "has an open referral": 1,
        "delegated (ECM provided by the delegate)": 1,
        "no such member in calaim": 1,
    }
    referral = Referral.objects.get(member=new, source_type="plan_identification")
    assert {a["pof"] for a in referral.pof_attestations} == {"A2", "A3"}
    assert referral.evidence["A2"]["evidence_claim_ids"] == ["C1", "C2"]
    assert referral.status == "pending_authorization"
    again = candidates_load(actor=network.users["intake"], path=path, day=TODAY)
    assert again.created == 0 and Referral.objects.filter(source_type="plan_identification").count() == 1
    assert enrolled_elsewhere.referrals.count() == 0


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ({"member_id": "1234", "pof": "A2"}, "member_id"),
        ({"pof": "Z9"}, "pof"),
        ({"pof": "A2", "as_of": "yesterday"}, "as_of"),
        ({"pof": "A2", "rule_version": ""}, "rule_version"),
    ],
)
def test_bad_rows_name_row_and_column_and_write_nothing(tmp_path, network, row, column):
    good = MemberFactory()
    path = write_candidates(tmp_path / "c.csv", [{"member_id": good.cin, "pof": "A2"}, {"member_id": good.cin, **row}])
    with pytest.raises(ValidationFailed) as error:
        candidates_load(actor=network.users["intake"], path=path, day=TODAY)
    assert "row 2" in error.value.message and column in error.value.message and "c.csv" in error.value.message
    assert Referral.objects.count() == 0


def test_missing_column_is_an_error(tmp_path, network):
    path = tmp_path / "c.csv"
    path.write_text("member_id,pof\n10000000A,A2\n")
    with pytest.raises(CommandError, match="missing column as_of"):
        call_command("load_candidates", str(path), "--as", "intake")


def test_only_plan_intake_may_load(tmp_path, network):
    path = write_candidates(tmp_path / "c.csv", [{"member_id": MemberFactory().cin, "pof": "A2"}])
    for name in ("um", "cm_a", "referrer"):
        with pytest.raises(Forbidden):
            candidates_load(actor=network.users[name], path=path, day=TODAY)
    assert Referral.objects.count() == 0


def test_identify_output_loads_end_to_end(tmp_path, network):
    """Members and claims exported from calaim, run through `calaim identify`, loaded back."""
    homeless = MemberFactory(experiencing_homelessness=True, birth_date=dt.date(1970, 1, 1))
    other = MemberFactory(birth_date=dt.date(1975, 1, 1))
    members = tmp_path / "members.csv"
    with members.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "member_id",
                "first_name",
                "last_name",
                "birth_date",
                "county",
                "plan_code",
                "enrollment_start",
                "homeless_flag",
            ]
        )
        for m in (homeless, other):
            writer.writerow(
                [
                    m.cin,
                    m.first_name,
                    m.last_name,
                    m.birth_date,
                    "San Joaquin",
                    "HPSJ",
                    "2020-01-01",
                    "true" if m.experiencing_homelessness else "false",
                ]
            )
    claims = tmp_path / "claims.csv"
    visit = (TODAY - dt.timedelta(days=30)).isoformat()
    claims.write_text(
        "claim_id,member_id,service_from,claim_type,diagnosis_codes\n"
        f"K1,{homeless.cin},{visit},professional,I50.9\n"
        f"K2,{other.cin},{visit},professional,Z00.00\n"
    )
    out = tmp_path / "candidates.csv"
    identify(members, claims, TODAY, out)
    call_command("load_candidates", str(out), "--as", "intake", "--determine")
    referral = Referral.objects.get(source_type="plan_identification")
    assert referral.member == homeless
    assert [a["pof"] for a in referral.pof_attestations] == ["A1"]
    assert referral.evidence["A1"]["evidence_claim_ids"] == ["K1"]
    assert referral.status == "pending_authorization"
