"""The dashboard's filters: parsed and labelled here; what they select is calaim.web.dashboard's business."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from calaim.plans.models import County, Plan
from calaim.plans.selectors import pofs_in_force
from calaim.web.dashboard import DashboardFilters
from calaim.web.forms import DATE_INPUT, CalaimForm


class DashboardFilterForm(CalaimForm):
    start = forms.DateField(label="Received from", widget=DATE_INPUT, required=False)
    end = forms.DateField(label="Received to", widget=DATE_INPUT, required=False)
    county = forms.ModelChoiceField(queryset=County.objects.none(), required=False, empty_label="All counties")
    pof = forms.ChoiceField(label="Population of Focus", required=False)

    def __init__(self, data: Any, *, plan: Plan, defaults: DashboardFilters, today: dt.date) -> None:
        super().__init__(data)
        self.defaults = defaults
        county, pof = self.fields["county"], self.fields["pof"]
        assert isinstance(county, forms.ModelChoiceField) and isinstance(pof, forms.ChoiceField)
        county.queryset = County.objects.filter(plans=plan).order_by("name")
        pofs = sorted(pofs_in_force(today), key=lambda p: p.code)
        pof.choices = [("", "All Populations of Focus")] + [(p.code, f"{p.code} {p.name}") for p in pofs]
        self.fields["start"].help_text = f"Blank: {defaults.start:%Y-%m-%d}."
        self.fields["end"].help_text = f"Blank: {defaults.end:%Y-%m-%d}."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start") or self.defaults.start, data.get("end") or self.defaults.end
        if start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        return data

    def filters(self) -> DashboardFilters:
        """The filters asked for, or the defaults where a field is blank or the form is invalid."""
        if not self.is_valid():
            return self.defaults
        data = self.cleaned_data
        return DashboardFilters(
            start=data["start"] or self.defaults.start,
            end=data["end"] or self.defaults.end,
            county_id=data["county"].pk if data["county"] else None,
            pof=data["pof"] or None,
        )
