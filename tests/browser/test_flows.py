"""Whole journeys driven only through the pages, one signed-in browser per person, clicking what they would click.

ECM: a PCP's referrer refers -> intake determines eligibility -> UM approves -> intake assigns the provider ->
the supervisor names the Lead Care Manager -> the care manager records outreach and enrolls -> the member opts
out by phone with member services -> the referrer sees the closed loop.
CS: a referrer requests recuperative care -> UM approves -> the CS provider records a delivery -> what remains of
the member's limits is shown.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from calaim.accounts.models import Role
from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.network.models import Contract
from calaim.plans.models import County, Plan
from calaim.referrals.models import Referral
from tests.factories import OrganizationFactory, UserFactory

TODAY = plan_today()


def _row(page, text: str):
    return page.get_by_role("row").filter(has_text=text)


def test_ecm_referral_to_enrollment_to_opt_out(signed_in, network, member, shot):
    name = f"{member.first_name} {member.last_name}"
    listed = f"{member.last_name}, {member.first_name}"

    # 1. The PCP clinic's referrer fills in the ECM referral form.
    referrer = signed_in("referrer")
    referrer.get_by_role("link", name="Refer a member").click()
    expect(referrer.get_by_role("heading", name="Refer a member for Enhanced Care Management")).to_be_visible()
    form = referrer.get_by_role("form", name="ECM referral")
    form.get_by_label("Member's CIN").fill(member.cin)
    form.get_by_label("Member's birth date").fill(member.birth_date.isoformat())
    form.get_by_label("The member knows of this referral").check()
    source = form.get_by_label("Referral source")
    if source.input_value() == "":
        source.select_option(label="Primary care provider")
    a1 = form.get_by_role("group", name=re.compile(r"^A1 "))
    a1.get_by_role("checkbox", name=re.compile("^Experiencing homelessness")).check()
    a1.get_by_role("checkbox", name=re.compile("^At least one complex")).check()
    a1.get_by_label("Supporting facts for A1").fill("Sleeping in car; CHF with 3 missed visits")
    shot(referrer, "1-referral-form")
    form.get_by_role("button", name="Submit referral").click()
    expect(referrer.get_by_role("status")).to_contain_text("Referral received. Status: Received")
    expect(referrer.get_by_role("heading", name=re.compile(f"ECM referral for {name}"))).to_be_visible()
    shot(referrer, "1-referral-received")
    referral = Referral.objects.get(member=member)
    assert AuditEvent.objects.filter(object_id=str(referral.pk), actor=network.users["referrer"]).exists()

    # 2. Intake determines eligibility from the worklist (htmx, in place), then opens the referral.
    intake = signed_in("intake")
    new = intake.get_by_role("region", name=re.compile(r"^New referrals"))
    new.get_by_role("button", name=f"Determine eligibility for {name}").click()
    outcome = _row(new, member.cin).get_by_role("status")
    expect(outcome).to_contain_text("Eligible")
    expect(outcome).to_contain_text("A1")
    shot(intake, "2-eligibility-determined")
    _row(new, member.cin).get_by_role("link", name="See why").click()
    expect(intake.locator("#referral-status")).to_have_text("Eligible, authorization pending")
    expect(intake.get_by_role("region", name="Eligibility determination")).to_contain_text("A1")
    shot(intake, "2-referral-eligible")

    # 3. UM approves from the queue.
    um = signed_in("um")
    _row(um, listed).get_by_role("link", name="Decide").click()
    um.get_by_role("radio", name="Approve", exact=True).check()
    um.get_by_label("Reason").fill("Meets A1")
    um.get_by_role("button", name="Record decision").click()
    expect(um.get_by_role("status")).to_contain_text("Decision recorded: Approved")

    # 4. Intake, back on the referral, assigns the member's chosen provider.
    intake.reload()
    expect(intake.locator("#referral-status")).to_have_text("Authorized")
    intake.get_by_role("link", name="Assign an ECM provider").click()
    intake.get_by_role("radio", name=re.compile(r"^Alpha Care Partners")).check()
    shot(intake, "4-assign-provider")
    intake.get_by_role("button", name="Assign provider").click()
    expect(intake.get_by_role("status")).to_contain_text("Assigned to Alpha Care Partners")
    expect(intake.locator("#referral-status")).to_have_text("Assigned to an ECM provider")

    # 5. The provider's supervisor names the Lead Care Manager.
    supervisor = signed_in("sup_a")
    supervisor.get_by_role("link", name=f"Assign Lead Care Manager for {name}").click()
    supervisor.get_by_label("Lead Care Manager").select_option("cm_a")
    supervisor.get_by_role("button", name="Assign").click()
    expect(_row(supervisor, listed)).to_contain_text("cm_a")

    # 6. The care manager finds the new assignment, records outreach and enrolls the member.
    cm = signed_in("cm_a")
    cm.get_by_role("region", name=re.compile(r"^New assignments")).get_by_role("link", name=listed).click()
    ecm = cm.get_by_role("region", name="ECM enrollment", exact=True)
    ecm.get_by_text("Record an outreach attempt").click()
    outreach = ecm.locator("form").filter(has=cm.get_by_role("button", name="Record attempt"))
    outreach.get_by_label("Method").select_option(label="In person")
    outreach.get_by_label("The member was reached").check()
    outreach.get_by_label("Minutes spent").fill("40")
    outreach.get_by_role("button", name="Record attempt").click()
    expect(cm.get_by_role("status")).to_contain_text("Outreach attempt recorded")
    cm.get_by_role("region", name="ECM enrollment", exact=True).get_by_role("link", name="Enroll member").click()
    expect(cm.get_by_label("Enrollment date")).to_have_value(TODAY.strftime("%m/%d/%Y"))
    cm.get_by_role("button", name="Enroll member").click()
    expect(cm.get_by_role("status")).to_contain_text("Enrolled in ECM")
    ecm = cm.get_by_role("region", name="ECM enrollment", exact=True)
    expect(ecm.get_by_role("heading", level=3)).to_contain_text("Alpha Care Partners: Enrolled")
    expect(cm.get_by_role("region", name="Outreach log", exact=True)).to_contain_text("In person")
    shot(cm, "6-enrolled")
    enrollment = Enrollment.objects.get(member=member)
    assert enrollment.status == "enrolled" and enrollment.lead_care_manager == network.users["cm_a"]
    enrolled = AuditEvent.objects.get(action="enrollment.enroll", object_id=str(enrollment.pk))
    assert enrolled.actor == network.users["cm_a"]

    # 7. The member calls member services to opt out; other supports are offered.
    ms = signed_in("member_services")
    ms.get_by_role("searchbox").fill(member.cin)
    ms.locator("#results").get_by_role("link", name=listed).click()
    ecm = ms.get_by_role("region", name="ECM enrollment", exact=True)
    ecm.get_by_text("End ECM or record an opt-out").click()
    ecm.get_by_label("Reason").select_option(label="Member declined or opted out")
    ecm.get_by_label("Note").fill("Member called to opt out")
    ecm.get_by_role("button", name="End ECM").click()
    ms.get_by_role("button", name="Confirm: end ECM").click()
    expect(ms.get_by_role("status")).to_contain_text("ECM ended. Offer the member:")
    expect(ms.get_by_role("region", name="ECM enrollment", exact=True)).to_contain_text("Disenrolled")
    shot(ms, "7-opted-out")

    # 8. The referrer sees the whole closed loop.
    referrer.get_by_role("link", name="calaim").click()
    expect(_row(referrer, member.cin)).to_contain_text("Member declined")
    shot(referrer, "8-referrals")
    referrer.get_by_role("link", name=f"View the referral for {name}").click()
    expect(referrer.locator("#referral-status")).to_have_text("Member declined")
    loop = referrer.get_by_role("region", name="Closed-loop status").get_by_role("row")
    expect(loop).to_have_text(
        [
            re.compile("When"),
            re.compile("Received"),
            re.compile("Eligible, authorization pending"),
            re.compile("Authorized"),
            re.compile("Assigned to an ECM provider"),
            re.compile("Enrolled"),
            re.compile("Member declined"),
        ]
    )
    shot(referrer, "8-closed-loop")


@pytest.fixture
def cs_provider(network):
    """A recuperative care provider contracted with HPSJ in San Joaquin, and its coordinator."""
    org = OrganizationFactory(name="Valley Recuperative Care", kind="cs_provider")
    contract = Contract.objects.create(
        plan=Plan.objects.get(code="HPSJ"),
        organization=org,
        program="cs",
        capacity=10,
        languages=["en", "es"],
        start_date=dt.date(2022, 1, 1),
        services=["recuperative_care", "medically_tailored_meals"],
    )
    contract.counties.set(County.objects.filter(name="San Joaquin"))
    network.users["cs"] = UserFactory(username="cs_coord", role=Role.PROVIDER_CARE_MANAGER, organization=org)
    return org


def test_cs_request_to_delivery_with_remaining_limits(signed_in, network, member, cs_provider, shot):
    name = f"{member.first_name} {member.last_name}"
    listed = f"{member.last_name}, {member.first_name}"

    # 1. The referrer requests recuperative care; choosing the service brings its checklist (htmx).
    referrer = signed_in("referrer")
    referrer.get_by_role("link", name="Request Community Supports").click()
    referrer.get_by_label("Member CIN").fill(member.cin)
    referrer.get_by_label("Member birth date").fill(member.birth_date.isoformat())
    referrer.get_by_label("The member knows about and agrees to this request").check()
    source = referrer.get_by_label("Source of the request")
    if source.input_value() == "":
        source.select_option(label="Primary care provider")
    service = referrer.get_by_role("group", name="Service 1")
    service.get_by_label("Community Support").select_option(label="Recuperative Care (Medical Respite)")
    recovery = service.get_by_role("checkbox", name=re.compile("^Too ill or frail"))
    expect(recovery).to_be_visible()
    recovery.check()
    service.get_by_role("checkbox", name="Homeless or unstably housed").check()
    service.get_by_label("Justification").fill("Discharged after pneumonia; nowhere to recover.")
    service.get_by_label("Requested end").fill((TODAY + dt.timedelta(days=13)).isoformat())
    shot(referrer, "1-request-form")
    referrer.get_by_role("button", name="Send request").click()
    expect(referrer.get_by_role("heading", name=re.compile("Recuperative Care"))).to_be_visible()
    expect(referrer.locator("#cs-status")).to_have_text(re.compile("pending", re.I))
    shot(referrer, "1-request-received")
    cs_request = CsRequest.objects.get(member=member)

    # 2. UM approves from the queue.
    um = signed_in("um")
    _row(um, listed).get_by_role("link", name="Decide").click()
    um.get_by_role("radio", name="Approve", exact=True).check()
    um.get_by_role("button", name="Record decision").click()
    expect(um.get_by_role("status")).to_contain_text("Decision recorded: Approved")

    # 3. The CS provider records a delivery from its worklist and sees what remains.
    cs = signed_in("cs")
    expect(cs.get_by_role("heading", name="Community Supports worklist")).to_be_visible()
    shot(cs, "3-worklist")
    cs.get_by_role("link", name=f"Record a delivery for {listed}").click()
    expect(cs.get_by_role("heading", name="What remains of the member's limits")).to_be_visible()
    expect(cs.get_by_role("main")).to_contain_text(re.compile(r"\d+ of 183 days used"))
    delivered = cs.get_by_role("main")
    delivered.get_by_label("First day delivered").fill(TODAY.isoformat())
    # A stay past the 14 days authorized is refused on its field, and nothing is recorded.
    delivered.get_by_label("Last day delivered").fill((TODAY + dt.timedelta(days=99)).isoformat())
    delivered.get_by_label("Units").fill("100")
    delivered.get_by_label("Cost in dollars").fill("25000")
    delivered.get_by_role("button", name="Record delivery").click()
    expect(cs.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    last_day = cs.get_by_label("Last day delivered")
    expect(last_day).to_have_attribute("aria-invalid", "true")
    error_id = (last_day.get_attribute("aria-describedby") or "").split()[-1]
    expect(cs.locator(f"#{error_id}")).to_contain_text(
        f"authorized from {TODAY:%Y-%m-%d} to {TODAY + dt.timedelta(days=13):%Y-%m-%d}"
    )
    shot(cs, "3-delivery-refused")
    assert not CsDelivery.objects.exists()
    cs.get_by_label("Last day delivered").fill((TODAY + dt.timedelta(days=4)).isoformat())
    cs.get_by_label("Units").fill("5")
    cs.get_by_label("Cost in dollars").fill("1250")
    cs.get_by_role("button", name="Record delivery").click()
    expect(cs.get_by_role("status")).to_contain_text("Delivery recorded")
    expect(cs.locator("#cs-status")).to_have_text(re.compile("service", re.I))
    deliveries = cs.get_by_role("region", name="Deliveries")
    expect(deliveries.get_by_role("row").nth(1)).to_contain_text("$1250")
    remaining = cs.get_by_role("region", name="What remains of the member's limits")
    expect(remaining).to_contain_text(re.compile(r"\d+ of 183 days used"))
    shot(cs, "3-delivered")
    delivery = CsDelivery.objects.get(request=cs_request)
    assert delivery.units == 5
    assert AuditEvent.objects.filter(object_id=str(delivery.pk), actor=network.users["cs"]).exists()

    # 4. The referrer follows the request's closed loop.
    referrer.get_by_role("link", name="calaim").click()
    referrer.get_by_role("link", name=re.compile(f"View the .* request for {name}")).click()
    history = referrer.get_by_role("region", name="Closed-loop status")
    expect(history).to_contain_text("Authorized")
    expect(history).to_contain_text("Referral Loop Closed: Services Received")  # the DHCS status beside calaim's
    expect(referrer.get_by_role("region", name="Deliveries")).to_contain_text("$1250")
    shot(referrer, "4-closed-loop")
