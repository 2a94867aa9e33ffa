"""The state reports' inputs: the QIMR's quarter and closed-loop monitoring's filters, parsed and labelled here; what
they select is calaim.exchange's business."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.exchange.monitoring import GROUPS, default_period
from calaim.exchange.qimr_period import Quarter
from calaim.web.forms import DATE_INPUT, CalaimForm

FIRST_QIMR = Quarter(2024, 1)  # the first quarter qimr.yaml has a template for


def quarter_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """Every quarter from the first with a template to the current one, latest first."""
    quarter, choices = Quarter.of(today or plan_today()), []
    while quarter >= FIRST_QIMR:
        choices.append((quarter.code, quarter.label))
        quarter = quarter.previous()
    return choices


class QimrForm(CalaimForm):
    quarter = forms.ChoiceField(label="Quarter", choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = quarter_choices()
        self.fields["quarter"].choices = choices  # type: ignore[attr-defined]
        # The last full quarter is what is due; the current one is offered to look at work so far.
        self.fields["quarter"].initial = choices[1][0] if len(choices) > 1 else choices[0][0]


def _organization_choices(rows: Sequence[tuple[uuid.UUID, str]], everyone: str) -> list[tuple[str, str]]:
    return [("", everyone), *((str(pk), name) for pk, name in rows)]


class LoopMonitoringForm(CalaimForm):
    start = forms.DateField(label="Received from", widget=DATE_INPUT, required=False)
    end = forms.DateField(label="to", widget=DATE_INPUT, required=False, help_text="Both days included.")
    program = forms.ChoiceField(
        label="Program", required=False, choices=[("", "ECM and Community Supports"), ("ecm", "ECM"), ("cs", "CS")]
    )
    referrer = forms.ChoiceField(label="Referring entity", required=False, choices=())
    provider = forms.ChoiceField(label="Provider", required=False, choices=())
    group = forms.ChoiceField(
        label="One row per",
        required=False,
        choices=[("referrer", "Referring entity"), ("provider", "Provider")],
    )

    def __init__(
        self,
        *args: Any,
        referrers: Sequence[tuple[uuid.UUID, str]] = (),
        providers: Sequence[tuple[uuid.UUID, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referrer"].choices = _organization_choices(referrers, "Every referring entity")  # type: ignore[attr-defined]
        self.fields["provider"].choices = _organization_choices(providers, "Every provider")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = default_period()
        data["start"] = data.get("start") or start
        data["end"] = data.get("end") or end
        if data["start"] > data["end"]:
            self.add_error("end", "The end date must be on or after the start date.")
        data["group"] = data.get("group") or GROUPS[0]
        for name in ("referrer", "provider"):
            data[name] = uuid.UUID(data[name]) if data.get(name) else None
        return data
