"""A plan's data analyst in a real browser: uploads the members and claims files, watches the run (the page polls
and shows the result by itself), reads the summary and the candidates per Population of Focus, and loads them as
referrals. The tasks run here, in the test, as the worker would run them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from calaim.analytics.models import IdentificationLoad, IdentificationRun
from calaim.referrals.models import Referral
from calaim.workflows.identification_run import identification_load_task, identification_run_task
from tests.analytics import identification_data as data

# The identification fixtures (tests/analytics/identification_data.py), for this module's tests.
analysts, data_dirs, plan_files = data.analysts, data.data_dirs, data.plan_files


def test_the_analyst_runs_identification_and_loads_the_candidates(signed_in, plan_files, shot):
    page = signed_in("analyst")
    page.goto("/data/identification/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ECM identification from the plan's data")
    expect(page.get_by_text("No runs yet.")).to_be_visible()
    page.get_by_label("Members file").set_input_files(str(plan_files.members))
    page.get_by_label("Claims file").set_input_files(str(plan_files.claims))
    shot(page, "form")
    page.get_by_role("button", name="Run identification").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Identification run as of")
    expect(page.locator("#run-status")).to_contain_text("Queued")
    run = IdentificationRun.objects.get()
    identification_run_task.call(str(run.pk))  # what the worker does; the page sees it at its next poll

    summary = page.get_by_role("table", name="ECM identification (duckdb, rules 2026.1)")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("row", name="candidates A2")).to_contain_text("4")
    expect(summary.get_by_role("row", name="excluded: HOSPICE")).to_contain_text("1")
    expect(page.get_by_role("link", name="Street, Hope")).to_be_visible()
    shot(page, "summary")

    page.get_by_role("navigation", name="Populations of Focus").get_by_role("link", name="A2 (3)").click()
    candidates = page.get_by_role("table", name=re.compile("^Candidates for A2"))
    expect(candidates.get_by_role("row")).to_have_count(4)  # the header and three members of the plan
    expect(candidates).to_contain_text("Visitor, Ed")
    expect(candidates).to_contain_text("not in calaim")
    expect(candidates).not_to_contain_text("Street, Hope")

    page.get_by_role("button", name="Load as referrals").click()
    expect(page.locator("#run-status")).to_contain_text("the candidates as referrals")
    identification_load_task.call(str(IdentificationLoad.objects.get().pk))
    loads = page.get_by_role("table", name="Load as referrals")
    expect(loads).to_contain_text("2 of 5 members, 5 rows")
    expect(loads).to_contain_text("no such member in calaim: 1")
    shot(page, "loaded")
    assert Referral.objects.filter(source_type="plan_identification").count() == 2

    page.get_by_role("link", name="All identification runs").click()
    history = page.get_by_role("table", name="Runs")
    expect(history.get_by_role("row")).to_have_count(2)
    expect(history).to_contain_text("Completed")
    expect(history).to_contain_text("2026.1")
