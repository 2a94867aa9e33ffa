"""Community Supports fixes in Chromium: a delivery's units bounded by the service's unit, a second delivery on a
day already recorded confirmed as separate, and a request over a limit explained, its dates changed and sent again."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.core.clock import plan_today
from tests.browser.test_flows import cs_provider  # noqa: F401 - fixture
from tests.factories import CsRequestFactory

TODAY = plan_today()


def _error_of(page: Any, field: Any) -> Any:
    """The error tied to a field by aria-describedby (the last id it names)."""
    expect(field).to_have_attribute("aria-invalid", "true")
    return page.locator(f"#{(field.get_attribute('aria-describedby') or '').split()[-1]}")


def test_delivery_units_bounded_and_a_same_day_repeat_confirmed(
    signed_in: Any,
    network: Any,
    member: Any,
    cs_provider: Any,  # noqa: F811
    shot: Any,
) -> None:
    request = CsRequestFactory(member=member, authorized=True, provider=cs_provider)
    listed = f"{member.last_name}, {member.first_name}"
    cs = signed_in("cs")
    cs.get_by_role("link", name=f"Record a delivery for {listed}").click()
    main = cs.get_by_role("main")
    expect(main).to_contain_text("at most 1 day for each day delivered")
    expect(main.get_by_label("This is a separate delivery")).to_have_count(0)
    main.get_by_label("First day delivered").fill(TODAY.isoformat())
    main.get_by_label("Last day delivered").fill(TODAY.isoformat())
    units = main.get_by_label("Units")
    units.fill("5")
    main.get_by_label("Cost in dollars").fill("180")
    main.get_by_role("button", name="Record delivery").click()
    expect(cs.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    expect(_error_of(cs, cs.get_by_label("Units"))).to_contain_text("may record at most 1 day; 5 were entered")
    shot(cs, "1-units-refused")
    assert not CsDelivery.objects.exists()
    cs.get_by_label("Units").fill("1")
    cs.get_by_role("button", name="Record delivery").click()
    expect(cs.get_by_role("status")).to_contain_text("Delivery recorded")

    # The same delivery entered again is flagged, and recorded only once confirmed as a separate one.
    cs.get_by_role("link", name="Record a delivery").click()
    cs.get_by_label("First day delivered").fill(TODAY.isoformat())
    cs.get_by_label("Last day delivered").fill(TODAY.isoformat())
    cs.get_by_label("Units").fill("1")
    cs.get_by_label("Cost in dollars").fill("180")
    cs.get_by_role("button", name="Record delivery").click()
    expect(cs.get_by_role("alert")).to_contain_text("This looks like a delivery already recorded")
    separate = cs.get_by_label("This is a separate delivery")
    expect(_error_of(cs, separate)).to_contain_text("already recorded")
    shot(cs, "2-repeat-flagged")
    assert CsDelivery.objects.count() == 1
    separate.check()
    cs.get_by_role("button", name="Record delivery").click()
    expect(cs.get_by_role("status")).to_contain_text("Delivery recorded")
    expect(cs.get_by_role("region", name="Deliveries")).to_contain_text("separate delivery on a day already recorded")
    shot(cs, "3-repeat-recorded")
    assert CsDelivery.objects.filter(request=request, confirmed_repeat=True).count() == 1


def test_a_request_over_a_limit_is_explained_and_sent_again_with_other_dates(
    signed_in: Any,
    network: Any,
    member: Any,
    cs_provider: Any,  # noqa: F811
    shot: Any,
) -> None:
    # 150 room-and-board days already approved in the last 12 months.
    CsRequestFactory(
        member=member,
        authorized=True,
        service_code="stphh",
        requested_start=TODAY - dt.timedelta(days=170),
        requested_end=TODAY - dt.timedelta(days=21),
    )
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
    service.get_by_label("Requested end").fill((TODAY + dt.timedelta(days=39)).isoformat())
    referrer.get_by_role("button", name="Send request").click()

    expect(referrer.get_by_role("alert")).to_be_visible()
    expect(referrer.get_by_role("status")).to_have_count(0)  # no success banner for a refusal
    end = referrer.get_by_role("group", name="Service 1").get_by_label("Requested end")
    error = _error_of(referrer, end)
    expect(error).to_contain_text("Over a limit")
    expect(error).to_contain_text("(requested 40, already used 150, 33 left)")
    expect(error).to_contain_text("12 months ending")
    shot(referrer, "1-over-the-limit")
    assert not CsRequest.objects.filter(service_code="recuperative_care").exists()

    end.fill((TODAY + dt.timedelta(days=32)).isoformat())
    referrer.get_by_role("button", name="Send request").click()
    expect(referrer.get_by_role("heading", name=re.compile("Recuperative Care"))).to_be_visible()
    expect(referrer.locator("#cs-status")).to_have_text(re.compile("pending", re.I))
    expect(referrer.get_by_role("status")).to_contain_text("Authorization pending")
    shot(referrer, "2-sent-again")
    sent = CsRequest.objects.get(service_code="recuperative_care")
    assert sent.requested_end == TODAY + dt.timedelta(days=32) and sent.status == "pending_authorization"
