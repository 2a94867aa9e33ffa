"""The values the limits engine reads and returns, the stable limit keys, and how numbers are written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

ONE_DAY = timedelta(days=1)

# The services the rules below are about, by catalog code (`CsService.code`); which numbers apply to them is
# per-plan configuration (`LimitSettings`), and the reference loader checks that the catalog defines each one.
HOUSING_DEPOSITS = "housing_deposits"
RECUPERATIVE_CARE = "recuperative_care"
STPHH = "stphh"
TRANSITIONAL_RENT = "transitional_rent"
SOBERING_CENTER = "sobering_center"
MEDICALLY_TAILORED_MEALS = "medically_tailored_meals"
RESPITE = "respite"
RULE_SERVICES = frozenset(
    {HOUSING_DEPOSITS, RECUPERATIVE_CARE, STPHH, TRANSITIONAL_RENT, SOBERING_CENTER, MEDICALLY_TAILORED_MEALS, RESPITE}
)

# Limit keys, stable for callers that translate or count violations.
REQUEST_VALUES = "request_values"
DEPOSIT_APPROVALS = "housing_deposits_approvals"
ROOM_BOARD = "room_board_12_months"
RECUPERATIVE_CARE_DAYS = "recuperative_care_continuous_days"
STPHH_DAYS = "stphh_days_per_stay"
TRANSITIONAL_RENT_DAYS = "transitional_rent_days"
SOBERING_HOURS = "sobering_center_stay_hours"
SOBERING_RETROACTIVE = "sobering_center_after_the_fact"
MTM_MEALS = "mtm_meals_per_day"
MTM_WEEKS = "mtm_weeks"
RESPITE_HOURS = "respite_hours_per_year"
RESPITE_CALENDAR_YEAR = "respite_calendar_year"
LIFETIME_DOLLARS = "lifetime_dollars"  # suffixed with ":<service>"


@dataclass(frozen=True)
class Use:
    """One past, pending or requested use of a Community Support; `start` and `end` are both covered days."""

    service: str
    start: date
    end: date
    amount: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)
    meals_per_day: int | None = None
    change_in_circumstances: bool = False
    extended: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def days(self) -> int:
        """Covered days, both ends included; zero when the dates are reversed."""
        return max((self.end - self.start).days + 1, 0)


@dataclass(frozen=True, kw_only=True)
class LimitSettings:
    """A plan's Community Supports limits on a day; a per-service limit set to None is not enforced.

    Nothing here has a default: every number and the room-and-board set come from the plan's dated settings, and
    `labels` (service code to the catalog's name) from the catalog, so the engine holds no policy of its own.
    """

    version: str
    deposit_approvals: int
    deposit_approvals_with_change: int
    room_board_services: frozenset[str]
    room_board_max_days: int | None
    room_board_window_days: int
    recuperative_care_max_days: int | None
    stphh_max_days: int | None
    transitional_rent_max_days: int | None
    sobering_max_hours: int | None
    mtm_max_meals_per_day: int | None
    mtm_weeks: int | None
    mtm_extended_weeks: int | None
    respite_hours_per_year: Decimal | None
    lifetime_dollar_caps: Mapping[str, Decimal] = field(hash=False)
    labels: Mapping[str, str] = field(hash=False)

    def label(self, service: str) -> str:
        """The service as the catalog names it; the code itself when the catalog has no name for it."""
        return self.labels.get(service, service)


@dataclass(frozen=True)
class Violation:
    """One limit the request breaks; `field` names the request field staff should change."""

    limit: str
    message: str
    field: str


@dataclass(frozen=True)
class LimitResult:
    allowed: bool
    violations: list[Violation]
    version: str


@dataclass(frozen=True)
class Remaining:
    """How much of one limit a member has used; `left` is what a new request starting on the given day may use."""

    limit: str
    label: str
    used: int | Decimal
    allowed: int | Decimal
    left: int | Decimal
    unit: str
    summary: str


def number(value: int | Decimal) -> str:
    """12,345 for whole numbers, 12,345.67 otherwise."""
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}"


def dollars(value: Decimal) -> str:
    return f"${number(value)}"


def window_text(days: int) -> str:
    """The rolling window as staff say it: 365 days is "12 months"; any other width is written in days."""
    return "12 months" if days == 365 else f"{days} days"
