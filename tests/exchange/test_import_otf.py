"""The OTF import (exchange-spec §2.3): each row one outreach attempt in the outreach log, a `;`-list of dates one
attempt per date, never the same attempt twice; and the round trip of calaim's own OTF."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.careplans.models import OutreachAttempt
from calaim.careplans.services import outreach_record
from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent
from calaim.exchange.columns import OTF_COLUMNS
from calaim.exchange.exports import export_rows
from calaim.exchange.models import LoadStatus
from calaim.exchange.writer import table_write
from tests.exchange.conftest import otf_file, otf_row, run_import, today, us

pytestmark = pytest.mark.django_db


def test_each_row_is_an_attempt_and_a_list_of_dates_one_per_date(alpha, assigned, network, tmp_path):
    enrollment = assigned()
    cin = enrollment.member.cin
    days = [today() - dt.timedelta(days=n) for n in (3, 2, 1)]
    rows = [
        otf_row(cin, f"{us(days[0])};{days[1].isoformat()}", method="telephone", minutes=10),
        otf_row(cin, days[2], method="In Person", reached="Y", minutes="45"),
    ]
    load = run_import(otf_file(tmp_path / "otf.csv", rows), kind="otf", actor=network.users["cm_a"])
    assert load.status == LoadStatus.APPLIED, load.message
    assert (load.counts["attempts"], load.counts["applied"], load.counts["rows_read"]) == (3, 2, 2)
    attempts = OutreachAttempt.objects.filter(enrollment=enrollment).order_by("attempted_on")
    assert [(a.attempted_on, a.method, a.reached, a.minutes_spent) for a in attempts] == [
        (days[0], "phone", False, 10),
        (days[1], "phone", False, 10),
        (days[2], "in_person", True, 45),
    ]
    assert {(a.source, a.source_ref, a.organization_id) for a in attempts} == {("otf", str(load.pk), alpha.pk)}
    assert AuditEvent.objects.filter(action="outreach.record", member=enrollment.member).count() == 3


def test_an_attempt_on_record_is_not_added_twice(alpha, assigned, network, tmp_path):
    enrollment = assigned()
    cm = network.users["cm_a"]
    yesterday = today() - dt.timedelta(days=1)
    outreach_record(
        actor=cm, enrollment=enrollment, attempted_on=yesterday, method="phone", reached=False, minutes_spent=15
    )
    rows = [otf_row(enrollment.member.cin, yesterday), otf_row(enrollment.member.cin, yesterday, minutes=20)]
    load = run_import(otf_file(tmp_path / "otf.csv", rows), kind="otf", actor=cm)
    assert (load.counts["attempts"], load.counts["applied"], load.counts["unchanged"]) == (1, 1, 1)
    again = run_import(otf_file(tmp_path / "otf2.tsv", rows), kind="otf", actor=cm)
    assert again.status == LoadStatus.NOTHING_NEW and OutreachAttempt.objects.count() == 2


def test_an_otf_names_who_reports_it(alpha, assigned, tmp_path):
    path = otf_file(tmp_path / "otf.csv", [otf_row(assigned().member.cin, today())])
    with pytest.raises(ValidationFailed, match="--as"):
        run_import(path, kind="otf", actor=None)


def test_calaims_own_otf_imports_back_with_nothing_new(alpha, assigned, network, hpsj, tmp_path):
    cm = network.users["cm_a"]
    for n, enrollment in enumerate([assigned(), assigned()]):
        for days_ago, method in ((2, "phone"), (1, "in_person")):
            outreach_record(
                actor=cm,
                enrollment=enrollment,
                attempted_on=today() - dt.timedelta(days=days_ago),
                method=method,
                reached=bool(n),
                minutes_spent=5 * days_ago,
            )
    for ending in ("csv", "xlsx"):
        path = tmp_path / f"otf.{ending}"
        table_write(path, kind="otf", header=OTF_COLUMNS, rows=export_rows("otf", hpsj, alpha, f"{today():%Y-%m}"))
        load = run_import(path, kind="otf", actor=cm)
        assert load.status == LoadStatus.NOTHING_NEW, load.message
        assert load.counts["unchanged"] == load.counts["rows_read"] > 0
    assert OutreachAttempt.objects.count() == 4


def test_a_future_date_or_an_attempt_before_the_assignment_is_an_error(alpha, assigned, network, tmp_path):
    enrollment = assigned()
    rows = [
        otf_row(enrollment.member.cin, today() + dt.timedelta(days=1)),
        otf_row(enrollment.member.cin, today() - dt.timedelta(days=60)),
    ]
    load = run_import(otf_file(tmp_path / "otf.csv", rows), kind="otf", actor=network.users["cm_a"])
    assert load.status == LoadStatus.REJECTED
    assert [(e["row"], e["column"]) for e in load.errors] == [
        (1, "Date of Outreach Attempt"),
        (2, "Date of Outreach Attempt"),
    ]
    assert "no later than today" in load.errors[0]["message"]
    assert f"member {enrollment.member.cin} is not assigned to Alpha Care Partners" in load.errors[1]["message"]
    assert not OutreachAttempt.objects.exists()
