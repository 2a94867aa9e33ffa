"""The values the limits engine reads and returns, the stable limit keys, and how numbers are written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

ONE_DAY = timedelta(days=1)

SERVICE_LABELS: Mapping[str, str] = {
    "htns": "Housing Transition Navigation Services",
    "housing_deposits": "Housing Deposits",
    "htss": "Housing Tenancy and Sustaining Services",
    "stphh": "Short-Term Post-Hospitalization Housing",
    "recuperative_care": "Recuperative Care",
    "transitional_rent": "Transitional Rent",
    "respite": "Respite Services",
    "day_habilitation": "Day Habilitation Programs",
    "nf_transition_alf": "Nursing Facility Transition/Diversion to Assisted Living Facilities",
    "community_transition": "Community Transition Services",
    "personal_care": "Personal Care and Homemaker Services",
    "environmental_accessibility": "Environmental Accessibility Adaptations",
    "medically_tailored_meals": "Medically Tailored Meals",
    "sobering_center": "Sobering Centers",
    "asthma_remediation": "Asthma Remediation",
}

ROOM_AND_BOARD_SERVICES = frozenset({"recuperative_care", "stphh", "transitional_rent"})

DEFAULT_LIFETIME_DOLLAR_CAPS: Mapping[str, Decimal] = {
    "housing_deposits": Decimal(5000),
    "environmental_accessibility": Decimal(7500),
    "community_transition": Decimal(7500),
    "asthma_remediation": Decimal(7500),
}

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


@dataclass(frozen=True)
class LimitSettings:
    """A plan's Community Supports limits; a per-service limit set to None is not enforced."""

    version: str = "cs-limits-default-2025-07"
    deposit_approvals: int = 1
    deposit_approvals_with_change: int = 1
    room_board_services: frozenset[str] = ROOM_AND_BOARD_SERVICES
    room_board_max_days: int | None = 183
    room_board_window_days: int = 365
    recuperative_care_max_days: int | None = 90
    stphh_max_days: int | None = 183
    transitional_rent_max_days: int | None = 183
    sobering_max_hours: int | None = 24
    mtm_max_meals_per_day: int | None = 2
    mtm_weeks: int | None = 12
    mtm_extended_weeks: int | None = 26
    respite_hours_per_year: Decimal | None = Decimal(336)
    lifetime_dollar_caps: Mapping[str, Decimal] = field(
        default_factory=lambda: dict(DEFAULT_LIFETIME_DOLLAR_CAPS), hash=False
    )


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


def label_of(service: str) -> str:
    return SERVICE_LABELS.get(service, service)


def number(value: int | Decimal) -> str:
    """12,345 for whole numbers, 12,345.67 otherwise."""
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}"


def dollars(value: Decimal) -> str:
    return f"${number(value)}"
