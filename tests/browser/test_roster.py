"""The roster load in a real browser, as the plan's data analyst: sign in and land on the roster loads, upload a
small CSV, watch the page follow the background preview by itself (htmx polling under the Content Security Policy),
read what would change, apply, watch it finish, and find it in the history. The queued tasks are run by the
worker's own code in this process, between the page's polls."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from calaim.members.models import Member
from tests.web import test_roster as roster_pages
from tests.web.test_roster_flow import CINS, person, roster_csv, work

network = roster_pages.network  # the shared network with each plan's data analyst
data_dir = roster_pages.data_dir  # a data folder of the test's own
POLL_MS = 10_000


def test_the_data_analyst_uploads_previews_and_applies_a_roster(signed_in, shot):
    page = signed_in("data")
    expect(page).to_have_url(re.compile(r"/data/roster/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roster loads")
    expect(page.get_by_text("No roster has been loaded for this plan yet.")).to_be_visible()

    rows = [person(cin) for cin in CINS[:6]]
    rows[2]["other_programs"] = "HOSPICE"
    page.get_by_label("Roster file").set_input_files(
        {"name": "hpsj-roster.csv", "mimeType": "text/csv", "buffer": roster_csv(rows)}
    )
    page.get_by_label("Accept the valid rows when some rows have errors").check()
    shot(page, "upload")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Roster hpsj-roster.csv")
    expect(page.get_by_text("hpsj-roster.csv is uploaded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Status: Uploaded, waiting for its preview")).to_be_visible()
    assert work() == 1  # the preview, while the page keeps polling
    expect(page.get_by_role("heading", name="Status: Preview ready: confirm to apply")).to_be_visible(timeout=POLL_MS)
    counts = page.get_by_role("table", name="Counts by kind of change")
    expect(counts.get_by_role("row", name="New members 6")).to_be_visible()
    excluded = page.get_by_role("table", name=re.compile("^Members entering an excluding program"))
    expect(excluded.get_by_role("row").filter(has_text=CINS[2])).to_contain_text("HOSPICE")
    shot(page, "preview")
    assert not Member.objects.exists()

    page.get_by_role("button", name="Apply this roster").click()
    expect(page.get_by_text("Apply confirmed by Dana Okafor")).to_be_visible()
    expect(page.get_by_role("button", name="Apply this roster")).to_have_count(0)
    assert work() == 1  # the apply step
    expect(page.get_by_role("heading", name="Status: Applied")).to_be_visible(timeout=POLL_MS)
    expect(page.get_by_role("heading", name="What this roster changed")).to_be_visible()
    shot(page, "applied")
    assert Member.objects.count() == 6

    page.get_by_role("link", name="All roster loads").click()
    history = page.get_by_role("table", name="Roster loads, latest first")
    expect(history.get_by_role("row").filter(has_text="hpsj-roster.csv")).to_contain_text("6 new, 0 updated, 0 termed")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster loads")).to_have_attribute(
        "aria-current", "page"
    )
