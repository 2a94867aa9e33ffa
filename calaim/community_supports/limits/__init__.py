"""Community Supports limits: whether a requested or delivered service fits the member's limits, and what remains.

Plain Python with no Django import, so the same rules run at authorization time, at delivery time and in property
tests. The engine holds no policy: every number, the set of room-and-board services and the services' names come
in `LimitSettings` (built by `calaim.community_supports.eligibility.limit_settings_for` from the plan's dated
`CsLimitSettings` and the catalog), and every result records the settings version that made it.

Day counting: `Use.end` is inclusive, so a use from 1 to 3 March covers 3 days. The reference settings count "six
months" as 183 days (half of 365, rounded up in the member's favour); six calendar months run 181 to 184 days, and
a fixed count keeps the rolling rule exact. The rolling window is the `room_board_window_days` days ending on a
covered day, that day included (365 for "12 months").

One module per concept: `types` (values, limit keys, the services the rules are about, number formatting),
`room_board` (the rolling window), `stays` (per-stay caps), `sobering`, `meals`, `respite`, `money` (dollar caps
and deposit approvals), and `check` (the whole request, and what remains).
"""

from calaim.community_supports.limits.check import check_request, remaining
from calaim.community_supports.limits.respite import respite_hours_in
from calaim.community_supports.limits.room_board import room_board_days_available
from calaim.community_supports.limits.types import (
    DEPOSIT_APPROVALS,
    HOUSING_DEPOSITS,
    LIFETIME_DOLLARS,
    MEDICALLY_TAILORED_MEALS,
    MTM_MEALS,
    MTM_WEEKS,
    RECUPERATIVE_CARE,
    RECUPERATIVE_CARE_DAYS,
    REQUEST_VALUES,
    RESPITE,
    RESPITE_CALENDAR_YEAR,
    RESPITE_HOURS,
    ROOM_BOARD,
    RULE_SERVICES,
    SOBERING_CENTER,
    SOBERING_HOURS,
    SOBERING_RETROACTIVE,
    STPHH,
    STPHH_DAYS,
    TRANSITIONAL_RENT,
    TRANSITIONAL_RENT_DAYS,
    LimitResult,
    LimitSettings,
    Remaining,
    Use,
    Violation,
)

__all__ = [
    "DEPOSIT_APPROVALS",
    "HOUSING_DEPOSITS",
    "LIFETIME_DOLLARS",
    "MEDICALLY_TAILORED_MEALS",
    "MTM_MEALS",
    "MTM_WEEKS",
    "RECUPERATIVE_CARE",
    "RECUPERATIVE_CARE_DAYS",
    "REQUEST_VALUES",
    "RESPITE",
    "RESPITE_CALENDAR_YEAR",
    "RESPITE_HOURS",
    "ROOM_BOARD",
    "RULE_SERVICES",
    "SOBERING_CENTER",
    "SOBERING_HOURS",
    "SOBERING_RETROACTIVE",
    "STPHH",
    "STPHH_DAYS",
    "TRANSITIONAL_RENT",
    "TRANSITIONAL_RENT_DAYS",
    "LimitResult",
    "LimitSettings",
    "Remaining",
    "Use",
    "Violation",
    "check_request",
    "remaining",
    "respite_hours_in",
    "room_board_days_available",
]
