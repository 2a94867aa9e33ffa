"""A delivery's units bounded by the service's unit definition (services.yaml `delivery_units`): the definition
read and checked from the dated catalog, the bound it sets, and the delivery service refusing past it and asking a
same-day repeat to be confirmed, writing nothing when it refuses."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from calaim.community_supports.deliveries import DeliveryInput, cs_delivery_record
from calaim.community_supports.delivery_units import DeliveryUnits, delivery_units_parse
from calaim.community_supports.models import CsDelivery, CsService
from calaim.community_supports.reference import REFERENCE_DIR, cs_reference_load
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent
from calaim.plans.reference import ReferenceDataError
from tests.community_supports.test_cs_flow import cs_provider  # noqa: F401 - fixture
from tests.factories import CsRequestFactory

TODAY = plan_today()


@pytest.mark.parametrize(
    ("units", "days", "meals", "most"),
    [
        (DeliveryUnits("day", 1, "day"), 1, None, 1),
        (DeliveryUnits("day", 1, "day"), 3, None, 3),
        (DeliveryUnits("hour", 24, "day"), 2, None, 48),
        (DeliveryUnits("meal", 3, "day"), 7, 2, 14),  # the meals a day given bound a meal service
        (DeliveryUnits("meal", 3, "day"), 7, None, 21),
        (DeliveryUnits("stay", 1, "delivery"), 2, None, 1),
        (DeliveryUnits("payment", 6, "delivery"), 30, None, 6),
    ],
)
def test_the_bound_follows_the_definition(units: DeliveryUnits, days: int, meals: int | None, most: int) -> None:
    assert units.bound(days, meals) == Decimal(most)


def test_the_rule_in_words() -> None:
    assert DeliveryUnits("day", 1, "day").rule() == "at most 1 day for each day delivered"
    assert DeliveryUnits("visit", 4, "day").rule() == "at most 4 visits for each day delivered"
    assert DeliveryUnits("stay", 1, "delivery").rule() == "at most 1 stay in one delivery"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"per": "day", "most": 1}, "expected per, most and over"),
        ({"per": "fortnight", "most": 1, "over": "day"}, "per must be one of"),
        ({"per": "day", "most": 0, "over": "day"}, "most must be a whole number"),
        ({"per": "day", "most": True, "over": "day"}, "most must be a whole number"),
        ({"per": "day", "most": 1, "over": "week"}, "over must be day or delivery"),
    ],
)
def test_a_bad_definition_is_refused(value: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        delivery_units_parse(value)


@pytest.mark.django_db
def test_every_service_in_the_catalog_has_one(reference: None) -> None:
    services = CsService.objects.all()
    assert services.exists()
    for service in services:
        delivery_units_parse(service.delivery_units)
    assert CsService.objects.get(code="recuperative_care").delivery_units == {"per": "day", "most": 1, "over": "day"}
    assert CsService.objects.get(code="sobering_center").delivery_units["over"] == "delivery"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("    delivery_units: {per: day, most: 1, over: day}\n", "", "'delivery_units': required key is missing"),
        ("delivery_units: {per: stay, most: 1, over: delivery}", "delivery_units: {per: stay}", "'delivery_units'"),
    ],
)
def test_the_catalog_refuses_a_service_without_a_sound_definition(
    reference: None, tmp_path: Path, old: str, new: str, fragment: str
) -> None:
    target = tmp_path / "cs"
    shutil.copytree(REFERENCE_DIR, target)
    text = (target / "services.yaml").read_text()
    assert old in text
    (target / "services.yaml").write_text(text.replace(old, new, 1))
    before = list(CsService.objects.values().order_by("pk"))
    with pytest.raises(ReferenceDataError) as caught:
        cs_reference_load(target)
    assert "services.yaml" in caught.value.message and fragment in caught.value.message
    assert list(CsService.objects.values().order_by("pk")) == before


@pytest.fixture
def in_service(network: Any, cs_provider: Any) -> Any:  # noqa: F811
    return CsRequestFactory(
        authorized=True, status="in_service", provider=cs_provider, requested_start=TODAY - dt.timedelta(days=5)
    )


def record(request: Any, actor: Any, start: dt.date, end: dt.date, units: str, **extra: Any) -> CsDelivery:
    data = DeliveryInput(start_date=start, end_date=end, units=Decimal(units), cost=Decimal(100), **extra)
    return cs_delivery_record(actor=actor, request=request, data=data)


@pytest.mark.django_db
def test_the_service_refuses_units_past_the_bound_and_writes_nothing(network: Any, in_service: Any) -> None:
    actor = network.users["cs"]
    before = (CsDelivery.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        record(in_service, actor, TODAY, TODAY, "5")
    assert caught.value.field == "units" and caught.value.code == "delivery_units_bound"
    assert "at most 1 day; 5 were entered" in caught.value.message
    assert (CsDelivery.objects.count(), AuditEvent.objects.count()) == before
    three = record(in_service, actor, TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=1), "3")
    assert three.units == 3


@pytest.mark.django_db
def test_the_service_asks_a_same_day_repeat_to_be_confirmed(network: Any, in_service: Any) -> None:
    actor = network.users["cs"]
    first = record(in_service, actor, TODAY - dt.timedelta(days=2), TODAY, "3")
    before = (CsDelivery.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        record(in_service, actor, TODAY, TODAY, "1")  # overlaps the first delivery's last day
    assert caught.value.field == "confirmed_repeat" and caught.value.code == "delivery_repeat"
    assert (CsDelivery.objects.count(), AuditEvent.objects.count()) == before
    second = record(in_service, actor, TODAY, TODAY, "1", confirmed_repeat=True)
    assert second.confirmed_repeat and not first.confirmed_repeat
