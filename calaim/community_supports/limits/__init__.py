"""Community Supports limits: whether a requested or delivered service fits the member's limits, and what remains.

Plain Python with no Django import, so the same rules run at authorization time, at delivery time and in property
tests. Every number is configuration (`LimitSettings`) and every result records the settings version that made it.

Day counting: `Use.end` is inclusive, so a use from 1 to 3 March covers 3 days. "Six months" defaults to 183 days
(half of 365, rounded up in the member's favour); six calendar months run 181 to 184 days, and a fixed count keeps
the rolling rule exact. A plan that counts differently changes the setting. The rolling 12-month window is the
365 days ending on a covered day, that day included (`room_board_window_days`).

One module per concept: `types` (values, limit keys, number formatting), `room_board` (the rolling window),
`stays` (per-stay caps), `sobering`, `meals`, `respite`, `money` (dollar caps and deposit approvals), and
`check` (the whole request, and what remains).
"""

from calaim.community_supports.limits.check import check_request, remaining
from calaim.community_supports.limits.respite import respite_hours_in
from calaim.community_supports.limits.room_board import room_board_days_available
from calaim.community_supports.limits.types import (
    DEFAULT_LIFETIME_DOLLAR_CAPS,
    DEPOSIT_APPROVALS,
    LIFETIME_DOLLARS,
    MTM_MEALS,
    MTM_WEEKS,
    ONE_DAY,
    RECUPERATIVE_CARE_DAYS,
    REQUEST_VALUES,
    RESPITE_CALENDAR_YEAR,
    RESPITE_HOURS,
    ROOM_AND_BOARD_SERVICES,
    ROOM_BOARD,
    SERVICE_LABELS,
    SOBERING_HOURS,
    SOBERING_RETROACTIVE,
    STPHH_DAYS,
    TRANSITIONAL_RENT_DAYS,
    LimitResult,
    LimitSettings,
    Remaining,
    Use,
    Violation,
    label_of,
)

__all__ = [
    "DEFAULT_LIFETIME_DOLLAR_CAPS",
    "DEPOSIT_APPROVALS",
    "LIFETIME_DOLLARS",
    "MTM_MEALS",
    "MTM_WEEKS",
    "ONE_DAY",
    "RECUPERATIVE_CARE_DAYS",
    "REQUEST_VALUES",
    "RESPITE_CALENDAR_YEAR",
    "RESPITE_HOURS",
    "ROOM_AND_BOARD_SERVICES",
    "ROOM_BOARD",
    "SERVICE_LABELS",
    "SOBERING_HOURS",
    "SOBERING_RETROACTIVE",
    "STPHH_DAYS",
    "TRANSITIONAL_RENT_DAYS",
    "LimitResult",
    "LimitSettings",
    "Remaining",
    "Use",
    "Violation",
    "check_request",
    "label_of",
    "remaining",
    "respite_hours_in",
    "room_board_days_available",
]
