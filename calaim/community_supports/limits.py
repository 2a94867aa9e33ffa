"""Community Supports limits: whether a requested or delivered service fits the member's limits, and what remains.

Plain Python with no Django import, so the same rules run at authorization time, at delivery time and in property
tests. Every number is configuration (`LimitSettings`) and every result records the settings version that made it.

Day counting: `Use.end` is inclusive, so a use from 1 to 3 March covers 3 days. "Six months" defaults to 183 days
(half of 365, rounded up in the member's favour); six calendar months run 181 to 184 days, and a fixed count keeps
the rolling rule exact. A plan that counts differently changes the setting. The rolling 12-month window is the
365 days ending on a covered day, that day included (`room_board_window_days`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
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


def _number(value: int | Decimal) -> str:
    """12,345 for whole numbers, 12,345.67 otherwise."""
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}"


def _dollars(value: Decimal) -> str:
    return f"${_number(value)}"


def check_request(request: Use, history: Iterable[Use], settings: LimitSettings, today: date) -> LimitResult:
    """Every limit the request would break given the member's other uses; `history` excludes the request itself."""
    past = list(history)
    violations = _value_violations(request)
    if request.end >= request.start:
        violations += [
            v
            for v in (
                _deposit_violation(request, past, settings),
                _room_board_violation(request, past, settings),
                _stay_violation(request, past, settings),
                _dollar_violation(request, past, settings),
            )
            if v is not None
        ]
        violations += _sobering_violations(request, settings, today)
        violations += _mtm_violations(request, past, settings)
        violations += _respite_violations(request, past, settings)
    return LimitResult(allowed=not violations, violations=violations, version=settings.version)


def _value_violations(request: Use) -> list[Violation]:
    """Values no limit could allow: reversed dates, negative money or hours, fewer than one meal a day."""
    checks = [
        (
            request.end < request.start,
            f"The service ends ({request.end}) before it starts ({request.start}).",
            "end_date",
        ),
        (request.amount < 0, f"The amount ({_dollars(request.amount)}) must not be negative.", "amount"),
        (request.hours < 0, f"The hours ({_number(request.hours)}) must not be negative.", "hours"),
        (
            request.meals_per_day is not None and request.meals_per_day < 1,
            f"Meals per day ({request.meals_per_day}) must be at least 1.",
            "meals_per_day",
        ),
    ]
    return [Violation(REQUEST_VALUES, message, name) for broken, message, name in checks if broken]


def _deposit_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Housing Deposits: a set number of lifetime approvals, then more only with a documented change."""
    if request.service != "housing_deposits":
        return None
    prior = sum(1 for use in history if use.service == "housing_deposits")
    base, extra = settings.deposit_approvals, settings.deposit_approvals_with_change
    if prior < base:
        return None
    rule = (
        f"Housing Deposits may be approved {base} time(s) in a lifetime, and {extra} more time(s) only with "
        f"documented change in circumstances"
    )
    if prior >= base + extra:
        return Violation(DEPOSIT_APPROVALS, f"{rule}; the member already has {prior} approval(s).", "service")
    if not request.change_in_circumstances:
        return Violation(
            DEPOSIT_APPROVALS,
            f"{rule}; the member already has {prior} approval(s) and this request documents no change.",
            "change_in_circumstances",
        )
    return None


def _room_board_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Room-and-board services together cover at most N days in any rolling 12 months that includes the request."""
    cap = settings.room_board_max_days
    if cap is None or request.service not in settings.room_board_services:
        return None
    total, requested, window_end = _worst_window(request.start, request.end, history, settings)
    if total <= cap:
        return None
    names = _room_board_names(settings)
    message = (
        f"{names} together would cover {total} days in the 12 months ending {window_end}; at most {cap} are "
        f"allowed (requested {requested}, already used {total - requested})."
    )
    return Violation(ROOM_BOARD, message, "end_date")


def _room_board_names(settings: LimitSettings) -> str:
    labels = sorted(label_of(service) for service in settings.room_board_services)
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _worst_window(start: date, end: date, history: list[Use], settings: LimitSettings) -> tuple[int, int, date]:
    """Among the rolling windows holding a day of [start, end], the fullest: (covered days, requested, window end).

    Days covered by several uses count once. Ties go to the earliest window, which always ends on a covered day.
    """
    width = settings.room_board_window_days
    first, last = start.toordinal(), end.toordinal()
    low, high = first - width + 1, last + width - 1
    covered = bytearray(high - low + 1)
    for use in history:
        if use.service in settings.room_board_services:
            for day in range(max(use.start.toordinal(), low), min(use.end.toordinal(), high) + 1):
                covered[day - low] = 1
    covered[first - low : last - low + 1] = b"\x01" * (last - first + 1)
    prefix = [0, *itertools.accumulate(covered)]
    best = (-1, 0, start)
    for window_end in range(first, high + 1):
        window_start = window_end - width + 1
        total = prefix[window_end - low + 1] - prefix[window_start - low]
        if total > best[0]:
            requested = min(window_end, last) - max(window_start, first) + 1
            best = (total, requested, date.fromordinal(window_end))
    return best


def _stay_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Per-stay caps: Recuperative Care continuous days, STPHH per stay, Transitional Rent per episode."""
    caps = {
        "recuperative_care": (settings.recuperative_care_max_days, RECUPERATIVE_CARE_DAYS),
        "stphh": (settings.stphh_max_days, STPHH_DAYS),
        "transitional_rent": (settings.transitional_rent_max_days, TRANSITIONAL_RENT_DAYS),
    }
    cap, limit = caps.get(request.service, (None, ""))
    if cap is None:
        return None
    return _continuous_violation(request, history, cap, limit, f"at most {cap} continuous days")


def _continuous_violation(request: Use, history: list[Use], cap: int, limit: str, rule: str) -> Violation | None:
    """A stay is the request plus same-service uses that overlap or touch it, chained; it may not exceed `cap` days."""
    stay_start, stay_end = _stay_containing(request, history)
    stay_days = (stay_end - stay_start).days + 1
    if stay_days <= cap:
        return None
    label = label_of(request.service)
    if stay_days == request.days:
        message = f"{label} may cover {rule}; requested {request.days} ({request.start} to {request.end})."
    else:
        message = (
            f"{label} may cover {rule}; this request continues a stay from {stay_start} to {stay_end}, "
            f"{stay_days} days in all (requested {request.days}, already used {stay_days - request.days})."
        )
    return Violation(limit, message, "end_date")


def _stay_containing(request: Use, history: list[Use]) -> tuple[date, date]:
    spans = sorted(
        [(use.start, use.end) for use in history if use.service == request.service and use.end >= use.start]
        + [(request.start, request.end)]
    )
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return next((s, e) for s, e in merged if s <= request.start and request.end <= e)


def _sobering_violations(request: Use, settings: LimitSettings, today: date) -> list[Violation]:
    """Sobering Center stays last under 24 hours and are authorized after the fact, so never in the future."""
    if request.service != "sobering_center":
        return []
    found = []
    ended = max(request.end, request.ended_at.date()) if request.ended_at else request.end
    if request.start > today:
        found.append(
            Violation(
                SOBERING_RETROACTIVE,
                f"Sobering Center stays are authorized after the fact; this "
                f"stay starts {request.start}, after today ({today}).",
                "start_date",
            )
        )
    elif ended > today:
        found.append(
            Violation(
                SOBERING_RETROACTIVE,
                f"Sobering Center stays are authorized after the fact; this stay ends {ended}, after today ({today}).",
                "end_date",
            )
        )
    duration = _sobering_duration_violation(request, settings)
    return found + ([duration] if duration else [])


def _sobering_duration_violation(request: Use, settings: LimitSettings) -> Violation | None:
    hours = settings.sobering_max_hours
    if hours is None:
        return None
    if request.started_at is None or request.ended_at is None:
        # Without clock times, a stay under 24 hours can still touch two calendar dates, never three.
        if request.days <= 2:
            return None
        return Violation(
            SOBERING_HOURS,
            f"A Sobering Center stay must last under {hours} hours; {request.start} "
            f"to {request.end} spans {request.days} calendar days.",
            "end_date",
        )
    length = request.ended_at - request.started_at
    if length < timedelta(0):
        return Violation(
            REQUEST_VALUES,
            f"The stay ends ({request.ended_at:%Y-%m-%d %H:%M}) before it starts "
            f"({request.started_at:%Y-%m-%d %H:%M}).",
            "ended_at",
        )
    if length < timedelta(hours=hours):
        return None
    minutes = int(length.total_seconds()) // 60
    return Violation(
        SOBERING_HOURS,
        f"A Sobering Center stay must last under {hours} hours; this stay lasted "
        f"{minutes // 60}h{minutes % 60:02d} ({request.started_at:%Y-%m-%d %H:%M} to "
        f"{request.ended_at:%Y-%m-%d %H:%M}).",
        "ended_at",
    )


def _mtm_violations(request: Use, history: list[Use], settings: LimitSettings) -> list[Violation]:
    """Medically Tailored Meals: a meals-per-day cap, and a course of set weeks unless this request is extended."""
    if request.service != "medically_tailored_meals":
        return []
    found = []
    most = settings.mtm_max_meals_per_day
    if most is not None and request.meals_per_day is not None and request.meals_per_day > most:
        found.append(
            Violation(
                MTM_MEALS,
                f"Medically Tailored Meals allow at most {most} meals a day; requested {request.meals_per_day}.",
                "meals_per_day",
            )
        )
    weeks = settings.mtm_extended_weeks if request.extended else settings.mtm_weeks
    if weeks is not None:
        rule = f"at most {weeks} weeks ({weeks * 7} days) in one course"
        if not request.extended and settings.mtm_extended_weeks is not None:
            rule += f" unless an extension is approved (then {settings.mtm_extended_weeks} weeks)"
        course = _continuous_violation(request, history, weeks * 7, MTM_WEEKS, rule)
        found += [course] if course else []
    return found


def _respite_violations(request: Use, history: list[Use], settings: LimitSettings) -> list[Violation]:
    """Respite hours per calendar year; a request may not straddle 1 January because the count resets then."""
    cap = settings.respite_hours_per_year
    if request.service != "respite" or cap is None:
        return []
    year = request.start.year
    if request.end.year != year:
        return [
            Violation(
                RESPITE_CALENDAR_YEAR,
                f"Respite Services hours are counted per calendar year; split the request at 31 December {year}.",
                "end_date",
            )
        ]
    used = respite_hours_in(history, year)
    total = used + request.hours
    if total <= cap:
        return []
    return [
        Violation(
            RESPITE_HOURS,
            f"Respite Services would use {_number(total)} hours in {year}; at most "
            f"{_number(cap)} are allowed per calendar year (requested {_number(request.hours)}, "
            f"already used {_number(used)}).",
            "hours",
        )
    ]


def respite_hours_in(history: Iterable[Use], year: int) -> Decimal:
    """Respite hours counted in a calendar year; a past use that straddles 1 January counts in its start year."""
    return sum((use.hours for use in history if use.service == "respite" and use.start.year == year), Decimal(0))


def _dollar_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Lifetime dollar caps per service, summed over every use of that service."""
    cap = settings.lifetime_dollar_caps.get(request.service)
    if cap is None:
        return None
    used = _dollars_used(history, request.service)
    total = used + request.amount
    if total <= cap:
        return None
    message = (
        f"{label_of(request.service)} would total {_dollars(total)} over the member's lifetime; at most "
        f"{_dollars(cap)} is allowed (requested {_dollars(request.amount)}, already used {_dollars(used)})."
    )
    return Violation(f"{LIFETIME_DOLLARS}:{request.service}", message, "amount")


def _dollars_used(history: Iterable[Use], service: str) -> Decimal:
    return sum((use.amount for use in history if use.service == service), Decimal(0))


def remaining(history: Iterable[Use], settings: LimitSettings, on: date) -> list[Remaining]:
    """What is left of each counted limit on a day: room-and-board days, deposit approvals, dollars, respite."""
    past = list(history)
    found = [_room_board_remaining(past, settings, on), _deposits_remaining(past, settings)]
    found += [_dollars_remaining(past, service, cap) for service, cap in sorted(settings.lifetime_dollar_caps.items())]
    found.append(_respite_remaining(past, settings, on))
    return [item for item in found if item is not None]


def room_board_days_available(history: Iterable[Use], settings: LimitSettings, on: date) -> int | None:
    """The largest N such that a room-and-board use from `on` through N-1 days later passes the rolling cap."""
    cap = settings.room_board_max_days
    if cap is None:
        return None
    past = list(history)

    def fits(days: int) -> bool:
        return days == 0 or _worst_window(on, on + (days - 1) * ONE_DAY, past, settings)[0] <= cap

    # Adding days never removes covered days, so `fits` is monotone and a binary search finds the edge.
    low, high = 0, cap
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def _room_board_remaining(history: list[Use], settings: LimitSettings, on: date) -> Remaining | None:
    cap = settings.room_board_max_days
    available = room_board_days_available(history, settings, on)
    if cap is None or available is None:
        return None
    window_start = on - (settings.room_board_window_days - 1) * ONE_DAY
    stays = [use for use in history if use.service in settings.room_board_services]
    covered = {
        day
        for use in stays
        for day in range(max(use.start, window_start).toordinal(), min(use.end, on).toordinal() + 1)
    }
    booked = {day for use in stays for day in range((on + ONE_DAY).toordinal(), use.end.toordinal() + 1)}
    summary = (
        f"{_room_board_names(settings)}: {len(covered)} of {cap} days used in the 12 months ending {on}"
        + (f", {len(booked)} more days booked after it" if booked else "")
        + f"; a stay starting {on} may cover up to {available} days"
        + (" (booked days it overlaps count once)." if booked else ".")
    )
    return Remaining(
        ROOM_BOARD, "Room-and-board days", len(covered), cap, available, "days in the last 12 months", summary
    )


def _deposits_remaining(history: list[Use], settings: LimitSettings) -> Remaining:
    used = sum(1 for use in history if use.service == "housing_deposits")
    base, extra = settings.deposit_approvals, settings.deposit_approvals_with_change
    allowed = base + extra
    left = max(allowed - used, 0)
    if used < base:
        note = f"{base - used} more without conditions, then {extra} with documented change in circumstances"
    elif left:
        note = f"{left} more only with documented change in circumstances"
    else:
        note = "no further approvals"
    summary = f"Housing Deposits: {used} of {allowed} lifetime approvals used; {note}."
    return Remaining(DEPOSIT_APPROVALS, "Housing Deposits approvals", used, allowed, left, "approvals", summary)


def _dollars_remaining(history: list[Use], service: str, cap: Decimal) -> Remaining:
    used = _dollars_used(history, service)
    left = max(cap - used, Decimal(0))
    label = label_of(service)
    summary = f"{label}: {_dollars(used)} of the {_dollars(cap)} lifetime maximum used; {_dollars(left)} left."
    return Remaining(f"{LIFETIME_DOLLARS}:{service}", f"{label} lifetime dollars", used, cap, left, "dollars", summary)


def _respite_remaining(history: list[Use], settings: LimitSettings, on: date) -> Remaining | None:
    cap = settings.respite_hours_per_year
    if cap is None:
        return None
    used = respite_hours_in(history, on.year)
    left = max(cap - used, Decimal(0))
    summary = f"Respite Services: {_number(used)} of {_number(cap)} hours used in {on.year}; {_number(left)} left."
    return Remaining(RESPITE_HOURS, "Respite hours", used, cap, left, "hours this year", summary)
