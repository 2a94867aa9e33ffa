"""What one delivery unit of a Community Support is and how many units one delivery may hold, from the catalog's
`delivery_units` (services.yaml): a per-day service holds at most one unit for each day delivered, a stay or a
payment at most a few per delivery, whatever the delivery's length."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# The words a catalog may use for a unit, singular and plural, as the provider reads them on the form.
UNIT_WORDS = {
    "day": "days",
    "visit": "visits",
    "session": "sessions",
    "stay": "stays",
    "meal": "meals",
    "hour": "hours",
    "payment": "payments",
}
OVER = ("day", "delivery")


@dataclass(frozen=True)
class DeliveryUnits:
    """`per` names one unit; at most `most` of them a day of the delivery ("day") or in one delivery ("delivery")."""

    per: str
    most: int
    over: str

    @property
    def plural(self) -> str:
        return UNIT_WORDS[self.per]

    def bound(self, days: int, meals_per_day: int | None = None) -> Decimal:
        """The most units a delivery covering `days` days may record; meals a day, when given, bound a meal service."""
        if self.over == "delivery":
            return Decimal(self.most)
        per_day = meals_per_day if self.per == "meal" and meals_per_day is not None else self.most
        return Decimal(per_day * max(days, 0))

    def rule(self) -> str:
        """The bound in words: "at most 1 day for each day delivered"."""
        word = self.per if self.most == 1 else self.plural
        if self.over == "delivery":
            return f"at most {self.most} {word} in one delivery"
        return f"at most {self.most} {word} for each day delivered"


def delivery_units_parse(value: Any) -> DeliveryUnits:
    """A catalog `delivery_units` mapping checked; a ValueError says what is wrong with it."""
    if not isinstance(value, dict) or set(value) != {"per", "most", "over"}:
        raise ValueError(f"expected per, most and over, got {value!r}")
    per, most, over = value["per"], value["most"], value["over"]
    if per not in UNIT_WORDS:
        raise ValueError(f"per must be one of {', '.join(UNIT_WORDS)}, got {per!r}")
    if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= 1000:
        raise ValueError(f"most must be a whole number from 1 to 1000, got {most!r}")
    if over not in OVER:
        raise ValueError(f"over must be day or delivery, got {over!r}")
    return DeliveryUnits(per, most, over)
