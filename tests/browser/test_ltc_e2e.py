"""Long-term care in a browser: a care manager's NEMT ride is refused completion until a PCS is on file; plan intake
records a nursing-facility stay and a late PASRR Level I on the member record and sees both gaps on /ltc/, then
records the PCS, after which the ride is marked complete. Each step is checked on the page and in the database."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from calaim.careplans.models import Task, TaskStatus
from calaim.careplans.services import task_open
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.ltc.models import FacilityStay, PasrrScreening, PhysicianCertification, Ride

TODAY = plan_today()
ADMITTED = TODAY - dt.timedelta(days=5)
LEVEL1 = TODAY - dt.timedelta(days=2)


def _form(region, button: str):
    return region.locator("form").filter(has=region.page.get_by_role("button", name=button, exact=True))


def _ltc(page):
    """The record's Long-term care section, unfolded if the record shows it folded under its one-line gist."""
    section = page.get_by_role("region", name="Long-term care", exact=True)
    folded = section.locator("details.fold:not([open]) > summary")
    if folded.count():
        folded.first.click()
    return section


def test_stay_pasrr_gap_and_nemt_ride_needing_a_pcs(signed_in, network, enrolled, shot):
    member = enrolled["member"]
    task = task_open(
        actor=None,
        enrollment=Enrollment.objects.get(pk=enrolled["enrollment"]),
        kind="transportation",
        due_date=TODAY + dt.timedelta(days=2),
        description="Ride to dialysis",
    )

    # 1. The care manager says the ride goes by wheelchair van (NEMT); marking it complete is refused: no PCS.
    cm = signed_in("cm_a")
    cm.goto(f"/members/{member.pk}/")
    section = _ltc(cm)
    expect(section).to_contain_text("No Physician Certification Statement on file.")
    section.get_by_text("Set the ride", exact=False).click()
    ride_form = _form(section, "Save ride")
    ride_form.get_by_label("How the ride travels").select_option(label="Wheelchair van (NEMT)")
    ride_form.get_by_role("button", name="Save ride").click()
    section = _ltc(cm)
    expect(section.get_by_role("status")).to_have_text("Ride recorded.")
    expect(section).to_contain_text("Wheelchair van")
    assert Ride.objects.get(task=task).mode == "wheelchair_van"

    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    tasks.get_by_role("button", name=re.compile(r"^Mark complete task: Transportation")).click()
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks.get_by_role("alert")).to_contain_text("needs a current Physician Certification Statement (PCS)")
    task.refresh_from_db()
    assert (
        task.status == TaskStatus.REQUESTED
        and not AuditEvent.objects.filter(action="task.complete", object_id=str(task.pk)).exists()
    )

    # 2. Plan intake records the nursing-facility stay on the member record, then a Level I dated after it.
    intake = signed_in("intake")
    intake.goto(f"/members/{member.pk}/")
    section = _ltc(intake)
    section.get_by_text("Record a facility stay", exact=True).click()
    stay_form = _form(section, "Record stay")
    stay_form.get_by_label("Facility name").fill("Delta Skilled Nursing Center")
    stay_form.get_by_label("Facility type").select_option(
        label="Skilled nursing facility (NF Level B), freestanding or hospital-based"
    )
    stay_form.get_by_label("Admitted on").fill(ADMITTED.isoformat())
    stay_form.get_by_role("button", name="Record stay").click()
    section = _ltc(intake)
    expect(section.get_by_role("status")).to_have_text("Facility stay recorded.")
    expect(section).to_contain_text("No PASRR Level I on file for Delta Skilled Nursing Center")
    stay = FacilityStay.objects.get(member=member)
    assert stay.admitted_on == ADMITTED and stay.recorded_by == network.users["intake"]

    section.get_by_text("Record a PASRR screening", exact=True).click()
    pasrr = _form(section, "Record PASRR")
    pasrr.get_by_label("Nursing-facility admission").select_option(index=1)
    pasrr.get_by_label("Level I type").select_option(label="Preadmission screening (PAS)")
    pasrr.get_by_label("Level I date").fill(LEVEL1.isoformat())
    pasrr.get_by_label("Level I submitted by").select_option(label="Nursing facility")
    pasrr.get_by_label("Level I result").select_option(label="Negative")
    pasrr.get_by_role("button", name="Record PASRR").click()
    section = _ltc(intake)
    expect(section.get_by_role("status")).to_have_text("PASRR screening recorded.")
    expect(section).to_contain_text("Late Level I: 3 days after admission to Delta Skilled Nursing Center")
    assert PasrrScreening.objects.get(stay=stay).level1_on == LEVEL1

    # 3. The LTC page lists the member in a facility, the late Level I and the NEMT ride without a PCS.
    intake.get_by_role("navigation", name="Main").get_by_role("link", name="Long-term care").click()
    expect(intake.get_by_role("heading", level=1)).to_have_text("Long-term care")
    now = intake.get_by_role("region", name="Members in facilities now")
    expect(now).to_contain_text("Skilled nursing facility (NF Level B), freestanding or hospital-based: 1")
    gaps = intake.get_by_role("region", name="PASRR gaps")
    expect(gaps).to_contain_text("Late Level I (1)")
    expect(gaps).to_contain_text("Late Level I: 3 days")
    expect(gaps).to_contain_text("No Level I on file (0)")
    rides = intake.get_by_role("region", name=re.compile("^NEMT rides without a current PCS"))
    expect(rides).to_contain_text("Wheelchair van")
    expect(rides).to_contain_text(member.last_name)
    shot(intake, "ltc-page")

    # 4. A PCS valid for 13 months is refused on its field; then one for 6 months is recorded.
    intake.goto(f"/members/{member.pk}/")
    section = _ltc(intake)
    section.get_by_text("Record a Physician Certification Statement", exact=True).click()
    pcs = _form(section, "Record PCS")
    pcs.get_by_label("Signed by (type)").select_option(label="Nurse practitioner")
    pcs.get_by_label("Signer's name").fill("Lee Nguyen, NP")
    pcs.get_by_label("Signer's NPI").fill("1234567893")
    pcs.get_by_label("NEMT mode").select_option(label="Wheelchair van")
    pcs.get_by_label("Valid from").fill(TODAY.isoformat())
    pcs.get_by_label("Valid through").fill((TODAY + dt.timedelta(days=400)).isoformat())
    pcs.get_by_label("Plan's PCS form").select_option(label="HPSJ PCS (2023-03)")
    pcs.get_by_role("button", name="Record PCS").click()
    section = _ltc(intake)
    pcs = _form(section, "Record PCS")
    through = pcs.get_by_label("Valid through")
    expect(through).to_have_attribute("aria-invalid", "true")
    expect(pcs).to_contain_text("A PCS runs at most 12 months")
    assert not PhysicianCertification.objects.exists()
    through.fill((TODAY + dt.timedelta(days=180)).isoformat())
    pcs.get_by_role("button", name="Record PCS").click()
    section = _ltc(intake)
    expect(section.get_by_role("status")).to_have_text("Physician Certification Statement recorded.")
    expect(section).to_contain_text("Current")
    assert PhysicianCertification.objects.get(member=member).signer_type == "np"

    # 5. Now the care manager's ride is marked complete.
    cm.goto(f"/members/{member.pk}/")
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    tasks.get_by_role("button", name=re.compile(r"^Mark complete task: Transportation")).click()
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks.get_by_role("status")).to_have_text("Task completed.")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.COMPLETED
