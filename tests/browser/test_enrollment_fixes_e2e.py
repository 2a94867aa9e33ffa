"""In Chromium: intake finds the authorized referral waiting for a provider, assigns one of the providers that fit
(a provider serving only A5/A6 is not offered, and the page says why), then ending ECM shows what it will cancel
and changes nothing until confirmed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from calaim.careplans.models import Task
from calaim.ecm.models import Enrollment
from tests.enrollment_web.conftest import a5_only, authorized  # noqa: F401  # data fixtures


def test_intake_to_assignment_to_ending_with_confirmation(signed_in, network, member, authorized, a5_only, shot):  # noqa: F811
    name = f"{member.first_name} {member.last_name}"
    intake = signed_in("intake")
    waiting = intake.get_by_role("region", name=re.compile("Authorized, awaiting provider assignment"))
    expect(waiting).to_contain_text(member.cin)
    expect(waiting).to_contain_text("0 days")
    shot(intake, "intake-awaiting")
    waiting.get_by_role("link", name=f"Assign a provider for {name}").click()

    # Only the providers that fit are offered, with the member's language by name and free places.
    expect(intake.get_by_role("heading", level=1)).to_contain_text("Assign an ECM provider")
    expect(intake.locator("#member-needs")).to_contain_text("Spanish")
    expect(intake.get_by_role("radio", name=re.compile("Alpha Care Partners"))).to_be_visible()
    expect(intake.get_by_role("radio", name=re.compile("Bravo Health Navigators"))).to_be_visible()
    expect(intake.get_by_role("radio", name=re.compile("Carson"))).to_have_count(0)
    expect(intake.get_by_role("radio", name=re.compile("Alpha Care Partners"))).to_have_accessible_name(
        re.compile("speaks Spanish.*50 places free")
    )
    others = intake.locator("#not-offered")
    intake.get_by_text(re.compile("Why other providers are not offered")).click()
    expect(others.get_by_role("row", name=re.compile("Carson"))).to_contain_text(
        "does not serve the member's Populations of Focus A1 (serves A5, A6)"
    )
    shot(intake, "assignment")
    intake.get_by_role("radio", name=re.compile("Alpha Care Partners")).check()
    intake.get_by_role("button", name="Assign provider").click()
    expect(intake.get_by_role("status")).to_contain_text("Assigned to Alpha Care Partners: chosen by the member")
    intake.goto("/")
    expect(intake.get_by_role("region", name=re.compile("Authorized, awaiting provider assignment"))).to_contain_text(
        "No authorized referral is waiting"
    )

    # Ending ECM: "Other" needs a note; then a confirmation lists the open outreach task; nothing changes before.
    enrollment = Enrollment.objects.get(referral_id=authorized)
    ms = signed_in("member_services")
    ms.goto(f"/members/{member.pk}/")
    ecm = ms.get_by_role("region", name="ECM enrollment", exact=True)
    ecm.get_by_text("End ECM or record an opt-out").click()
    ecm.get_by_label("Reason").select_option(label="Other")
    ecm.get_by_role("button", name="End ECM").click()
    expect(ms.locator("#id_note-error")).to_contain_text("this reason needs a note")
    ms.get_by_label("Note").fill("Member is moving to a facility out of state")
    ms.get_by_role("button", name="Review what ending changes").click()
    changes = ms.get_by_role("region", name="What ending ECM will do")
    expect(changes).to_contain_text("1 open task will be cancelled")
    expect(changes).to_contain_text("Reach the member and offer ECM")
    expect(changes).to_contain_text('told the reason\'s category only: "Other"')
    shot(ms, "confirm-ending")
    assert Enrollment.objects.get(pk=enrollment.pk).status == "assigned"
    assert Task.objects.filter(enrollment=enrollment, status="requested").count() == 1
    ms.get_by_role("button", name="Confirm: end ECM").click()
    expect(ms.get_by_role("status")).to_contain_text("ECM ended. Offer the member: Complex Care Management")
    ecm = ms.get_by_role("region", name="ECM enrollment", exact=True)
    expect(ecm).to_contain_text("Other supports offered")
    shot(ms, "ended")
    assert Enrollment.objects.get(pk=enrollment.pk).status == "disenrolled"
    assert not Task.objects.filter(enrollment=enrollment, status="requested").exists()

    # The referrer reads the category, not the staff note.
    referrer = signed_in("referrer")
    referrer.goto(f"/referrals/{authorized}/")
    expect(referrer.locator("main")).to_contain_text("Other.")
    expect(referrer.locator("main")).not_to_contain_text("facility out of state")
