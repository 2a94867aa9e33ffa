"""The member record in a real browser: its sections, htmx refreshes, the outreach and opt-out forms, scoping."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from calaim.careplans.models import OutreachAttempt
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from tests.web.conftest import TODAY

PLAN_SECTIONS = [
    "Identity and contact",
    "Referrals",
    "Eligibility determinations",
    "Authorizations",
    "ECM enrollment",
    "Care team",
    "Tasks",
    "Outreach log",
    "Community Supports",
    "Notices",
    "Audit trail",
]


def _open_record(page, member) -> None:
    page.goto(f"/members/{member.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(member.cin)


def test_record_sections_and_htmx_refresh(signed_in, api, enrolled, shot):
    member = enrolled["member"]
    page = signed_in("intake")
    _open_record(page, member)
    for title in PLAN_SECTIONS:
        expect(page.get_by_role("region", name=title, exact=True)).to_be_visible()
    shot(page, "record")
    # The table of contents moves focus through the page by anchors.
    page.get_by_role("navigation", name="Sections of the record").get_by_role("link", name="Outreach log").click()
    expect(page).to_have_url(re.compile("#outreach$"))
    outreach = page.get_by_role("region", name="Outreach log", exact=True)
    expect(outreach).to_contain_text("No outreach attempts")

    # Someone else records an attempt; "Refresh" reloads only that section, in place.
    api("cm_a").post(
        f"/enrollments/{enrolled['enrollment']}/outreach-attempts",
        {"attempted_on": TODAY, "method": "phone", "reached": True, "minutes_spent": 15},
    )
    page.evaluate("window.__samePage = true")
    with page.expect_response(re.compile(r"/sections/outreach/$")) as partial:
        outreach.get_by_role("button", name="Refresh Outreach log").click()
    assert partial.value.status == 200
    outreach = page.get_by_role("region", name="Outreach log", exact=True)
    expect(outreach.get_by_role("row").filter(has_text="Telephone")).to_contain_text("cm_a")
    assert page.evaluate("window.__samePage") is True
    expect(page.get_by_role("region", name=re.compile("^Outreach log"))).to_have_count(1)  # swapped, not nested

    # The care manager's record has no audit trail section: that is plan work.
    cm = signed_in("cm_a")
    _open_record(cm, member)
    expect(cm.get_by_role("region", name="ECM enrollment", exact=True)).to_be_visible()
    expect(cm.get_by_role("region", name="Audit trail", exact=True)).to_have_count(0)
    assert cm.request.get(f"/members/{member.pk}/sections/audit/").status == 404


def test_another_organizations_care_manager_gets_404(signed_in, enrolled, shot):
    member = enrolled["member"]
    page = signed_in("cm_b")
    response = page.goto(f"/members/{member.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(member.last_name)
    shot(page, "not-found")
    assert page.request.get(f"/members/{member.pk}/sections/ecm/").status == 404
    response = page.goto(f"/enrollments/{enrolled['enrollment']}/outreach/")
    assert response is not None and response.status == 404


def test_care_manager_records_outreach_through_the_form(signed_in, network, enrolled, shot):
    member = enrolled["member"]
    page = signed_in("cm_a")
    page.get_by_role("region", name=re.compile("^Caseload")).get_by_role(
        "link", name=f"{member.last_name}, {member.first_name}"
    ).click()
    ecm = page.get_by_role("region", name="ECM enrollment", exact=True)
    ecm.get_by_text("Record an outreach attempt").click()  # opens the <details>
    form = ecm.locator("form").filter(has=page.get_by_role("button", name="Record attempt"))
    form.get_by_label("Method").select_option(label="In person")
    form.get_by_label("The member was reached").check()
    shot(page, "outreach-form")
    form.get_by_role("button", name="Record attempt").click()  # minutes missing
    expect(page.get_by_role("heading", name=re.compile("Record an outreach attempt for"))).to_be_visible()
    minutes = page.get_by_label("Minutes spent")
    expect(minutes).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_minutes_spent-error")).to_contain_text("required")
    assert not OutreachAttempt.objects.exists()
    minutes.fill("40")
    page.get_by_label("Notes").fill("Met at the shelter")
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_role("status")).to_contain_text("Outreach attempt recorded")
    row = page.get_by_role("region", name="Outreach log", exact=True).get_by_role("row").filter(has_text="Met at")
    expect(row).to_contain_text("In person")
    expect(row).to_contain_text("40")
    shot(page, "outreach-recorded")
    attempt = OutreachAttempt.objects.get()
    event = AuditEvent.objects.get(action="outreach.record", object_id=str(attempt.pk))
    assert event.actor == network.users["cm_a"]


def test_member_services_records_an_opt_out(signed_in, network, enrolled, shot):
    member = enrolled["member"]
    page = signed_in("member_services")
    page.get_by_role("searchbox").fill(member.cin)
    page.locator("#results").get_by_role("link", name=f"{member.last_name}, {member.first_name}").click()
    ecm = page.get_by_role("region", name="ECM enrollment", exact=True)
    ecm.get_by_text("End ECM or record an opt-out").click()
    ecm.get_by_label("Reason").select_option(label="Member declined or opted out")
    ecm.get_by_label("Note").fill("Member called to opt out")
    shot(page, "opt-out-form")
    ecm.get_by_role("button", name="End ECM").click()
    page.get_by_role("button", name="Confirm: end ECM").click()
    expect(page.get_by_role("status")).to_contain_text("ECM ended. Offer the member: Complex Care Management")
    ecm = page.get_by_role("region", name="ECM enrollment", exact=True)
    expect(ecm.get_by_role("heading", level=3)).to_contain_text("Disenrolled")
    expect(ecm).to_contain_text("Member called to opt out")
    expect(ecm.get_by_role("button", name="End ECM")).to_have_count(0)  # nothing left to end
    shot(page, "opted-out")
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "disenrolled"
    event = AuditEvent.objects.get(action="enrollment.end", object_id=enrolled["enrollment"])
    assert event.actor == network.users["member_services"] and "opt out" in event.reason
    # The referrer's closed loop shows the member declined.
    referrer = signed_in("referrer")
    expect(referrer.get_by_role("row").filter(has_text=member.cin)).to_contain_text("Member declined")
