"""Fixtures for identification runs: the plans' data analysts, a data folder of the test's own, and small members
and claims files whose members calaim knows (so a load creates referrals), with one of each kind of row the page
must show: a candidate known to calaim, one calaim does not know, a delegated one, one calaim knows in another plan,
an excluded member and a claim whose CIN is not in the members file."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from calaim.accounts.models import Role, User
from calaim.core.clock import plan_today
from calaim.members.models import Member
from calaim.plans.models import County, Plan
from tests.factories import MemberFactory, UserFactory

TODAY = plan_today()
MEMBER_COLUMNS = ["member_id", "first_name", "last_name", "birth_date", "county", "plan_code", "enrollment_start",
                  "homeless_flag", "delegated_to", "other_programs"]  # fmt: skip
CLAIM_COLUMNS = ["claim_id", "member_id", "service_from", "claim_type", "place_of_service", "diagnosis_codes"]
UNKNOWN_CIN = "99999991Z"  # a candidate calaim does not know
STRAY_CIN = "99999992Z"  # a claim whose CIN is in no members row


@dataclass
class PlanFiles:
    members: Path
    claims: Path
    homeless: Member  # A1, known to calaim
    frequent: Member  # A2 (6 ED visits), known to calaim
    delegated: Member  # A2, delegated to Kaiser: listed with route_to, skipped at load
    elsewhere: Member  # A2, but calaim knows them as an HPSM member: not listed, never loaded
    hospice: Member  # excluded (HOSPICE)


def _day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def member_row(member: Member | None, **values: str) -> dict[str, str]:
    row = {"first_name": "Ana", "last_name": "Doe", "birth_date": "1970-01-01", "county": "San Joaquin",
           "plan_code": "HPSJ", "enrollment_start": "2020-01-01", "homeless_flag": "false", "delegated_to": "",
           "other_programs": ""}  # fmt: skip
    if member is not None:
        row |= {"member_id": member.cin, "first_name": member.first_name, "last_name": member.last_name,
                "birth_date": member.birth_date.isoformat()}  # fmt: skip
    return row | values


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def ed_visits(cin: str, prefix: str, count: int) -> list[dict[str, str]]:
    return [
        {"claim_id": f"{prefix}{n}", "member_id": cin, "service_from": _day(10 + 7 * n), "claim_type": "professional",
         "place_of_service": "23", "diagnosis_codes": "R10.9"}
        for n in range(count)
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def data_dirs(settings: Any, tmp_path: Path) -> Path:
    """Each test keeps its uploads, runs and server folder under its own temporary folder."""
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    settings.CALAIM_SERVER_FILES_DIR = tmp_path / "inbox"
    settings.CALAIM_SPARK_MASTER = ""
    return tmp_path


@pytest.fixture
def analysts(network: Any) -> dict[str, User]:
    """The plans' data analysts, also reachable as network.users["analyst"] and ["hpsm_analyst"]."""
    made = {
        "analyst": UserFactory(username="analyst", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj),
        "analyst2": UserFactory(username="analyst2", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj),
        "hpsm_analyst": UserFactory(username="hpsm_analyst", role=Role.PLAN_DATA_ANALYST, organization=network.hpsm),
    }
    network.users.update(made)
    return made


@pytest.fixture
def plan_files(network: Any, analysts: Any, tmp_path: Path) -> PlanFiles:
    """The plan's export: members and claims files as the identification contract describes them."""
    homeless = MemberFactory(first_name="Hope", last_name="Street", birth_date=dt.date(1970, 1, 1))
    frequent = MemberFactory(first_name="Ed", last_name="Visitor", birth_date=dt.date(1965, 3, 2))
    delegated = MemberFactory(last_name="Kaiserly", delegated_to=network.kaiser)
    elsewhere = MemberFactory(last_name="Mateo", plan=Plan.objects.get(code="HPSM"),
                              county=County.objects.get(name="San Mateo"))  # fmt: skip
    hospice = MemberFactory(last_name="Hospicer")
    folder = tmp_path / "export"
    folder.mkdir()
    members = write_csv(folder / "members.csv", MEMBER_COLUMNS, [
        member_row(homeless, homeless_flag="true"),
        member_row(frequent),
        member_row(delegated, delegated_to="KAISER"),
        member_row(elsewhere),
        member_row(hospice, other_programs="HOSPICE"),
        member_row(None, member_id=UNKNOWN_CIN, first_name="Nadie", last_name="Unknown"),
    ])  # fmt: skip
    claims = write_csv(folder / "claims.csv", CLAIM_COLUMNS, [
        {"claim_id": "H1", "member_id": homeless.cin, "service_from": _day(30), "claim_type": "professional",
         "diagnosis_codes": "I50.9"},
        *ed_visits(frequent.cin, "F", 6),
        *ed_visits(delegated.cin, "D", 5),
        *ed_visits(elsewhere.cin, "E", 5),
        *ed_visits(hospice.cin, "P", 5),
        *ed_visits(UNKNOWN_CIN, "U", 5),
        {"claim_id": "S1", "member_id": STRAY_CIN, "service_from": _day(5), "claim_type": "professional",
         "diagnosis_codes": "Z00.00"},
    ])  # fmt: skip
    return PlanFiles(members, claims, homeless, frequent, delegated, elsewhere, hospice)
