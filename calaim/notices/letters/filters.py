"""Template filters of the letters' own template engine: dates written out in the letter's language, and known
phrases (configuration labels such as a Community Support's name) translated when the catalogue has them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext, pgettext, pgettext_lazy

from calaim.core.clock import PLAN_TIME_ZONE

register = template.Library()

MONTHS = (
    pgettext_lazy("month name", "January"),
    pgettext_lazy("month name", "February"),
    pgettext_lazy("month name", "March"),
    pgettext_lazy("month name", "April"),
    pgettext_lazy("month name", "May"),
    pgettext_lazy("month name", "June"),
    pgettext_lazy("month name", "July"),
    pgettext_lazy("month name", "August"),
    pgettext_lazy("month name", "September"),
    pgettext_lazy("month name", "October"),
    pgettext_lazy("month name", "November"),
    pgettext_lazy("month name", "December"),
)


def _parse(value: Any) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    except ValueError:
        return None


def date_words(day: dt.date) -> str:
    """A date as the letter's language writes it out (no locale data needed at run time: the catalogue has it)."""
    pattern = pgettext("letter date: {month} is the month's name", "{month} {day}, {year}")
    return pattern.format(month=MONTHS[day.month - 1], day=day.day, year=day.year)


def _time_words(moment: dt.datetime) -> str:
    local = moment.astimezone(PLAN_TIME_ZONE) if moment.tzinfo else moment
    hour = local.hour % 12 or 12
    ampm = pgettext("time of day", "a.m.") if local.hour < 12 else pgettext("time of day", "p.m.")
    clock = pgettext("letter time", "{hour}:{minute} {ampm}").format(hour=hour, minute=f"{local.minute:02d}", ampm=ampm)
    return pgettext("letter date and time", "{date} at {time} (Pacific time)").format(
        date=date_words(local.date()), time=clock
    )


@register.filter
def long_date(value: Any) -> str:
    """An ISO date (or date-time) written out; an empty or unreadable value is empty, for `default` to fill."""
    found = _parse(value)
    if found is None:
        return ""
    if isinstance(found, dt.datetime):
        return _time_words(found)
    return date_words(found)


@register.filter
def known(value: Any) -> str:
    """A configuration label (a service's or a support's name) in the letter's language when the catalogue has
    it, as given otherwise."""
    text = str(value or "").strip()
    return gettext(text) if text else ""


@register.filter
def humanize(value: Any) -> str:
    """A code such as quality_of_care as words."""
    return str(value or "").replace("_", " ").strip()
