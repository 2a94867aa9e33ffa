"""Malformed provider files, generated here (issue 13 item 8): each is rejected naming the file, the row (the Nth data
record, or none for the whole file) and the column, and nothing is applied, not even the file's good rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from calaim.careplans.models import OutreachAttempt
from calaim.core.errors import ValidationFailed
from calaim.ecm.models import Enrollment
from calaim.exchange.columns import OTF_COLUMNS, OTF_REQUIRED, RTF_COLUMNS, RTF_REQUIRED
from calaim.exchange.models import ContactUpdate, EncounterCount, ExchangeLoad, LoadStatus, ProviderReport
from calaim.exchange.reader import RowError
from calaim.members.models import Member
from calaim.plans.models import County, Plan
from calaim.referrals.models import LoopEvent
from tests.exchange.conftest import (
    BRAVO_NPI,
    otf_file,
    otf_row,
    rtf_file,
    rtf_row,
    run_import,
    today,
    us,
    write_table,
)
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

CIN, OTF_CIN = "Member Client Index Number (CIN)", "Member Client Index Number"
NPI = "ECM Provider National Provider Identifier (NPI)"
STATUS, STATUS_DATE, REASON = "Referral Status", "Date of Referral Status Update", "Reason for Referral Loop Closure"
DATE_COLUMNS = (
    "ECM Enrollment Start Date",
    "ECM Enrollment End Date",
    "Date of Latest Care Plan Revision",
    "Date of Most Recent Care Conference",
    "Date Assessment Started",
    "Date of Most Recent Completed Assessment",
    "Date of Most Recent Encounter with Member",
    "Discontinuation Date",
    "Member Information Return Transmission File Production Date",
    STATUS_DATE,
)
OTF_DATE, METHOD, SUCCESSFUL, MINUTES = (
    "Date of Outreach Attempt",
    "Outreach Attempt Method",
    "Outreach Attempt Successful",
    "Time Spent Performing Outreach",
)


@dataclass
class World:
    assigned: str  # assigned to Alpha 20 days ago
    enrolled: str  # enrolled with Alpha today
    bravo: str  # assigned to another provider of the plan
    other_plan: str  # a member of HPSM
    tmp: Path


@pytest.fixture
def world(alpha: Any, assigned: Any, network: Any, tmp_path: Path) -> World:
    hpsm = Member.objects.create(
        cin="20000000B",
        first_name="Lee",
        last_name="Mateo",
        birth_date=dt.date(1970, 1, 1),
        plan=Plan.objects.get(code="HPSM"),
        county=County.objects.get(name="San Mateo"),
    )
    bravo = EnrollmentFactory(provider=network.provider_b)
    return World(assigned().member.cin, assigned(enrolled=True).member.cin, bravo.member.cin, hpsm.cin, tmp_path)


# A case: (kind, a function writing the file, the row and column of the first error; row None for the whole file).
Case = tuple[str, Callable[[World], Path], int | None, str | None]
CASES: dict[str, Case] = {}


def rtf_case(name: str, bad: Callable[[World], dict[str, Any]], column: str | None, *, row: int = 2) -> None:
    """A file whose row 1 is good and row 2 is `bad`; the error is expected on `row`, `column`."""

    def build(w: World) -> Path:
        good = rtf_row(
            w.assigned,
            status="Accepted",
            status_date=us(today()),
            lcm="Rosa Diaz",
            in_person=1,
            period=f"{today():%Y-%m}",
            new_address="Y",
            address="1 Main St",
        )
        return rtf_file(w.tmp / f"{name}.csv", [good, bad(w)])

    CASES[f"rtf-{name}"] = ("rtf", build, row, column)


def otf_case(name: str, bad: Callable[[World], dict[str, Any]], column: str | None, *, row: int = 2) -> None:
    def build(w: World) -> Path:
        return otf_file(w.tmp / f"{name}.csv", [otf_row(w.assigned, today() - dt.timedelta(days=1)), bad(w)])

    CASES[f"otf-{name}"] = ("otf", build, row, column)


def file_case(
    name: str, kind: str, build: Callable[[World], Path], row: int | None = None, column: str | None = None
) -> None:
    CASES[f"{kind}-file-{name}"] = (kind, build, row, column)


def loop(w: World, **values: Any) -> dict[str, Any]:
    return rtf_row(w.assigned, **values)


# ---- RTF: values ---------------------------------------------------------------------------------------------------
for i, cin in enumerate(["1234567A", "123456789", "12345678a", "ABCDEFGHI", "12345678 A", "9123456789A", "9123-567A"]):
    rtf_case(f"cin-{i}", lambda w, c=cin: rtf_row(c, status="Accepted", status_date=us(today())), CIN)
for column in DATE_COLUMNS:
    for i, text in enumerate(["13/45/2025", "2025-02-30", "yesterday"]):
        rtf_case(f"date-{column}-{i}", lambda w, c=column, t=text: rtf_row(w.assigned, **{c: t}), column)
    rtf_case(
        f"future-{column}", lambda w, c=column: rtf_row(w.assigned, **{c: us(today() + dt.timedelta(days=3))}), column
    )
rtf_case(
    "status-after-production",
    lambda w: loop(w, status="Accepted", status_date=us(today()), produced=us(today() - dt.timedelta(days=1))),
    STATUS_DATE,
)
for i, status in enumerate(["Closed", "Acepted", "Loop Closed", "Enrolled"]):
    rtf_case(f"status-{i}", lambda w, s=status: loop(w, status=s, status_date=us(today())), STATUS)
for i, reason in enumerate(["Because", "Services", "Member Moved"]):
    rtf_case(
        f"reason-{i}",
        lambda w, r=reason: loop(w, status="Referral Loop Closed", status_date=us(today()), reason=r),
        REASON,
    )
rtf_case("closed-without-reason", lambda w: loop(w, status="Referral Loop Closed", status_date=us(today())), REASON)
rtf_case("reason-without-closed", lambda w: loop(w, status="Pending", status_date=us(today()), reason="Other"), REASON)
rtf_case("reason-without-status", lambda w: loop(w, reason="Other"), STATUS)
rtf_case("status-without-date", lambda w: loop(w, status="Pending"), STATUS_DATE)
rtf_case("date-without-status", lambda w: loop(w, status_date=us(today())), STATUS)
for i, code in enumerate(["99", "6", "goal met", "X1"]):
    rtf_case(
        f"discontinuation-code-{i}",
        lambda w, c=code: rtf_row(w.enrolled, discontinued=us(today()), code=c),
        "Discontinuation Reason Code",
    )
rtf_case(
    "discontinued-without-code", lambda w: rtf_row(w.enrolled, discontinued=us(today())), "Discontinuation Reason Code"
)
rtf_case("code-without-date", lambda w: rtf_row(w.enrolled, code="1"), "Discontinuation Date")
rtf_case(
    "discontinued-before-start",
    lambda w: rtf_row(w.enrolled, discontinued=us(today() - dt.timedelta(days=1)), code="1"),
    "Discontinuation Date",
)
for i, status in enumerate(["Active", "Enroled", "Yes"]):
    rtf_case(f"ecm-status-{i}", lambda w, s=status: rtf_row(w.assigned, ecm_status=s), "Member ECM Status")
rtf_case("enrolled-without-start", lambda w: rtf_row(w.assigned, ecm_status="Enrolled"), "ECM Enrollment Start Date")
rtf_case(
    "start-before-assignment",
    lambda w: rtf_row(w.assigned, ecm_status="Enrolled", start=us(today() - dt.timedelta(days=25))),
    "ECM Enrollment Start Date",
)
rtf_case(
    "another-start-on-record",
    lambda w: rtf_row(w.enrolled, ecm_status="Enrolled", start=us(today() - dt.timedelta(days=1))),
    "ECM Enrollment Start Date",
)
rtf_case(
    "end-before-start",
    lambda w: rtf_row(w.enrolled, start=us(today()), **{"ECM Enrollment End Date": us(today() - dt.timedelta(days=1))}),
    "ECM Enrollment End Date",
)
rtf_case("member-of-another-provider", lambda w: rtf_row(w.bravo, status="Accepted", status_date=us(today())), CIN)
rtf_case("member-of-another-plan", lambda w: rtf_row(w.other_plan, status="Accepted", status_date=us(today())), CIN)
rtf_case("unknown-member", lambda w: rtf_row("99999999Z", status="Accepted", status_date=us(today())), CIN)
rtf_case("npi-of-another-provider", lambda w: rtf_row(w.assigned, npi=BRAVO_NPI, acuity="High"), NPI)
for i, npi in enumerate(["123456789", "1234567890", "ABCDEFGHIJ"]):
    rtf_case(f"npi-{i}", lambda w, n=npi: rtf_row(w.assigned, npi=n, acuity="High"), NPI)
rtf_case("empty-cin", lambda w: rtf_row("", acuity="High"), CIN)
rtf_case("empty-npi", lambda w: rtf_row(w.assigned, npi="", acuity="High"), NPI)
rtf_case(
    "duplicate-row",
    lambda w: rtf_row(
        w.assigned,
        status="Accepted",
        status_date=us(today()),
        lcm="Rosa Diaz",
        in_person=1,
        period=f"{today():%Y-%m}",
        new_address="Y",
        address="1 Main St",
    ),
    CIN,
)
rtf_case(
    "conflicting-lead-care-manager",
    lambda w: rtf_row(w.assigned, lcm="Sam Wu", period=f"{today():%Y-%m}"),
    "ECM Lead Care Manager Name",
)
rtf_case("conflicting-counts", lambda w: rtf_row(w.assigned, in_person=5, period=f"{today():%Y-%m}"), "In Person")
rtf_case("conflicting-reason", lambda w: loop(w, status="Accepted", status_date=us(today()), reason="Other"), REASON)
for column in ("Member New Address Indicator", "Member Homelessness Indicator", "Member New Phone Number Indicator"):
    rtf_case(f"flag-{column}", lambda w, c=column: rtf_row(w.enrolled, **{c: "maybe"}), column)
rtf_case("zip", lambda w: rtf_row(w.enrolled, zip="9520"), "Member Residential Zip")
rtf_case(
    "state", lambda w: rtf_row(w.enrolled, **{"Member Residential State": "California"}), "Member Residential State"
)
rtf_case("phone", lambda w: rtf_row(w.enrolled, new_phone="Y", phone="555-0100"), "Member Phone Number")
rtf_case("lcm-phone", lambda w: rtf_row(w.enrolled, lcm_phone="123"), "ECM Lead Care Manager Name Phone Number")
rtf_case("lcm-email", lambda w: rtf_row(w.enrolled, lcm_email="rosa at alpha"), "ECM Lead Care Manager Email")
for i, count in enumerate(["-1", "2.5", "many", "100000"]):
    rtf_case(
        f"in-person-{i}", lambda w, n=count: rtf_row(w.enrolled, in_person=n, period=f"{today():%Y-%m}"), "In Person"
    )
rtf_case("telephonic", lambda w: rtf_row(w.enrolled, telephonic="two", period=f"{today():%Y-%m}"), "Telephonic/Video")
for i, period in enumerate(["2026-13", "January", "26-01"]):
    rtf_case(
        f"period-{i}", lambda w, p=period: rtf_row(w.enrolled, period=p), "Member Information File Reporting Period"
    )
rtf_case(
    "counts-without-period", lambda w: rtf_row(w.enrolled, in_person=2), "Member Information File Reporting Period"
)
rtf_case(
    "tin",
    lambda w: rtf_row(w.enrolled, **{"ECM Provider Tax ID Number (TIN)": "12-345"}),
    "ECM Provider Tax ID Number (TIN)",
)
rtf_case("new-address-without-address", lambda w: rtf_row(w.enrolled, new_address="Y"), "Member Residential Address")
rtf_case("new-phone-without-phone", lambda w: rtf_row(w.enrolled, new_phone="Y"), "Member Phone Number")
rtf_case("control-character", lambda w: rtf_row(w.enrolled, lcm="Rosa\x07Diaz"), "ECM Lead Care Manager Name")
rtf_case("too-long", lambda w: rtf_row(w.enrolled, lcm="R" * 201), "ECM Lead Care Manager Name")

# ---- OTF: values ---------------------------------------------------------------------------------------------------
for column in OTF_REQUIRED:
    otf_case(f"empty-{column}", lambda w, c=column: {**otf_row(w.assigned, today()), c: ""}, column)
for i, text in enumerate(["13/45/2025", "05-01-2026", "01/05/2026;soon"]):
    otf_case(f"date-{i}", lambda w, t=text: otf_row(w.assigned, t), OTF_DATE)
otf_case("future", lambda w: otf_row(w.assigned, today() + dt.timedelta(days=1)), OTF_DATE)
otf_case(
    "future-in-list", lambda w: otf_row(w.assigned, f"{us(today())};{us(today() + dt.timedelta(days=2))}"), OTF_DATE
)
for i, method in enumerate(["Carrier pigeon", "Fax", "Phone call"]):
    otf_case(f"method-{i}", lambda w, m=method: otf_row(w.assigned, today(), method=m), METHOD)
otf_case("successful", lambda w: otf_row(w.assigned, today(), reached="sometimes"), SUCCESSFUL)
for i, minutes in enumerate(["-5", "1441", "ten", "2.5"]):
    otf_case(f"minutes-{i}", lambda w, m=minutes: otf_row(w.assigned, today(), minutes=m), MINUTES)
otf_case("bad-cin", lambda w: otf_row("1234567", today()), OTF_CIN)
otf_case("duplicate-row", lambda w: otf_row(w.assigned, today() - dt.timedelta(days=1)), OTF_CIN)
otf_case("same-date-twice", lambda w: otf_row(w.assigned, f"{us(today())};{today().isoformat()}"), OTF_DATE)
otf_case("member-of-another-provider", lambda w: otf_row(w.bravo, today()), OTF_DATE)
otf_case("member-of-another-plan", lambda w: otf_row(w.other_plan, today()), OTF_CIN)
otf_case("unknown-member", lambda w: otf_row("99999999Z", today()), OTF_CIN)
otf_case("before-assignment", lambda w: otf_row(w.assigned, today() - dt.timedelta(days=40)), OTF_DATE)
otf_case("npi-of-another-provider", lambda w: otf_row(w.assigned, today(), npi=BRAVO_NPI), NPI)


# ---- Whole files ---------------------------------------------------------------------------------------------------
def header_only(columns: tuple[str, ...], name: str) -> Callable[[World], Path]:
    def build(w: World) -> Path:
        return write_table(w.tmp / name, columns, [])

    return build


def text_file(name: str, content: bytes) -> Callable[[World], Path]:
    def build(w: World) -> Path:
        path = w.tmp / name
        path.write_bytes(content)
        return path

    return build


def good_rows(kind: str, w: World) -> tuple[tuple[str, ...], list[list[str]]]:
    if kind == "rtf":
        row = rtf_row(w.assigned, status="Accepted", status_date=us(today()))
        return RTF_COLUMNS, [[row.get(c, "") for c in RTF_COLUMNS]]
    row = otf_row(w.assigned, today())
    return OTF_COLUMNS, [[str(row.get(c, "")) for c in OTF_COLUMNS]]


for kind, required in (("rtf", RTF_REQUIRED), ("otf", OTF_REQUIRED)):
    for column in required:

        def missing(w: World, k: str = kind, c: str = column) -> Path:
            columns, rows = good_rows(k, w)
            keep = [i for i, name in enumerate(columns) if name != c]
            return write_table(w.tmp / "missing.csv", [columns[i] for i in keep], [[r[i] for i in keep] for r in rows])

        file_case(f"missing-{column}", kind, missing, column=column)
    for ending, written in ((".csv", "\t"), (".csv", ";"), (".tsv", ","), (".psv", ","), (".txt", "\t")):

        def wrong(w: World, k: str = kind, e: str = ending, d: str = written) -> Path:
            columns, rows = good_rows(k, w)
            path = w.tmp / f"wrong{e}"
            path.write_text("\n".join(d.join(r) for r in [list(columns), *rows]) + "\n", encoding="utf-8")
            return path

        file_case(f"delimiter-{ending}-{ord(written)}", kind, wrong)
    file_case("empty", kind, text_file("empty.csv", b""))
    file_case("blank-lines", kind, text_file("blank.csv", b"\n \n\n"))
    file_case("binary", kind, text_file("binary.csv", bytes(range(256)) * 64))
    file_case("pdf", kind, text_file("scan.txt", b"%PDF-1.4\n\x00\x00\x00binary"))
    file_case("zip-as-csv", kind, text_file("archive.csv", b"PK\x03\x04" + b"\x00" * 200))
    file_case("text-as-xlsx", kind, text_file("book.xlsx", b"not,a,workbook\n"))

    def latin1(w: World, k: str = kind) -> Path:
        columns, rows = good_rows(k, w)
        rows = [*rows, [("Jos\xe9" if i == 0 else v) for i, v in enumerate(rows[0])]]
        path = w.tmp / "latin1.csv"
        path.write_bytes("\n".join(",".join(r) for r in [list(columns), *rows]).encode("latin-1"))
        return path

    file_case("not-utf8", kind, latin1, row=2)

    def workbook(w: World, k: str = kind, trouble: str = "formula") -> Path:
        columns, rows = good_rows(k, w)
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = k.upper()
        for row in [list(columns), *rows, rows[0]]:
            sheet.append(row)
        if trouble == "formula":
            sheet.cell(row=3, column=1, value="=A2")
        else:
            sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=3)
        path = w.tmp / f"{trouble}.xlsx"
        book.save(path)
        return path

    file_case("xlsx-formula", kind, workbook, row=2)
    file_case("xlsx-merged", kind, lambda w, k=kind: workbook(w, k, "merged"), row=2)

    def wrong_width(w: World, k: str = kind) -> Path:
        columns, rows = good_rows(k, w)
        path = w.tmp / "width.csv"
        path.write_text("\n".join(",".join(r) for r in [list(columns), *rows, [*rows[0], "extra"]]) + "\n")
        return path

    file_case("wrong-number-of-fields", kind, wrong_width, row=2)

    def named_twice(w: World, k: str = kind) -> Path:
        columns, rows = good_rows(k, w)
        return write_table(w.tmp / "twice.csv", [*columns, columns[-1]], [[*r, r[-1]] for r in rows])

    file_case("column-named-twice", kind, named_twice, column=(RTF_COLUMNS if kind == "rtf" else OTF_COLUMNS)[-1])


def huge(w: World) -> Path:
    """A 100 MB RTF of valid-looking rows, written in large blocks."""
    path = w.tmp / "huge.csv"
    line = ",".join(rtf_row(w.assigned, status="Accepted", status_date=us(today())).get(c, "") for c in RTF_COLUMNS)
    block = (line + "\n") * 20_000
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(RTF_COLUMNS) + "\n")
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
    return path


file_case("100-megabytes", "rtf", huge)


def nothing_applied() -> dict[str, int]:
    return {
        "rtf entries": LoopEvent.objects.filter(source=LoopEvent.Source.RTF).count(),
        "reports": ProviderReport.objects.count(),
        "contact updates": ContactUpdate.objects.count(),
        "encounter counts": EncounterCount.objects.count(),
        "otf attempts": OutreachAttempt.objects.filter(source="otf").count(),
        "enrolled": Enrollment.objects.filter(status="enrolled").count(),
    }


@pytest.mark.parametrize("kind", ["rtf", "otf"])
def test_a_file_of_an_unknown_format_is_refused_before_it_is_recorded(world, network, kind):
    path = world.tmp / "rows.json"
    path.write_text('{"rows": []}')
    with pytest.raises(ValidationFailed, match=r"^rows\.json: a provider file must be one of"):
        run_import(path, kind=kind, actor=network.users["cm_a"])
    assert not ExchangeLoad.objects.exists()


@pytest.mark.parametrize("kind", ["rtf", "otf"])
@pytest.mark.parametrize("name", ["header.csv", "header.xlsx", "header.psv"])
def test_a_header_without_rows_is_nothing_new_saying_so_and_a_zero_byte_file_an_error(world, network, kind, name):
    """What calaim's own export gives for a provider with nobody in the period: not an error, nothing to apply.
    Sent again (the same header serves every such month), it says the same, not that it repeats a file."""
    path = header_only(RTF_COLUMNS if kind == "rtf" else OTF_COLUMNS, name)(world)
    before = nothing_applied()
    for _ in range(2):
        load = run_import(path, kind=kind, actor=network.users["cm_a"])
        assert (load.status, load.error_count, load.rejects_path) == (LoadStatus.NOTHING_NEW, 0, ""), load.message
        assert load.message == f"Nothing new: {name} has a header row and no data rows, so there was nothing to apply."
        assert (load.counts["rows_read"], load.counts["applied"], load.counts["rejected"]) == (0, 0, 0)
    assert nothing_applied() == before
    zero = world.tmp / f"zero{Path(name).suffix}"
    zero.write_bytes(b"")
    load = run_import(zero, kind=kind, actor=network.users["cm_a"])
    assert load.status == LoadStatus.REJECTED and "the file is empty" in load.errors[0]["message"]


def test_there_are_at_least_a_hundred_malformed_files():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_malformed_file_is_rejected_naming_file_row_and_column_and_changes_nothing(world, network, case):
    kind, build, row, column = CASES[case]
    path = build(world)
    before = nothing_applied()
    load = run_import(path, kind=kind, actor=network.users["cm_a"])
    assert load.status == LoadStatus.REJECTED, (load.message, load.counts)
    assert nothing_applied() == before
    assert load.counts["applied"] == 0 and load.error_count >= 1
    assert load.message.startswith(f"{path.name}: ") and "nothing was applied" in load.message
    first = load.errors[0]
    assert (first["row"], first["column"]) == (row, column), load.errors[:3]
    line = RowError(first["row"], first["column"], first["value"], first["message"]).line(path.name)
    assert line.startswith(path.name)
    if row is not None:
        assert f"row {row}" in line
    if column is not None:
        assert repr(column) in line
    assert Path(load.rejects_path).read_text(encoding="utf-8").startswith("row,column,value,message")
