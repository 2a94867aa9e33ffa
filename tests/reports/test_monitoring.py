"""Closed-loop monitoring: the figures per referring entity and per provider, the filters, the CSV, the open loops
past the configured age, and that a plan sees only its own loops."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.exchange.models import LoopMonitoringSettings
from calaim.exchange.monitoring import LoopFilters, loop_monitoring, open_loop_age_days
from calaim.exchange.monitoring_export import monitoring_csv_rows, open_loops_csv_rows, open_loops_for
from calaim.plans.models import Plan
from tests.factories import CsRequestFactory
from tests.reports.conftest import CLOSED, at

pytestmark = pytest.mark.django_db


def monitoring(**filters: Any) -> Any:
    period = {"start": dt.date(2026, 1, 1), "end": plan_today()}
    return loop_monitoring(Plan.objects.get(code="HPSJ"), LoopFilters(**{**period, **filters}))


def rows_by(result: Any) -> dict[tuple[str, str], Any]:
    return {(row.program, row.entity): row for row in result.rows}


def test_per_referring_entity(loops, network):
    result = monitoring()
    assert result.open_age_days == 30
    assert result.statuses == ["Accepted", "Declined", "Pending", "Outreach Initiated", CLOSED]
    rows = rows_by(result)
    assert set(rows) == {("ecm", "Valley PCP Clinic"), ("ecm", "Delta Food Bank"), ("cs", "RN Okafor")}
    clinic = rows[("ecm", "Valley PCP Clinic")]
    assert (clinic.referrals, clinic.open, clinic.open_over_age, clinic.closed) == (3, 2, 1, 1)
    assert clinic.closure_reasons == {"Services Received": 1}
    assert clinic.days_to_status["Accepted"] == 3.0 and clinic.reached_status["Accepted"] == 2  # 2 days; 4 by an RTF
    assert clinic.days_to_status[CLOSED] == 5.0 and clinic.reached_status[CLOSED] == 1
    assert clinic.days_to_status["Pending"] == 0.0 and clinic.reached_status["Pending"] == 3
    assert clinic.days_to_status["Declined"] is None and clinic.reached_status["Declined"] == 0
    assert (clinic.member_notices, clinic.referrer_notices) == (1, 1)
    cbo = rows[("ecm", "Delta Food Bank")]
    assert (cbo.referrals, cbo.closed, cbo.closure_reasons) == (1, 1, {"Member Declined": 1})
    assert cbo.days_to_status[CLOSED] == 10.0
    cs = rows[("cs", "RN Okafor")]  # a referrer with no organization is known by name
    assert (cs.referrals, cs.closed, cs.referrer_notices, cs.days_to_status[CLOSED]) == (1, 1, 1, 3.0)
    totals = result.totals
    assert (totals.referrals, totals.closed, totals.open_over_age, totals.referrer_notices) == (5, 3, 1, 2)
    assert totals.closure_reasons == {"Services Received": 2, "Member Declined": 1}
    assert totals.days_to_status[CLOSED] == 6.0  # (5 + 10 + 3) / 3


def test_per_provider(loops, network):
    rows = rows_by(monitoring(group="provider"))
    assert set(rows) == {
        ("ecm", "Alpha Care Partners"),
        ("ecm", "Bravo Health Navigators"),
        ("ecm", "Not assigned to a provider"),
        ("cs", "Valley Recovery Homes"),
    }
    assert rows[("ecm", "Alpha Care Partners")].closure_reasons == {"Services Received": 1}
    assert rows[("ecm", "Bravo Health Navigators")].open_over_age == 1
    assert rows[("ecm", "Not assigned to a provider")].referrals == 2


def test_filters(loops, network):
    assert {row.program for row in monitoring(program="cs").rows} == {"cs"}
    only_cbo = monitoring(referrer=network.cbo.pk)
    assert [(r.entity, r.referrals) for r in only_cbo.rows] == [("Delta Food Bank", 1)]
    only_b = monitoring(group="provider", provider=network.provider_b.pk)
    assert [(r.entity, r.referrals) for r in only_b.rows] == [("Bravo Health Navigators", 1)]
    january = monitoring(end=dt.date(2026, 1, 31))
    assert january.totals.referrals == 3  # the closed, the waiting and the CS request
    assert monitoring(start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 31)).rows == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"start": dt.date(2026, 2, 1), "end": dt.date(2026, 1, 1)}, "end"),
        ({"program": "dental"}, "program"),
        ({"group": "county"}, "group"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(filters, field):
    with pytest.raises(ValidationFailed) as refused:
        LoopFilters(**{"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31), **filters})
    assert refused.value.field == field


def test_another_plan_sees_only_its_own_loops(loops, network):
    rows = loop_monitoring(Plan.objects.get(code="HPSM"), LoopFilters(dt.date(2026, 1, 1), plan_today())).rows
    assert [(r.entity, r.referrals) for r in rows] == [("Delta Food Bank", 1)]


def test_the_csv_has_the_same_rows_and_the_totals(loops):
    result = monitoring()
    lines = list(monitoring_csv_rows(result))
    header = lines[0]
    assert header[:6] == ["program", "referring_entity", "referrals", "open", "open_over_30_days", "closed"]
    assert "closed_services_received" in header and "avg_days_to_referral_loop_closed" in header
    assert header[-2:] == ["member_notices_sent", "referrer_notices_sent"]
    assert len(lines) == 1 + len(result.rows) + 1 and lines[-1][:3] == ["all", "All", 5]
    clinic = next(line for line in lines if line[1] == "Valley PCP Clinic")
    assert dict(zip(header, clinic, strict=True))["avg_days_to_accepted"] == 3.0


def test_a_formula_in_a_referrers_name_stays_text(network):
    CsRequestFactory(referrer_name="=HYPERLINK(1)", received_at=at(2026, 1, 15), status_changed_at=at(2026, 1, 15))
    lines = list(monitoring_csv_rows(monitoring()))
    assert any(line[1] == "'=HYPERLINK(1)" for line in lines)


def test_open_loops_past_the_configured_age(loops, network):
    filters = LoopFilters(dt.date(2026, 1, 1), plan_today())
    total, found = open_loops_for(network.users["compliance"], filters)
    assert total == 1 and [(loop.member_name, loop.provider, loop.referrer) for loop in found] == [
        ("Waiting, Ana", "Bravo Health Navigators", "Valley PCP Clinic")
    ]
    lines = list(open_loops_csv_rows(found))
    assert lines[0][:3] == ["program", "member_cin", "member_name"] and lines[1][0] == "ECM"


def test_the_age_is_configuration_a_plans_own_row_first(loops, network):
    hpsj = Plan.objects.get(code="HPSJ")
    LoopMonitoringSettings.objects.create(plan=hpsj, effective_from=dt.date(2025, 7, 1), open_loop_age_days=2)
    assert open_loop_age_days(hpsj, plan_today()) == 2
    assert open_loop_age_days(Plan.objects.get(code="HPSM"), plan_today()) == 30
    assert monitoring().totals.open_over_age == 2  # the recent one is now old enough too
