"""Per-plan limit settings: read from the plan's dated row in force with the catalog's names, a clear error when the
plan has none, and a plan's own numbers and room-and-board set change what the engine allows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from calaim.community_supports import limits
from calaim.community_supports.eligibility import limit_settings_for, request_use, usage_history
from calaim.community_supports.models import CsDelivery, CsLimitSettings, CsRequest
from calaim.core.errors import ValidationFailed
from calaim.plans.models import County, Plan
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
DAY = dt.timedelta(days=1)


def _hpsj_from(start: dt.date, **changes: object) -> None:
    """End HPSJ's current limits the day before `start` and give it a new version from `start` with `changes`."""
    current = CsLimitSettings.objects.get(plan__code="HPSJ", effective_to__isnull=True)
    values = model_to_dict(current, exclude=["id", "plan", "effective_from", "effective_to", "version"])
    current.effective_to = start - DAY
    current.save()
    CsLimitSettings.objects.create(plan=current.plan, version="2027.1", effective_from=start, **{**values, **changes})


def test_settings_are_the_plan_row_in_force_named_as_the_catalog_names_services(network) -> None:
    settings = limit_settings_for(MemberFactory(), TODAY)
    assert settings.version == "HPSJ 2026.1"
    assert settings.room_board_services == {"recuperative_care", "stphh", "transitional_rent"}
    assert (settings.room_board_max_days, settings.room_board_window_days) == (183, 365)
    assert (settings.deposit_approvals, settings.deposit_approvals_with_change) == (1, 1)
    assert settings.sobering_max_hours == 24
    assert settings.respite_hours_per_year == Decimal(336)
    assert settings.lifetime_dollar_caps["community_transition"] == Decimal(7500)
    assert settings.label("recuperative_care") == "Recuperative Care (Medical Respite)"
    assert settings.label("medically_tailored_meals") == "Medically Tailored Meals/Medically-Supportive Food"


def test_a_newer_version_takes_over_on_its_first_day(network) -> None:
    member = MemberFactory()
    change = dt.date(2027, 1, 1)
    _hpsj_from(change, room_board_services=["stphh"], sobering_max_hours=None, respite_hours_per_year=None)
    before, after = limit_settings_for(member, change - DAY), limit_settings_for(member, change)
    assert before.version == "HPSJ 2026.1" and before.sobering_max_hours == 24
    assert after.version == "HPSJ 2027.1"
    assert after.room_board_services == {"stphh"}
    assert after.sobering_max_hours is None and after.respite_hours_per_year is None


def test_a_plan_without_limit_settings_in_force_gets_a_clear_error(network) -> None:
    member = MemberFactory()
    CsLimitSettings.objects.filter(plan__code="HPSJ").update(effective_to=TODAY - DAY)
    with pytest.raises(ValidationFailed) as caught:
        limit_settings_for(member, TODAY)
    assert caught.value.message == "Plan HPSJ has no Community Supports limit settings in force on 2026-06-30."
    assert limit_settings_for(member, TODAY - DAY).version == "HPSJ 2026.1"
    san_mateo = MemberFactory(plan=Plan.objects.get(code="HPSM"), county=County.objects.get(name="San Mateo"))
    assert limit_settings_for(san_mateo, TODAY).version == "HPSM 2026.1"


def test_the_plan_set_not_the_catalog_decides_what_counts_as_room_and_board(network) -> None:
    member = MemberFactory()
    history = [limits.Use("stphh", TODAY - 160 * DAY, TODAY - DAY)]
    request = limits.Use("recuperative_care", TODAY, TODAY + 59 * DAY)
    counted = limits.check_request(request, history, limit_settings_for(member, TODAY), TODAY)
    assert [v.limit for v in counted.violations] == [limits.ROOM_BOARD]
    assert counted.violations[0].message.startswith(
        "Recuperative Care (Medical Respite), Short-Term Post-Hospitalization Housing and Transitional Rent together "
        "would cover 220 days in the 12 months ending"
    )
    _hpsj_from(TODAY, room_board_services=["stphh", "transitional_rent"])
    assert limits.check_request(request, history, limit_settings_for(member, TODAY), TODAY).allowed


def _request(network, member, code: str, status: str, start: dt.date, days: int, quantity: str = "0") -> CsRequest:
    referrer = network.users["referrer"]
    return CsRequest.objects.create(
        member=member,
        service_code=code,
        source_type="pcp",
        submitted_by=referrer,
        referrer_name="x",
        justification="x",
        requested_start=start,
        requested_end=start + (days - 1) * DAY,
        quantity=Decimal(quantity),
        member_aware=True,
        attested_by="x",
        attested_on=start,
        received_at=referrer.date_joined,
        status_changed_at=referrer.date_joined,
        status=status,
    )


def test_quantity_means_what_the_catalog_unit_says(network) -> None:
    member = MemberFactory()
    respite = request_use(_request(network, member, "respite", "authorized", TODAY, 1, quantity="8"))
    personal_care = request_use(_request(network, member, "personal_care", "authorized", TODAY, 1, quantity="6"))
    meals = request_use(_request(network, member, "medically_tailored_meals", "authorized", TODAY, 1, quantity="2"))
    htns = request_use(_request(network, member, "htns", "authorized", TODAY, 1, quantity="3"))
    assert (respite.hours, respite.meals_per_day) == (Decimal(8), None)
    assert (personal_care.hours, personal_care.meals_per_day) == (Decimal(6), None)
    assert (meals.hours, meals.meals_per_day) == (Decimal(0), 2)
    assert (htns.hours, htns.meals_per_day) == (Decimal(0), None)


def test_an_authorized_stay_books_its_rest_and_a_deposit_counts_once(network, member) -> None:
    provider = network.provider_a
    stay = _request(network, member, "stphh", "in_service", TODAY - 10 * DAY, 60)
    deposit = _request(network, member, "housing_deposits", "completed", TODAY - 100 * DAY, 30)
    for request, start, cost in ((stay, TODAY - 10 * DAY, "100"), (deposit, TODAY - 100 * DAY, "800")):
        for offset in (0, 1):
            CsDelivery.objects.create(
                request=request,
                member=member,
                service_code=request.service_code,
                provider=provider,
                start_date=start + offset * DAY,
                end_date=start + offset * DAY,
                units=1,
                cost=Decimal(cost),
                recorded_by=request.submitted_by,
            )
    history = usage_history(member)
    stays = [u for u in history if u.service == "stphh"]
    assert (stays[0].start, stays[0].end) == (TODAY - 10 * DAY, TODAY + 49 * DAY)  # the authorized dates, booked
    assert len(stays) == 3  # the booking and the two delivered days, which overlap it and count once
    deposits = [u for u in history if u.service == "housing_deposits"]
    assert len(deposits) == 1 and deposits[0].amount == Decimal(1600)
