"""Recording a delivery in the browser: its units bounded by the service's unit definition, and a second delivery
of the service on a day already recorded asked to be confirmed as separate, then recorded as such."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from tests.web.test_cs_actions import field_error, nothing_written

pytestmark = pytest.mark.django_db
TODAY = plan_today()
DAY = TODAY.isoformat()


def path(request: CsRequest) -> str:
    return f"/community-supports/requests/{request.pk}/deliveries/new/"


def test_the_form_names_the_unit_and_its_bound(web: Any, authorized: CsRequest) -> None:
    page = web("cs").get(path(authorized)).content.decode()
    assert "Units (days)" in page and "at most 1 day for each day delivered" in page
    assert 'name="confirmed_repeat"' not in page  # asked only when a delivery on the day exists


def test_five_units_in_a_one_day_per_day_delivery_are_refused(web: Any, authorized: CsRequest) -> None:
    before = nothing_written()
    response = web("cs").post(path(authorized), {"start_date": DAY, "end_date": DAY, "units": "5", "cost": "180"})
    field_error(response, "units", "may record at most 1 day; 5 were entered")
    assert "Recuperative Care (Medical Respite) is delivered in days" in response.content.decode()
    assert nothing_written() == before
    authorized.refresh_from_db()
    assert authorized.status == "authorized"
    ok = web("cs").post(path(authorized), {"start_date": DAY, "end_date": DAY, "units": "1", "cost": "180"})
    assert ok.status_code == 302 and CsDelivery.objects.get().units == 1


def test_meals_are_bounded_by_the_meals_a_day_given(web: Any, meals: CsRequest) -> None:
    body = {"start_date": DAY, "end_date": DAY, "units": "3", "cost": "30", "meals_per_day": "2"}
    field_error(web("cs").post(path(meals), body), "units", "may record at most 2 meals at the meals a day given")
    assert not CsDelivery.objects.exists()
    assert web("cs").post(path(meals), {**body, "units": "2"}).status_code == 302


def test_a_same_day_repeat_is_flagged_refused_unconfirmed_and_recorded_when_confirmed(
    web: Any, network: Any, authorized: CsRequest
) -> None:
    body = {"start_date": DAY, "end_date": DAY, "units": "1", "cost": "180"}
    assert web("cs").post(path(authorized), body).status_code == 302
    first = CsDelivery.objects.get()
    assert not first.confirmed_repeat
    before = nothing_written()
    again = web("cs").post(path(authorized), body)
    field_error(again, "confirmed_repeat", "already recorded")
    html = again.content.decode()
    assert f"{DAY} to {DAY}, 1 unit, recorded by" in html and 'name="confirmed_repeat"' in html
    assert "This is a separate delivery" in html and "This looks like a delivery already recorded" in html
    assert nothing_written() == before
    confirmed = web("cs").post(path(authorized), {**body, "confirmed_repeat": "on"})
    assert confirmed.status_code == 302
    second = CsDelivery.objects.exclude(pk=first.pk).get()
    assert second.confirmed_repeat and second.recorded_by == network.users["cs"]
    event = AuditEvent.objects.filter(action="cs_delivery.record").order_by("-at").first()
    assert event is not None and event.after["confirmed_repeat"] is True
    page = web("cs").get(f"/community-supports/requests/{authorized.pk}/").content.decode()
    assert "a separate delivery on a day already recorded, confirmed" in page


def test_a_confirmation_ticked_without_a_repeat_records_a_plain_delivery(web: Any, authorized: CsRequest) -> None:
    body = {"start_date": DAY, "end_date": DAY, "units": "1", "cost": "180", "confirmed_repeat": "on"}
    assert web("cs").post(path(authorized), body).status_code == 302
    assert not CsDelivery.objects.get().confirmed_repeat


def test_a_repeat_on_an_earlier_day_is_not_flagged(web: Any, network: Any, cs_provider: Any, member: Any) -> None:
    from tests.web.test_cs_actions import NEW, referral, service

    start = TODAY - dt.timedelta(days=3)
    web("referrer").post(NEW, referral(member, service(requested_start=start.isoformat())))
    request = CsRequest.objects.get()
    web("um").post(f"/authorizations/{request.authorization_id}/decision/", {"outcome": "approve"})
    earlier = (TODAY - dt.timedelta(days=1)).isoformat()
    first = {"start_date": start.isoformat(), "end_date": earlier, "units": "3", "cost": "540"}
    assert web("cs").post(path(request), first).status_code == 302  # 3 days, 3 units: within the bound
    assert web("cs").post(path(request), {**first, "units": "4"}).status_code == 400
    assert (
        web("cs").post(path(request), {"start_date": DAY, "end_date": DAY, "units": "1", "cost": "180"}).status_code
        == 302
    )
    assert CsDelivery.objects.count() == 2 and not CsDelivery.objects.filter(confirmed_repeat=True).exists()


@pytest.mark.parametrize("caller", ["anonymous", "intake", "cs_other", "cm_b"])
def test_only_the_assigned_provider_confirms_a_repeat(
    web: Any, client: Any, other_cs: Any, authorized: CsRequest, caller: str
) -> None:
    body = {"start_date": DAY, "end_date": DAY, "units": "1", "cost": "180"}
    assert web("cs").post(path(authorized), body).status_code == 302
    before = nothing_written()
    response = (client if caller == "anonymous" else web(caller)).post(
        path(authorized), {**body, "confirmed_repeat": "on"}
    )
    if caller == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == 404
    assert nothing_written() == before
