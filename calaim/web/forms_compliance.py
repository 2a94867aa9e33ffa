"""The PHI read log's filters: parsed and labelled here; what they select is calaim.access.phi_log's business."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from calaim.members.models import CIN_PATTERN
from calaim.web.forms import DATE_INPUT

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 31)


class PhiLogFilterForm(forms.Form):
    member = forms.RegexField(
        label="Member (CIN)",
        regex=CIN_PATTERN.replace("[A-Z]", "[A-Za-z]"),
        required=False,
        error_messages={"invalid": "A CIN is 8 digits then one letter, e.g. 91234567A."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    user = forms.CharField(label="Read by (username)", max_length=150, required=False)
    start = forms.DateField(label="From", widget=DATE_INPUT, required=False)
    end = forms.DateField(label="To", widget=DATE_INPUT, required=False, help_text="Both days included.")

    def clean_member(self) -> str:
        return str(self.cleaned_data.get("member") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Enter a date from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}.")
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        return data
