"""Each role's landing page in a real browser, and the one action each worklist leads to."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from calaim.authorizations.models import AuthorizationRequest
from calaim.careplans.models import Task
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from tests.conftest import referral_body
from tests.factories import MemberFactory


def test_intake_worklist_lists_new_referrals_and_linked_duplicates(signed_in, api, network, pending, shot):
    fresh = MemberFactory(first_name="Rosa", last_name="Freshman")
    api("referrer").post("/referrals", referral_body(fresh))
    api("referrer_cbo").post("/referrals", referral_body(fresh, source_type="cbo"))  # links to the first
    page = signed_in("intake")
    new = page.get_by_role("region", name=re.compile(r"^New referrals"))
    linked = page.get_by_role("region", name=re.compile(r"^Possible duplicates"))
    expect(new.get_by_role("link", name="Freshman, Rosa")).to_be_visible()
    expect(new).not_to_contain_text("Pendingson")  # already determined: no longer new
    expect(linked.get_by_role("link", name="Freshman, Rosa")).to_be_visible()
    shot(page, "worklist")
    new.get_by_role("link", name="Freshman, Rosa").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa Freshman")


def test_um_queue_shows_time_remaining_and_overdue_then_decides(signed_in, api, network, pending, shot):
    later = MemberFactory(first_name="Lee", last_name="Laterly", experiencing_homelessness=True)
    rid = api("referrer").post("/referrals", referral_body(later)).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    overdue = pending["authorization"]
    AuthorizationRequest.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=5, minutes=1))
    page = signed_in("um")
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Pendingson")  # soonest due first
    expect(rows.nth(1)).to_contain_text("Overdue")
    expect(rows.nth(1)).to_contain_text("overdue by 5 h")
    expect(rows.nth(2)).to_contain_text("Laterly")
    expect(rows.nth(2)).to_contain_text(re.compile(r"\d+ (d|h|min).* left"))
    shot(page, "queue")

    rows.nth(2).get_by_role("link", name="Decide").click()
    expect(page.get_by_role("heading", name=re.compile("UM decision for"))).to_be_visible()
    expect(page.get_by_text("Due", exact=True)).to_be_visible()
    shot(page, "decision")
    page.get_by_role("button", name="Record decision").click()  # no outcome chosen
    expect(page.get_by_role("group", name="Outcome")).to_have_attribute("aria-describedby", "id_outcome-error")
    page.get_by_role("radio", name="Approve", exact=True).check()
    page.get_by_label("Reason").fill("Meets A1: homeless with complex needs")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: Approved")
    expect(page.get_by_role("row").filter(has_text="Laterly")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Pendingson")).to_have_count(1)
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    assert auth.status == "approved"
    event = AuditEvent.objects.get(action="authorization.approve", object_id=str(auth.pk))
    assert event.actor == network.users["um"] and "Meets A1" in event.reason


def test_member_services_looks_members_up_by_cin_and_name(signed_in, network, member, shot):
    for n in range(27):
        MemberFactory(first_name="Sam", last_name=f"Searchable{n:02d}")
    MemberFactory(last_name="Searchable-hpsm", plan=network.hpsm.plan, county=network.hpsm.plan.counties.first())
    page = signed_in("member_services")
    box = page.get_by_role("searchbox", name=re.compile("CIN, last or first name"))
    expect(box).to_be_visible()
    # Typing searches as you go (htmx), without a full page load.
    page.evaluate("window.__samePage = true")
    box.fill(member.cin)
    results = page.locator("#results")
    expect(results).to_contain_text("1 member found")
    expect(results.get_by_role("link", name=f"{member.last_name}, {member.first_name}")).to_be_visible()
    box.fill("searchable")
    expect(results).to_contain_text("27 members found")
    expect(results).to_contain_text("Page 1 of 2")
    expect(results).not_to_contain_text("Searchable-hpsm")  # another plan's member
    shot(page, "search")
    results.get_by_role("link", name="Next").click()
    expect(results).to_contain_text("Page 2 of 2")
    expect(results.get_by_role("link", name="Searchable26, Sam")).to_be_visible()
    assert page.evaluate("window.__samePage") is True
    # The search also works without JavaScript's help: the button submits the form.
    box.fill(member.last_name)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"q={member.last_name}"))
    page.get_by_role("link", name=f"{member.last_name}, {member.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(member.cin)


def test_care_manager_caseload_and_overdue_tasks(signed_in, network, enrolled, shot):
    member = enrolled["member"]
    Task.objects.filter(member=member).update(due_date=plan_today() - dt.timedelta(days=1))
    page = signed_in("cm_a")
    expect(page.get_by_role("heading", name="My worklist")).to_be_visible()
    caseload = page.get_by_role("region", name=re.compile(r"^Caseload"))
    expect(caseload.get_by_role("row").filter(has_text=member.cin)).to_contain_text("Enrolled")
    tasks = page.get_by_role("region", name=re.compile(r"^Open tasks"))
    expect(tasks).to_contain_text("Overdue")
    expect(page.get_by_role("region", name=re.compile(r"^New assignments"))).to_contain_text("No new assignments")
    shot(page, "caseload")
    other = signed_in("cm_b")
    expect(other.get_by_role("region", name=re.compile(r"^Caseload"))).not_to_contain_text(member.last_name)


def test_supervisor_assigns_a_lead_care_manager_through_the_form(signed_in, api, network, pending, shot):
    member = pending["member"]
    api("um").post(f"/authorizations/{pending['authorization'].pk}/decision", {"outcome": "approve"})
    eid = (
        api("intake")
        .post(f"/referrals/{pending['referral']}/assignment", {"provider_id": str(network.provider_a.pk)})
        .json()["id"]
    )
    page = signed_in("sup_a")
    expect(page.get_by_role("heading", name="Team caseloads")).to_be_visible()
    capacity = page.get_by_role("region", name="Against contract capacity").get_by_role("row").filter(has_text="HPSJ")
    expect(capacity).to_have_text(re.compile(r"HPSJ\s*1\s*50\s*49"))  # serving 1 of 50: 49 free
    shot(page, "team")
    page.get_by_role("link", name=f"Assign Lead Care Manager for {member.first_name} {member.last_name}").click()
    expect(page.get_by_role("heading", name=re.compile("Assign the Lead Care Manager"))).to_be_visible()
    page.get_by_role("button", name="Assign").click()  # nobody chosen
    expect(page.locator("#id_care_manager-error")).to_be_visible()
    page.get_by_label("Lead Care Manager").select_option("cm_a2")
    shot(page, "assign-form")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Lead Care Manager for")
    row = page.get_by_role("row").filter(has_text=member.last_name)
    expect(row).to_contain_text("cm_a2")
    expect(row.get_by_role("link", name=re.compile("^Reassign"))).to_be_visible()
    assert Enrollment.objects.get(pk=eid).lead_care_manager == network.users["cm_a2"]
    event = AuditEvent.objects.get(action="enrollment.lead_care_manager", object_id=eid)
    assert event.actor == network.users["sup_a"]


def test_referrer_sees_only_own_referrals_with_their_status(signed_in, network, enrolled, pending, shot):
    page = signed_in("referrer")
    referrals = page.get_by_role("region", name=re.compile("ECM referrals"))
    expect(referrals.get_by_role("row").filter(has_text=enrolled["member"].cin)).to_contain_text("Enrolled")
    expect(referrals).not_to_contain_text("Pendingson")
    shot(page, "referrals")
    cbo = signed_in("referrer_cbo")
    expect(cbo.get_by_role("row").filter(has_text="Pendingson")).to_contain_text("authorization pending")
