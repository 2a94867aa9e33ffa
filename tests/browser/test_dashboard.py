"""The plan dashboard in a real browser: plan staff open it from the header, its SVG charts carry titles and
the numbers of the data made here, the county and POF filters change them, and the CSV download matches.
Provider staff have no dashboard."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from calaim.core.clock import local_date
from calaim.plans.models import County
from tests.conftest import referral_body
from tests.factories import MemberFactory

A2 = {"pof": "A2", "criteria": ["avoidable_utilization"], "facts": "6 ED visits in 6 months"}


def _cells(page, table: str, group: str):
    """The data cells (not the row header) of one group's row in a funnel table, found by its caption."""
    row = (
        page.get_by_role("table", name=re.compile(f"^{table}"))
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=group, exact=True))
    )
    return row.get_by_role("cell")


def test_plan_staff_dashboard_charts_filters_and_csv(signed_in, api, network, enrolled, pending, shot):
    # Three referrals this month: one enrolled (A1, San Joaquin), one waiting for UM (A1, San Joaquin) and one
    # just received (A2, Stanislaus).
    stanislaus = County.objects.get(name="Stanislaus")
    newcomer = MemberFactory(last_name="Stanislausson", county=stanislaus)
    assert api("referrer").post("/referrals", referral_body(newcomer, pof_attestations=[A2])).status_code == 201

    page = signed_in("um")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ECM dashboard")
    expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")

    # The funnel: 3 referred, 1 authorized, assigned, reached and enrolled; chart and tables agree.
    funnel = page.get_by_role("img", name=re.compile("^ECM funnel, all referrals in the period"))
    expect(funnel).to_be_visible()
    expect(funnel.locator("title")).to_have_text("ECM funnel, all referrals in the period")
    for text in ("Referred (all sources): 3", "ECM authorized: 1 (33% of referred)", "Enrolled: 1 (100% of reached)"):
        expect(funnel.locator("desc")).to_contain_text(text)
    expect(funnel.locator("text").filter(has_text=re.compile(r"^3$"))).to_have_count(1)
    expected_a1 = ["0 (0%)", "2", "1 (50%)", "1 (100%)", "1 (100%)", "1 (100%)", "50%"]
    expect(_cells(page, "Funnel by Population of Focus", "A1")).to_have_text(expected_a1)
    expect(_cells(page, "Funnel by Population of Focus", "A2")).to_have_text(
        ["0 (0%)", "1", "0 (0%)", "0", "0", "0", "0%"]
    )
    expect(_cells(page, "Funnel by the member's county", "Stanislaus")).to_contain_text(["0 (0%)", "1"])

    # Timeliness: the enrolled member's request decided on time, Pendingson's open and not yet due.
    month = f"{local_date(timezone.now()):%b %Y}"
    chart = page.get_by_role("img", name=re.compile("^Authorization requests by month received and by timeliness"))
    expect(chart.locator("desc")).to_contain_text(
        f"{month}: Decided on time 1, Decided late 0, Open and overdue 0, Open, not yet due 1"
    )
    timely = page.get_by_role("region", name="Authorization timeliness")
    expect(timely).to_contain_text("100% of 1 decisions")

    # Capacity: Alpha serves the enrolled member (the pending one is not assigned yet), Bravo no one.
    capacity = page.get_by_role("img", name=re.compile("^ECM providers' current caseload against contract capacity"))
    expect(capacity.locator("desc")).to_have_text(
        "Alpha Care Partners: 1 members served, capacity 50; Bravo Health Navigators: 0 members served, capacity 50"
    )
    expect(capacity.locator("text").filter(has_text="1 of 50 (2%)")).to_have_count(1)
    shot(page, "dashboard")

    # Filter by county: only Stanislaus's referral, no timed request, and only the provider contracted there.
    filters = page.get_by_role("form", name="Dashboard filters")
    filters.get_by_label("County").select_option(label="Stanislaus")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"county={stanislaus.pk}"))
    expect(page.get_by_role("main")).to_contain_text("members in Stanislaus")
    funnel = page.get_by_role("img", name=re.compile("^ECM funnel"))
    expect(funnel.locator("desc")).to_contain_text("Referred (all sources): 1")
    expect(funnel.locator("desc")).to_contain_text("Enrolled: 0")
    expect(page.get_by_role("table", name=re.compile("^Funnel by Population of Focus"))).not_to_contain_text("A1")
    expect(page.get_by_role("region", name="Authorization timeliness")).to_contain_text("No decisions yet")
    capacity = page.get_by_role("img", name=re.compile("^ECM providers' current caseload"))
    expect(capacity.locator("desc")).to_have_text("Alpha Care Partners: 1 members served, capacity 50")
    shot(page, "dashboard-stanislaus")

    # Filter by POF instead: the two A1 referrals, both in San Joaquin.
    filters.get_by_label("County").select_option(label="All counties")
    filters.get_by_label("Population of Focus").select_option("A1")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"pof=A1"))
    funnel = page.get_by_role("img", name=re.compile("^ECM funnel"))
    expect(funnel.locator("desc")).to_contain_text("Referred (all sources): 2")
    expect(funnel.locator("desc")).to_contain_text("Enrolled: 1 (100% of reached)")
    expect(_cells(page, "Funnel by the member's county", "San Joaquin")).to_have_text(expected_a1)
    expect(page.get_by_role("table", name=re.compile("^Funnel by the member's county"))).not_to_contain_text(
        "Stanislaus"
    )

    # The CSV carries the same filter and the same rows as the page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the funnel table (CSV)").click()
    assert download.value.suggested_filename.startswith("ecm-funnel-HPSJ-")
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(r["breakdown"], r["group"]) for r in rows] == [("total", "All"), ("pof", "A1"), ("county", "San Joaquin")]
    for row in rows:
        stages = [row[k] for k in ("identified", "referred", "authorized", "assigned", "reached", "enrolled")]
        assert stages == ["0", "2", "1", "1", "1", "1"], row
        assert row["authorized_percent_of_referred"] == "50.0"
        assert row["enrolled_percent_of_referred"] == "50.0"


def test_provider_care_manager_has_no_dashboard(signed_in, enrolled):
    page = signed_in("cm_a")
    expect(page.get_by_role("heading", name="My worklist")).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    response = page.goto("/dashboard/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    assert page.request.get("/dashboard/funnel.csv").status == 404
