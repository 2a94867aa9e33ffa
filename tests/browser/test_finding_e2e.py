"""A care manager finds things in a real browser: a member from the header's search, then their worklist's
caseload filtered and sorted, then the caseload downloaded as CSV (and the download is in the PHI read log)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from tests.factories import EnrollmentFactory


def test_care_manager_searches_filters_sorts_and_downloads(signed_in, network, enrolled, shot):
    member, cm = enrolled["member"], network.users["cm_a"]
    for last in ("Baker", "Cruz"):
        EnrollmentFactory(lead_care_manager=cm, referral__member__last_name=last, referral__member__first_name="Ana")
    other = EnrollmentFactory(provider=network.provider_b, referral__member__last_name=member.last_name + "son")
    page = signed_in("cm_a")

    # From the header: the member of the caseload, not another provider's with a name that starts the same.
    page.get_by_label("Find a member by CIN, name or birth date").fill(member.last_name)
    page.get_by_role("button", name="Find a member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a member")
    results = page.locator("#results")
    expect(results.get_by_role("link", name=f"{member.last_name}, {member.first_name}")).to_be_visible()
    expect(results).not_to_contain_text(other.member.last_name)
    shot(page, "search")

    page.get_by_role("link", name="calaim").click()
    caseload = page.get_by_role("region", name=re.compile(r"^Caseload"))
    expect(caseload.get_by_role("row")).to_have_count(4)  # a header and three members
    caseload.get_by_label("ECM status").select_option(label="Assigned")
    caseload.get_by_role("button", name="Filter caseload").click()
    caseload = page.get_by_role("region", name=re.compile(r"^Caseload"))
    expect(caseload.get_by_role("row")).to_have_count(3)
    expect(caseload).not_to_contain_text(member.last_name)
    expect(page).to_have_url(re.compile(r"cm_caseload-status=assigned"))

    caseload.get_by_role(
        "link", name=re.compile(r"^Member\b.*sort descending")
    ).click()  # ascending already: now descending
    caseload = page.get_by_role("region", name=re.compile(r"^Caseload"))
    expect(caseload.get_by_role("columnheader", name=re.compile("^Member"))).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(caseload.get_by_role("row").nth(1)).to_contain_text("Cruz")
    expect(caseload.get_by_role("row").nth(2)).to_contain_text("Baker")
    shot(page, "caseload")

    with page.expect_download() as download_info:
        caseload.get_by_role("link", name="Download CSV of caseload").click()
    download = download_info.value
    assert download.suggested_filename == f"caseload-{plan_today().isoformat()}.csv"
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Last name,First name,CIN") and [line.split(",")[0] for line in lines[1:]] == [
        "Cruz",
        "Baker",
    ]
    exported = PhiRead.objects.filter(user=cm, view="web:queue_export").values_list("member__last_name", flat=True)
    assert sorted(exported) == ["Baker", "Cruz"]
