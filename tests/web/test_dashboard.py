"""The plan dashboard: each funnel stage, timeliness and capacity count exactly the constructed data, the
filters narrow them, only plan staff of the plan see it, and the funnel downloads as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import local_date, plan_today
from calaim.plans.models import County
from calaim.referrals.models import Referral
from calaim.web.dashboard import DashboardFilters, default_filters, funnel, provider_capacity, timeliness
from tests.conftest import referral_body
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

TODAY = plan_today().isoformat()
STAGE_ORDER = ("identified", "referred", "authorized", "assigned", "reached", "enrolled")
A2 = {"pof": "A2", "criteria": ["avoidable_utilization"], "facts": "6 ED visits in 6 months"}


def _auth(rid: str) -> AuthorizationRequest:
    return AuthorizationRequest.objects.get(referral_id=rid)


@pytest.fixture
def cohort(api: Any, network: Any) -> dict[str, Any]:
    """Four HPSJ referrals at known stages, a linked duplicate, an old one and one of HPSM."""
    stanislaus = County.objects.get(name="Stanislaus")
    m1 = MemberFactory(experiencing_homelessness=True, last_name="Enrolledson")
    m2 = MemberFactory(experiencing_homelessness=True, last_name="Assignedson", county=stanislaus)
    m3 = MemberFactory(experiencing_homelessness=True, last_name="Pendingson")
    m4 = MemberFactory(last_name="Identifiedson")
    m5 = MemberFactory(experiencing_homelessness=True, last_name="Oldson")
    hpsm = network.hpsm.plan
    m6 = MemberFactory(experiencing_homelessness=True, last_name="Mateoson", plan=hpsm, county=hpsm.counties.first())
    # m1: a PCP's referral all the way to enrolled, reached on the second attempt.
    r1 = api("referrer").post("/referrals", referral_body(m1)).json()["id"]
    api("intake").post(f"/referrals/{r1}/eligibility-determination")
    api("um").post(f"/authorizations/{_auth(r1).pk}/decision", {"outcome": "approve"})
    e1 = api("intake").post(f"/referrals/{r1}/assignment", {"provider_id": str(network.provider_a.pk)}).json()["id"]
    for reached in (False, True):
        attempt = {"attempted_on": TODAY, "method": "phone", "reached": reached, "minutes_spent": 10}
        assert api("cm_a").post(f"/enrollments/{e1}/outreach-attempts", attempt).status_code == 201
    api("cm_a").post(f"/enrollments/{e1}/enroll", {"enrolled_on": TODAY})
    # m2: identified from plan data, authorized and assigned; outreach has not reached them yet.
    identified = {"source_type": "plan_identification", "form": "plan_identification"}
    r2 = api("intake").post("/referrals", referral_body(m2, **identified)).json()["id"]
    api("intake").post(f"/referrals/{r2}/eligibility-determination")
    api("um").post(f"/authorizations/{_auth(r2).pk}/decision", {"outcome": "approve"})
    e2 = api("intake").post(f"/referrals/{r2}/assignment", {"provider_id": str(network.provider_a.pk)}).json()["id"]
    attempt = {"attempted_on": TODAY, "method": "phone", "reached": False, "minutes_spent": 5}
    assert api("cm_a").post(f"/enrollments/{e2}/outreach-attempts", attempt).status_code == 201
    # m3: a CBO's referral waiting for UM; a second referral for m3 links to it and is not counted again.
    r3 = api("referrer_cbo").post("/referrals", referral_body(m3, source_type="cbo")).json()["id"]
    api("intake").post(f"/referrals/{r3}/eligibility-determination")
    duplicate = api("referrer").post("/referrals", referral_body(m3)).json()["id"]
    # m4: identified from plan data for A2, not yet determined.
    r4 = api("intake").post("/referrals", referral_body(m4, pof_attestations=[A2], **identified)).json()["id"]
    # m5: received 400 days ago; m6: another plan's.
    r5 = api("referrer").post("/referrals", referral_body(m5)).json()["id"]
    Referral.objects.filter(pk=r5).update(received_at=timezone.now() - dt.timedelta(days=400))
    r6 = api("referrer").post("/referrals", referral_body(m6)).json()["id"]
    assert Referral.objects.get(pk=duplicate).linked_to_id is not None
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5, "r6": r6, "stanislaus": stanislaus}


def _stages(row: Any) -> tuple[int, ...]:
    return tuple(row.counts[code] for code in STAGE_ORDER)


def _defaults() -> DashboardFilters:
    return default_filters(local_date(timezone.now()))


def test_funnel_counts_each_stage_exactly(network, cohort):
    result = funnel(network.users["intake"], _defaults())
    # identified, referred, authorized, assigned, reached, enrolled
    assert _stages(result.total) == (2, 4, 2, 2, 1, 1)
    assert {r.group: _stages(r) for r in result.by_pof} == {"A1": (1, 3, 2, 2, 1, 1), "A2": (1, 1, 0, 0, 0, 0)}
    assert {r.group: _stages(r) for r in result.by_county} == {
        "San Joaquin": (1, 3, 1, 1, 1, 1),
        "Stanislaus": (1, 1, 1, 1, 0, 0),
    }
    conversions = result.total.conversions
    assert conversions["identified"] == 50 and conversions["authorized"] == 50
    assert conversions["assigned"] == 100 and conversions["reached"] == 50 and conversions["enrolled"] == 100
    assert result.total.overall == 25


def test_an_enrolled_member_counts_as_reached_without_a_reaching_attempt(network, api, cohort):
    enrollment = Referral.objects.get(pk=cohort["r2"]).enrollments.get()
    api("cm_a").post(f"/enrollments/{enrollment.pk}/enroll", {"enrolled_on": TODAY})
    assert _stages(funnel(network.users["intake"], _defaults()).total) == (2, 4, 2, 2, 2, 2)


def test_funnel_filters_by_county_pof_and_dates(network, cohort):
    user, defaults = network.users["intake"], _defaults()
    by_county = DashboardFilters(defaults.start, defaults.end, county_id=cohort["stanislaus"].pk)
    assert _stages(funnel(user, by_county).total) == (1, 1, 1, 1, 0, 0)
    by_pof = DashboardFilters(defaults.start, defaults.end, pof="A2")
    assert _stages(funnel(user, by_pof).total) == (1, 1, 0, 0, 0, 0)
    today = local_date(timezone.now())
    longer = DashboardFilters(today - dt.timedelta(days=500), today)
    assert funnel(user, longer).total.counts["referred"] == 5
    only_old = DashboardFilters(today - dt.timedelta(days=500), today - dt.timedelta(days=300))
    assert _stages(funnel(user, only_old).total) == (0, 1, 0, 0, 0, 0)


def test_another_plans_referrals_are_not_counted(network, cohort):
    assert _stages(funnel(network.users["hpsm_intake"], _defaults()).total) == (0, 1, 0, 0, 0, 0)


def test_timeliness_on_time_late_overdue_and_median(network, cohort):
    start = timezone.now() - dt.timedelta(days=10)
    day = dt.timedelta(days=1)
    on_time, late, overdue = _auth(cohort["r1"]), _auth(cohort["r2"]), _auth(cohort["r3"])
    AuthorizationRequest.objects.filter(pk=on_time.pk).update(
        received_at=start, due_at=start + 5 * day, decided_at=start + day
    )
    AuthorizationRequest.objects.filter(pk=late.pk).update(
        received_at=start, due_at=start + 2 * day, decided_at=start + 3 * day
    )
    AuthorizationRequest.objects.filter(pk=overdue.pk).update(received_at=start, due_at=start + 2 * day)
    result = timeliness(network.users["um"], _defaults())
    assert result.total.counts == {"on_time": 1, "late": 1, "overdue": 1, "open": 0}
    assert result.total.on_time_percent == 50
    assert result.total.median_days == pytest.approx(2.0)
    routine, expedited = result.by_urgency
    assert (routine.label, routine.counts["late"], routine.median_days) == ("Routine", 1, pytest.approx(2.0))
    assert (expedited.counts, expedited.median_days) == ({"on_time": 0, "late": 0, "overdue": 0, "open": 0}, None)
    assert len(result.by_month) == 12
    month = next(m for m in result.by_month if m.label == f"{local_date(start):%b %Y}")
    assert month.counts == {"on_time": 1, "late": 1, "overdue": 1, "open": 0}
    assert sum(m.counts["late"] for m in result.by_month) == 1
    stanislaus = DashboardFilters(_defaults().start, _defaults().end, county_id=cohort["stanislaus"].pk)
    assert timeliness(network.users["um"], stanislaus).total.counts == {
        "on_time": 0,
        "late": 1,
        "overdue": 0,
        "open": 0,
    }
    assert timeliness(network.users["hpsm_um"], _defaults()).total.counts["late"] == 0


def test_provider_capacity_counts_current_caseloads_by_county(network, cohort):
    rows = {row.provider: row for row in provider_capacity(network.users["intake"], _defaults())}
    assert set(rows) == {"Alpha Care Partners", "Bravo Health Navigators"}  # HPSM's provider is not listed
    alpha = rows["Alpha Care Partners"]
    assert (alpha.caseload, alpha.capacity, alpha.free, alpha.by_county) == (
        2,
        50,
        48,
        {"San Joaquin": 1, "Stanislaus": 1},
    )
    assert alpha.counties == ["San Joaquin", "Stanislaus"]
    assert rows["Bravo Health Navigators"].caseload == 0
    stanislaus = DashboardFilters(_defaults().start, _defaults().end, county_id=cohort["stanislaus"].pk)
    assert [r.provider for r in provider_capacity(network.users["intake"], stanislaus)] == ["Alpha Care Partners"]


def test_page_shows_charts_and_tables_to_plan_staff(web, cohort):
    response = web("um").get("/dashboard/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('role="img"') == 5 and '<title id="funnel-chart-t">' in body and "<desc" in body
    assert "Identified from plan data: 2" in body and "Enrolled: 1" in body  # the funnel chart's description
    assert "Alpha Care Partners" in body and "2 of 50 (4%)" in body
    assert "<details>" in body and 'href="/dashboard/funnel.csv"' in body
    assert 'aria-current="page">Dashboard</a>' in body


def test_page_filters_and_rejects_a_backwards_range(web, cohort):
    body = web("intake").get("/dashboard/", {"county": cohort["stanislaus"].pk}).content.decode()
    assert "members in Stanislaus" in body and "San Joaquin: 1" not in body
    response = web("intake").get("/dashboard/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()


@pytest.mark.parametrize("name", ["cm_a", "sup_a", "referrer"])
def test_only_plan_staff_have_a_dashboard(web, cohort, name):
    assert web(name).get("/dashboard/").status_code == 404
    assert web(name).get("/dashboard/funnel.csv").status_code == 404
    assert "/dashboard/" not in web(name).get("/").content.decode()


def test_anonymous_callers_go_to_the_login_page(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_funnel_csv_matches_the_tables(web, cohort):
    response = web("intake").get("/dashboard/funnel.csv", {"pof": "A1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and "ecm-funnel-HPSJ-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["breakdown"], r["group"]) for r in rows] == [
        ("total", "All"),
        ("pof", "A1"),
        ("county", "San Joaquin"),
        ("county", "Stanislaus"),
    ]
    total = rows[0]
    assert [int(total[code]) for code in STAGE_ORDER] == [1, 3, 2, 2, 1, 1]
    assert total["authorized_percent_of_referred"] == "66.7" and total["enrolled_percent_of_referred"] == "33.3"
    assert rows[3]["reached_percent_of_assigned"] == "0.0" and rows[3]["enrolled_percent_of_reached"] == ""
