"""Room and board: the room-and-board services together cover at most N days in any rolling window."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from calaim.community_supports.limits.types import (
    ONE_DAY,
    ROOM_BOARD,
    LimitSettings,
    Remaining,
    Use,
    Violation,
    window_text,
)


def room_board_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Room-and-board services together cover at most N days in any rolling window that includes the request."""
    cap = settings.room_board_max_days
    if cap is None or request.service not in settings.room_board_services:
        return None
    total, requested, window_end = _worst_window(request.start, request.end, history, settings)
    if total <= cap:
        return None
    names, window = _room_board_names(settings), window_text(settings.room_board_window_days)
    message = (
        f"{names} together would cover {total} days in the {window} ending {window_end}; at most {cap} are "
        f"allowed (requested {requested}, already used {total - requested}, {max(cap - total + requested, 0)} left)."
    )
    return Violation(ROOM_BOARD, message, "end_date")


def _room_board_names(settings: LimitSettings) -> str:
    labels = sorted(settings.label(service) for service in settings.room_board_services)
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


def room_board_remaining(history: list[Use], settings: LimitSettings, on: date) -> Remaining | None:
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
    window = window_text(settings.room_board_window_days)
    summary = (
        f"{_room_board_names(settings)}: {len(covered)} of {cap} days used in the {window} ending {on}"
        + (f", {len(booked)} more days booked after it" if booked else "")
        + f"; a stay starting {on} may cover up to {available} days"
        + (" (booked days it overlaps count once)." if booked else ".")
    )
    return Remaining(
        ROOM_BOARD, "Room-and-board days", len(covered), cap, available, f"days in the last {window}", summary
    )
