"""Community Supports limits: every limit at, below and above its edge, `remaining`, and properties of the engine."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim.community_supports.limits import (
    DEPOSIT_APPROVALS,
    MTM_MEALS,
    MTM_WEEKS,
    RECUPERATIVE_CARE_DAYS,
    REQUEST_VALUES,
    RESPITE_CALENDAR_YEAR,
    RESPITE_HOURS,
    ROOM_BOARD,
    SOBERING_HOURS,
    SOBERING_RETROACTIVE,
    STPHH_DAYS,
    TRANSITIONAL_RENT_DAYS,
    LimitResult,
    LimitSettings,
    Remaining,
    Use,
    check_request,
    remaining,
    room_board_days_available,
)
from tests.community_supports.limit_settings import limit_settings

TODAY = date(2026, 6, 30)
DEFAULTS = limit_settings()
DAY = timedelta(days=1)


def use(service: str, start: date, days: int = 1, **values: Any) -> Use:
    """A use of `days` covered days from `start`."""
    return Use(service, start, start + (days - 1) * DAY, **values)


def check(request: Use, history: list[Use] | None = None, limits: LimitSettings = DEFAULTS) -> LimitResult:
    return check_request(request, history or [], limits, TODAY)


def limits_broken(request: Use, history: list[Use] | None = None, limits: LimitSettings = DEFAULTS) -> set[str]:
    return {v.limit for v in check(request, history, limits).violations}


# Housing Deposits


def deposit(start: date = date(2026, 5, 1), **values: Any) -> Use:
    return use("housing_deposits", start, amount=Decimal(1000), **values)


def test_first_deposit_is_allowed_without_change() -> None:
    assert check(deposit()).allowed


def test_second_deposit_needs_documented_change() -> None:
    refused = check(deposit(), [deposit(date(2024, 1, 1))])
    assert not refused.allowed
    assert [(v.limit, v.field) for v in refused.violations] == [(DEPOSIT_APPROVALS, "change_in_circumstances")]
    assert "already has 1 approval" in refused.violations[0].message
    assert check(deposit(change_in_circumstances=True), [deposit(date(2024, 1, 1))]).allowed


def test_third_deposit_is_refused_even_with_change() -> None:
    history = [deposit(date(2023, 1, 1)), deposit(date(2024, 1, 1), change_in_circumstances=True)]
    refused = check(deposit(change_in_circumstances=True), history)
    assert [(v.limit, v.field) for v in refused.violations] == [(DEPOSIT_APPROVALS, "service")]


def test_plan_may_allow_more_deposit_approvals() -> None:
    generous = limit_settings(deposit_approvals=2)
    assert check(deposit(), [deposit(date(2024, 1, 1))], generous).allowed


# Room and board: Recuperative Care, STPHH and Transitional Rent together, rolling 12 months


def room_board_history() -> list[Use]:
    """150 covered days: 90 of Recuperative Care then, after a gap, 60 of STPHH."""
    return [use("recuperative_care", date(2026, 1, 1), 90), use("stphh", date(2026, 5, 1), 60)]


def test_room_board_exactly_at_cap_across_services_is_allowed() -> None:
    assert check(use("transitional_rent", date(2026, 8, 1), 33), room_board_history()).allowed


def test_room_board_one_day_over_cap_is_refused_with_numbers() -> None:
    result = check(use("transitional_rent", date(2026, 8, 1), 34), room_board_history())
    assert [(v.limit, v.field) for v in result.violations] == [(ROOM_BOARD, "end_date")]
    assert result.violations[0].message == (
        "Recuperative Care, Short-Term Post-Hospitalization Housing and Transitional Rent together would cover "
        "184 days in the 12 months ending 2026-09-03; at most 183 are allowed "
        "(requested 34, already used 150, 33 left)."
    )


def test_room_board_days_covered_by_overlapping_uses_count_once() -> None:
    overlapping = [*room_board_history(), use("transitional_rent", date(2026, 1, 1), 90)]
    assert check(use("transitional_rent", date(2026, 8, 1), 33), overlapping).allowed
    # A request overlapping 29 past days (1 to 29 June) adds only its new days: 150 + 62 - 29 = 183.
    assert check(use("transitional_rent", date(2026, 6, 1), 62), room_board_history()).allowed
    assert not check(use("transitional_rent", date(2026, 6, 1), 63), room_board_history()).allowed


def test_room_board_window_is_the_365_days_ending_on_a_covered_day() -> None:
    """A one-day request on D after 182 covered days: a day 364 days before D (the window's 365th) tips it over."""
    day = date(2026, 6, 1)
    recent = use("stphh", day - 182 * DAY, 182)
    request = use("transitional_rent", day)
    assert check(request, [recent]).allowed
    counted = use("stphh", day - 364 * DAY - 9 * DAY, 10)  # ended 364 days before D, inside the window
    not_counted = use("stphh", day - 365 * DAY - 9 * DAY, 10)  # ended 365 days before D, the 366th day back
    assert limits_broken(request, [recent, counted]) == {ROOM_BOARD}
    assert "184 days in the 12 months ending 2026-06-01" in check(request, [recent, counted]).violations[0].message
    assert check(request, [recent, not_counted]).allowed


def test_room_board_counts_pending_uses_after_the_request() -> None:
    later = use("recuperative_care", date(2026, 10, 1), 90)
    assert check(use("transitional_rent", date(2026, 6, 1), 93), [later]).allowed
    assert ROOM_BOARD in limits_broken(use("transitional_rent", date(2026, 6, 1), 94), [later])


def test_room_board_ignores_other_services() -> None:
    assert check(use("transitional_rent", date(2026, 8, 1), 183), [use("htns", date(2026, 1, 1), 200)]).allowed


# Per-stay caps


def test_recuperative_care_90_continuous_days() -> None:
    assert check(use("recuperative_care", date(2026, 1, 1), 90)).allowed
    assert check(use("recuperative_care", date(2026, 1, 1), 89)).allowed
    assert limits_broken(use("recuperative_care", date(2026, 1, 1), 91)) == {RECUPERATIVE_CARE_DAYS}


def test_recuperative_care_continuing_a_stay_counts_the_whole_stay() -> None:
    earlier = [use("recuperative_care", date(2026, 1, 1), 60)]
    result = check(use("recuperative_care", date(2026, 3, 2), 31), earlier)
    assert [v.limit for v in result.violations] == [RECUPERATIVE_CARE_DAYS]
    assert "91 days in all (requested 31, already used 60, 30 left in this stay)" in result.violations[0].message
    assert check(use("recuperative_care", date(2026, 3, 2), 30), earlier).allowed
    assert check(use("recuperative_care", date(2026, 3, 3), 31), earlier).allowed  # one free day: a new stay


def test_stphh_183_days_per_stay() -> None:
    assert check(use("stphh", date(2026, 1, 1), 183)).allowed
    assert limits_broken(use("stphh", date(2026, 1, 1), 184)) == {STPHH_DAYS, ROOM_BOARD}


def test_transitional_rent_183_days() -> None:
    assert check(use("transitional_rent", date(2026, 1, 1), 183)).allowed
    assert limits_broken(use("transitional_rent", date(2026, 1, 1), 184)) == {TRANSITIONAL_RENT_DAYS, ROOM_BOARD}


def test_per_stay_cap_can_be_removed() -> None:
    no_stay_cap = limit_settings(recuperative_care_max_days=None)
    assert check(use("recuperative_care", date(2026, 1, 1), 183), limits=no_stay_cap).allowed


# Sobering Centers


def sobering(started_at: datetime, ended_at: datetime) -> Use:
    return Use("sobering_center", started_at.date(), ended_at.date(), started_at=started_at, ended_at=ended_at)


def test_sobering_stay_under_24_hours_is_allowed() -> None:
    start = datetime(2026, 6, 28, 22, 0)
    assert check(sobering(start, start + timedelta(hours=23, minutes=59))).allowed


def test_sobering_stay_of_24_hours_is_refused() -> None:
    start = datetime(2026, 6, 28, 22, 0)
    result = check(sobering(start, start + timedelta(hours=24)))
    assert [(v.limit, v.field) for v in result.violations] == [(SOBERING_HOURS, "ended_at")]
    assert "lasted 24h00" in result.violations[0].message


def test_sobering_stay_is_authorized_after_the_fact() -> None:
    tomorrow = datetime(2026, 7, 1, 1, 0)
    future = check(sobering(tomorrow, tomorrow + timedelta(hours=5)))
    assert [(v.limit, v.field) for v in future.violations] == [(SOBERING_RETROACTIVE, "start_date")]
    ends_tomorrow = check(sobering(datetime(2026, 6, 30, 22, 0), tomorrow))
    assert [(v.limit, v.field) for v in ends_tomorrow.violations] == [(SOBERING_RETROACTIVE, "end_date")]
    assert check(sobering(datetime(2026, 6, 30, 1, 0), datetime(2026, 6, 30, 9, 0))).allowed


def test_sobering_stay_without_clock_times_may_touch_two_dates_only() -> None:
    assert check(use("sobering_center", date(2026, 6, 1), 2)).allowed
    assert limits_broken(use("sobering_center", date(2026, 6, 1), 3)) == {SOBERING_HOURS}


def test_sobering_stay_ending_before_it_starts_is_refused() -> None:
    start = datetime(2026, 6, 28, 22, 0)
    assert limits_broken(sobering(start, start - timedelta(minutes=1))) == {REQUEST_VALUES}


# Medically Tailored Meals


def meals(days: int, start: date = date(2026, 1, 1), **values: Any) -> Use:
    return use("medically_tailored_meals", start, days, **{"meals_per_day": 2, **values})


def test_mtm_two_meals_a_day_allowed_three_refused() -> None:
    assert check(meals(84)).allowed
    result = check(meals(84, meals_per_day=3))
    assert [(v.limit, v.field) for v in result.violations] == [(MTM_MEALS, "meals_per_day")]


def test_mtm_twelve_weeks_then_refused() -> None:
    assert check(meals(84)).allowed
    result = check(meals(85))
    assert [(v.limit, v.field) for v in result.violations] == [(MTM_WEEKS, "end_date")]
    assert "at most 12 weeks (84 days)" in result.violations[0].message
    assert "then 26 weeks" in result.violations[0].message


def test_mtm_extension_allows_26_weeks_in_the_course() -> None:
    assert check(meals(182, extended=True)).allowed
    assert limits_broken(meals(183, extended=True)) == {MTM_WEEKS}
    first_course = [meals(84)]
    assert check(meals(98, date(2026, 3, 26), extended=True), first_course).allowed
    assert limits_broken(meals(99, date(2026, 3, 26), extended=True), first_course) == {MTM_WEEKS}
    assert limits_broken(meals(1, date(2026, 3, 26)), first_course) == {MTM_WEEKS}  # continuing needs extension


def test_mtm_zero_meals_is_not_a_request() -> None:
    assert limits_broken(meals(10, meals_per_day=0)) == {REQUEST_VALUES}


# Respite


def respite(start: date, hours: int, days: int = 1) -> Use:
    return use("respite", start, days, hours=Decimal(hours))


def test_respite_336_hours_per_calendar_year() -> None:
    assert check(respite(date(2026, 3, 1), 336)).allowed
    assert limits_broken(respite(date(2026, 3, 1), 337)) == {RESPITE_HOURS}
    used = [respite(date(2026, 1, 10), 300)]
    assert check(respite(date(2026, 3, 1), 36), used).allowed
    result = check(respite(date(2026, 3, 1), 37), used)
    assert [(v.limit, v.field) for v in result.violations] == [(RESPITE_HOURS, "hours")]
    assert "337 hours in 2026; at most 336" in result.violations[0].message
    assert "(requested 37, already used 300, 36 left in 2026)" in result.violations[0].message


def test_respite_count_resets_on_1_january() -> None:
    last_year = [respite(date(2025, 12, 31), 336)]
    assert check(respite(date(2026, 1, 1), 336), last_year).allowed
    assert limits_broken(respite(date(2025, 12, 30), 1), last_year) == {RESPITE_HOURS}


def test_respite_request_may_not_straddle_the_year_end() -> None:
    result = check(respite(date(2025, 12, 31), 10, days=2))
    assert [(v.limit, v.field) for v in result.violations] == [(RESPITE_CALENDAR_YEAR, "end_date")]


# Lifetime dollar caps


@pytest.mark.parametrize(
    ("service", "cap"),
    [
        ("housing_deposits", 5000),
        ("environmental_accessibility", 7500),
        ("community_transition", 7500),
        ("asthma_remediation", 7500),
    ],
)
def test_lifetime_dollar_caps(service: str, cap: int) -> None:
    def request(amount: str) -> Use:
        return use(service, date(2026, 5, 1), amount=Decimal(amount), change_in_circumstances=True)

    assert check(request(str(cap))).allowed
    assert check(request(f"{cap - 1}.99")).allowed
    over = check(request(f"{cap}.01"))
    assert [(v.limit, v.field) for v in over.violations] == [(f"lifetime_dollars:{service}", "amount")]
    history = [use(service, date(2020, 1, 1), amount=Decimal(cap - 1000))]
    assert check(request("1000"), history).allowed
    assert f"lifetime_dollars:{service}" in limits_broken(request("1000.01"), history)


def test_dollar_cap_message_names_the_numbers() -> None:
    history = [use("environmental_accessibility", date(2024, 1, 1), amount=Decimal(7000))]
    result = check(use("environmental_accessibility", date(2026, 5, 1), amount=Decimal("600.50")), history)
    assert result.violations[0].message == (
        "Environmental Accessibility Adaptations would total $7,600.50 over the member's lifetime; at most $7,500 "
        "is allowed (requested $600.50, already used $7,000, $500 left)."
    )


def test_plan_may_change_or_remove_dollar_caps() -> None:
    request = use("asthma_remediation", date(2026, 5, 1), amount=Decimal(9000))
    assert not check(request).allowed
    assert check(request, limits=limit_settings(lifetime_dollar_caps={})).allowed
    assert check(request, limits=limit_settings(lifetime_dollar_caps={"asthma_remediation": Decimal(10000)})).allowed


def test_negative_amount_is_refused() -> None:
    result = check(use("htns", date(2026, 5, 1), amount=Decimal(-1)))
    assert [(v.limit, v.field) for v in result.violations] == [(REQUEST_VALUES, "amount")]


# Services without caps, dates, versions


@pytest.mark.parametrize("service", ["htns", "htss", "day_habilitation", "personal_care", "nf_transition_alf"])
def test_services_without_caps_pass(service: str) -> None:
    request = use(service, date(2025, 1, 1), 700, amount=Decimal(100000), hours=Decimal(5000))
    assert check(request, [use(service, date(2020, 1, 1), 2000, amount=Decimal(100000))]).allowed


def test_reversed_dates_are_refused() -> None:
    result = check(Use("recuperative_care", date(2026, 5, 2), date(2026, 5, 1)))
    assert [(v.limit, v.field) for v in result.violations] == [(REQUEST_VALUES, "end_date")]


def test_result_records_the_settings_version() -> None:
    assert check(deposit()).version == DEFAULTS.version
    assert check(deposit(), limits=limit_settings(version="hpsj-2026-01")).version == "hpsj-2026-01"


# What remains


def by_limit(history: list[Use], on: date) -> dict[str, Remaining]:
    return {item.limit: item for item in remaining(history, DEFAULTS, on)}


def test_remaining_room_board_days() -> None:
    items = by_limit(room_board_history(), date(2026, 8, 1))
    room_board = items[ROOM_BOARD]
    assert (room_board.used, room_board.allowed, room_board.left) == (150, 183, 33)
    assert room_board.unit == "days in the last 12 months"
    assert "150 of 183 days used in the 12 months ending 2026-08-01" in room_board.summary
    # A year after the last covered day nothing is used and the whole cap is available again.
    later = by_limit(room_board_history(), date(2027, 7, 1))[ROOM_BOARD]
    assert (later.used, later.left) == (0, 183)


def test_remaining_room_board_counts_used_days_up_to_the_day_and_booked_days_after() -> None:
    items = by_limit(room_board_history(), date(2026, 5, 10))
    # 90 + 10 days used so far; a stay from 10 May re-covers the 51 booked STPHH days, so 150 + 84 - 51 = 183.
    assert (items[ROOM_BOARD].used, items[ROOM_BOARD].left) == (100, 84)
    assert "100 of 183 days used in the 12 months ending 2026-05-10, 50 more days booked after it" in (
        items[ROOM_BOARD].summary
    )


def test_remaining_deposits_dollars_and_respite() -> None:
    history = [deposit(date(2024, 1, 1)), respite(date(2026, 2, 1), 100), respite(date(2025, 2, 1), 300)]
    items = by_limit(history, date(2026, 6, 30))
    deposits = items[DEPOSIT_APPROVALS]
    assert (deposits.used, deposits.allowed, deposits.left) == (1, 2, 1)
    assert "only with documented change in circumstances" in deposits.summary
    dollars = items["lifetime_dollars:housing_deposits"]
    assert (dollars.used, dollars.allowed, dollars.left) == (1000, 5000, 4000)
    assert dollars.summary == "Housing Deposits: $1,000 of the $5,000 lifetime maximum used; $4,000 left."
    hours = items[RESPITE_HOURS]
    assert (hours.used, hours.left, hours.unit) == (100, 236, "hours this year")
    assert set(items) == {
        ROOM_BOARD,
        DEPOSIT_APPROVALS,
        RESPITE_HOURS,
        "lifetime_dollars:housing_deposits",
        "lifetime_dollars:environmental_accessibility",
        "lifetime_dollars:community_transition",
        "lifetime_dollars:asthma_remediation",
    }


def test_remaining_leaves_out_limits_a_plan_removed() -> None:
    removed = limit_settings(room_board_max_days=None, respite_hours_per_year=None, lifetime_dollar_caps={})
    assert [item.limit for item in remaining([], removed, TODAY)] == [DEPOSIT_APPROVALS]


# Every number, the room-and-board set and the names are the plan's settings


def test_plan_chooses_the_room_and_board_services() -> None:
    without_rent = limit_settings(room_board_services=frozenset({"recuperative_care", "stphh"}))
    request = use("transitional_rent", date(2026, 8, 1), 34)
    assert ROOM_BOARD in limits_broken(request, room_board_history())
    assert check(request, room_board_history(), without_rent).allowed
    result = check(use("stphh", date(2026, 8, 1), 34), room_board_history(), without_rent)
    assert result.violations[0].message.startswith(
        "Recuperative Care and Short-Term Post-Hospitalization Housing together would cover 184 days"
    )


def test_plan_chooses_the_rolling_window() -> None:
    """A 30-day window and a 10-day cap: a day 29 days before D (the window's 30th) counts, one 30 days before not."""
    monthly = limit_settings(room_board_max_days=10, room_board_window_days=30)
    day = date(2026, 6, 1)
    recent = use("stphh", day - 9 * DAY, 9)
    request = use("transitional_rent", day)
    assert check(request, [recent], monthly).allowed
    counted, not_counted = use("stphh", day - 29 * DAY), use("stphh", day - 30 * DAY)
    result = check(request, [recent, counted], monthly)
    assert [v.limit for v in result.violations] == [ROOM_BOARD]
    assert "would cover 11 days in the 30 days ending 2026-06-01; at most 10 are allowed" in (
        result.violations[0].message
    )
    assert check(request, [recent, not_counted], monthly).allowed
    yearly = limit_settings(room_board_max_days=10)  # the same cap over the reference 365 days counts it
    assert limits_broken(request, [recent, not_counted], yearly) == {ROOM_BOARD}
    items = {item.limit: item for item in remaining([recent, counted], monthly, day)}
    assert (items[ROOM_BOARD].used, items[ROOM_BOARD].allowed, items[ROOM_BOARD].left) == (10, 10, 0)
    assert items[ROOM_BOARD].unit == "days in the last 30 days"


def test_plan_chooses_the_approvals_allowed_with_a_change() -> None:
    none_with_change = limit_settings(deposit_approvals_with_change=0)
    refused = check(deposit(change_in_circumstances=True), [deposit(date(2024, 1, 1))], none_with_change)
    assert [(v.limit, v.field) for v in refused.violations] == [(DEPOSIT_APPROVALS, "service")]
    two_with_change = limit_settings(deposit_approvals_with_change=2)
    history = [deposit(date(2023, 1, 1)), deposit(date(2024, 1, 1), change_in_circumstances=True)]
    assert check(deposit(change_in_circumstances=True), history, two_with_change).allowed
    items = {item.limit: item for item in remaining(history, two_with_change, TODAY)}
    assert (items[DEPOSIT_APPROVALS].used, items[DEPOSIT_APPROVALS].allowed) == (2, 3)


def test_plan_chooses_the_sobering_stay_hours() -> None:
    start = datetime(2026, 6, 28, 22, 0)
    twelve = limit_settings(sobering_max_hours=12)
    assert check(sobering(start, start + timedelta(hours=11, minutes=59)), limits=twelve).allowed
    result = check(sobering(start, start + timedelta(hours=12)), limits=twelve)
    assert [(v.limit, v.field) for v in result.violations] == [(SOBERING_HOURS, "ended_at")]
    assert "must last under 12 hours; this stay lasted 12h00" in result.violations[0].message
    two_days = limit_settings(sobering_max_hours=48)
    assert check(sobering(start, start + timedelta(hours=47)), limits=two_days).allowed
    # Without clock times a stay under 48 hours may touch three dates, never four.
    assert check(use("sobering_center", date(2026, 6, 1), 3), limits=two_days).allowed
    assert limits_broken(use("sobering_center", date(2026, 6, 1), 4), limits=two_days) == {SOBERING_HOURS}
    assert check(use("sobering_center", date(2026, 6, 1), 9), limits=limit_settings(sobering_max_hours=None)).allowed


def test_messages_name_services_as_the_settings_do() -> None:
    named = limit_settings(labels={"environmental_accessibility": "Home Modifications"})
    history = [use("environmental_accessibility", date(2024, 1, 1), amount=Decimal(7000))]
    result = check(use("environmental_accessibility", date(2026, 5, 1), amount=Decimal(600)), history, named)
    assert result.violations[0].message.startswith("Home Modifications would total $7,600")
    unnamed = check(deposit(), [deposit(date(2024, 1, 1))], limit_settings(labels={}))
    assert unnamed.violations[0].message.startswith("housing_deposits may be approved 1 time(s) in a lifetime")


# Properties

SERVICES = [
    "housing_deposits", "recuperative_care", "stphh", "transitional_rent", "sobering_center",
    "medically_tailored_meals", "respite", "environmental_accessibility", "community_transition",
    "asthma_remediation", "htns", "htss", "day_habilitation", "personal_care", "nf_transition_alf",
]  # fmt: skip
ROOM_BOARD_SERVICES = ["recuperative_care", "stphh", "transitional_rent"]


@st.composite
def uses(draw: st.DrawFn, services: list[str] = SERVICES, nonnegative: bool = True) -> Use:
    service = draw(st.sampled_from(services))
    start = draw(st.dates(date(2024, 1, 1), date(2027, 6, 30)))
    days = draw(st.integers(1, 200))
    low = 0 if nonnegative else -100
    values: dict[str, Any] = {
        "amount": Decimal(draw(st.integers(low * 100, 800_000))) / 100,
        "hours": Decimal(draw(st.integers(low, 400))),
        "meals_per_day": draw(st.none() | st.integers(0 if nonnegative else -1, 4)),
        "change_in_circumstances": draw(st.booleans()),
        "extended": draw(st.booleans()),
    }
    if service == "sobering_center":
        days = draw(st.integers(1, 3))
        if draw(st.booleans()):
            started_at = datetime.combine(start, datetime.min.time()) + timedelta(minutes=draw(st.integers(0, 1439)))
            values["started_at"] = started_at
            values["ended_at"] = started_at + timedelta(minutes=draw(st.integers(-5, 30 * 60)))
            days = (values["ended_at"].date() - start).days + 1
    return use(service, start, max(days, 1), **values)


histories = st.lists(uses(), max_size=8)


def intrinsically_refused(request: Use, today: date) -> bool:
    """An independent statement of the default limits a request breaks on its own."""
    days = (request.end - request.start).days + 1
    meals = request.meals_per_day
    if days < 1 or request.amount < 0 or request.hours < 0 or (meals is not None and meals < 1):
        return True
    if request.service in ROOM_BOARD_SERVICES and days > 183:
        return True
    service = request.service
    if service == "recuperative_care":
        return days > 90
    if service == "sobering_center":
        if request.started_at and request.ended_at:
            length = request.ended_at - request.started_at
            if length < timedelta(0) or length >= timedelta(hours=24):
                return True
        return days > 2 or request.start > today or request.end > today
    if service == "medically_tailored_meals":
        return (meals is not None and meals > 2) or days > (182 if request.extended else 84)
    if service == "respite":
        return request.start.year != request.end.year or request.hours > 336
    caps = {"housing_deposits": 5000, "environmental_accessibility": 7500, "community_transition": 7500,
            "asthma_remediation": 7500}  # fmt: skip
    return request.amount > caps.get(service, request.amount)


@settings(max_examples=300, deadline=None)
@given(request=uses(nonnegative=False), history=histories, more=histories)
def test_adding_history_never_allows_a_refused_request(request: Use, history: list[Use], more: list[Use]) -> None:
    before = check(request, history)
    after = check(request, history + more)
    assert {v.limit for v in before.violations} <= {v.limit for v in after.violations}
    assert before.allowed or not after.allowed


@settings(max_examples=300, deadline=None)
@given(request=uses(nonnegative=False))
def test_against_empty_history_only_intrinsic_limits_apply(request: Use) -> None:
    assert check(request, []).allowed is not intrinsically_refused(request, TODAY)


@settings(max_examples=200, deadline=None)
@given(request=uses(nonnegative=False), history=histories, order=st.randoms(use_true_random=False))
def test_results_are_deterministic_and_ignore_history_order(
    request: Use, history: list[Use], order: random.Random
) -> None:
    shuffled = list(history)
    order.shuffle(shuffled)
    first = check(request, history)
    assert first == check(request, history)
    assert first == check(request, shuffled)
    assert first.version == DEFAULTS.version
    assert remaining(history, DEFAULTS, TODAY) == remaining(shuffled, DEFAULTS, TODAY)


@settings(max_examples=200, deadline=None)
@given(
    history=st.lists(uses(ROOM_BOARD_SERVICES), max_size=6),
    on=st.dates(date(2025, 1, 1), date(2027, 1, 1)),
    service=st.sampled_from(ROOM_BOARD_SERVICES),
)
def test_remaining_room_board_days_are_exact(history: list[Use], on: date, service: str) -> None:
    available = room_board_days_available(history, DEFAULTS, on)
    assert available is not None
    items = {item.limit: item for item in remaining(history, DEFAULTS, on)}
    assert items[ROOM_BOARD].left == available

    def room_board_ok(days: int) -> bool:
        return ROOM_BOARD not in limits_broken(use(service, on, days), history)

    if available > 0:
        assert room_board_ok(available)
    assert not room_board_ok(available + 1)
