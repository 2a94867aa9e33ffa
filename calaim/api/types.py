"""Input types every API schema shares: text without control characters, dates in a sensible range, and money and
counts bounded by what their columns hold and what the service can need. A value outside them is a 422 naming the
field, never a 500 from the database or a page that cannot show it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Header
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from calaim.community_supports.models import MAX_DOLLARS, MAX_HOURS, MAX_UNITS
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.inputs import LINE_PATTERN, NOTE_PATTERN, control_character_problem, date_range_problem


def _line(value: str) -> str:
    if problem := control_character_problem(value):
        raise PydanticCustomError("control_character", problem)
    return value


def _note(value: str) -> str:
    if problem := control_character_problem(value, multiline=True):
        raise PydanticCustomError("control_character", problem)
    return value


def _iso(value: object) -> object:
    """Dates and times come as ISO 8601 text, not as the Unix timestamps pydantic would otherwise read ("0")."""
    if isinstance(value, str) and value[:10].count("-") == 2 and value[:4].isdigit():
        return value
    if isinstance(value, dt.date):
        return value
    raise PydanticCustomError("date_format", "Give the date as YYYY-MM-DD (a time as YYYY-MM-DDTHH:MM:SS).")


def _day(value: dt.date) -> dt.date:
    if problem := date_range_problem(value):
        raise PydanticCustomError("date_range", problem)
    return value


def _moment(value: dt.datetime) -> dt.datetime:
    """A time without an offset is the plan's local time, as the web forms read it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PLAN_TIME_ZONE)
    _day(value.astimezone(PLAN_TIME_ZONE).date())
    return value


Line = Annotated[str, AfterValidator(_line), Field(json_schema_extra={"pattern": LINE_PATTERN})]
"""One line of text: a name, a code, a reason; no control characters at all."""

Note = Annotated[str, AfterValidator(_note), Field(json_schema_extra={"pattern": NOTE_PATTERN})]
"""Free text: tabs and line breaks allowed, no other control character."""

Day = Annotated[dt.date, BeforeValidator(_iso), AfterValidator(_day)]
"""A date from 1900-01-01 to 2100-12-31, as YYYY-MM-DD."""

Moment = Annotated[dt.datetime, BeforeValidator(_iso), AfterValidator(_moment)]
"""A time within those dates, as ISO 8601; without an offset it is the plan's local time."""

IdempotencyKey = Annotated[
    Line,
    Header(
        "",
        alias="Idempotency-Key",
        max_length=100,
        description="Any value unique to this submission: a retry with the same key returns what the first made.",
    ),
]

Dollars = Annotated[Decimal, Field(ge=0, le=MAX_DOLLARS, max_digits=10, decimal_places=2)]
Units = Annotated[Decimal, Field(ge=0, le=MAX_UNITS, max_digits=10, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, le=MAX_HOURS, max_digits=8, decimal_places=2)]
