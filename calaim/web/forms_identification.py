"""The identification run form: parsed and labelled here; which files a run may read is calaim.analytics's business."""

from __future__ import annotations

from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.web.forms import DATE_INPUT, CalaimForm

ACCEPT = {"accept": ".csv,.parquet"}


class IdentificationRunForm(CalaimForm):
    members = forms.FileField(
        label="Members file", required=False, widget=forms.ClearableFileInput(attrs=ACCEPT),
        help_text="CSV or Parquet, one row per member: member_id (the CIN), first_name, last_name, birth_date, "
        "county, plan_code, enrollment_start, and the optional roster columns (homeless_flag, other_programs...).",
    )  # fmt: skip
    members_server_file = forms.ChoiceField(label="…or the members from the server folder", required=False)
    claims = forms.FileField(
        label="Claims file", required=False, widget=forms.ClearableFileInput(attrs=ACCEPT),
        help_text="CSV or Parquet: one row per claim or encounter.",
    )  # fmt: skip
    claims_server_file = forms.ChoiceField(label="…or the claims from the server folder", required=False)
    as_of = forms.DateField(label="As of", widget=DATE_INPUT, help_text="The job looks back 6 and 12 months from it.")

    def __init__(self, *args: Any, server_files: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "None: upload the file above"), *((name, name) for name in server_files)]
        for name in ("members_server_file", "claims_server_file"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            if not server_files:
                field.help_text = "None yet: files an administrator puts in your plan's server folder appear here."
        self.fields["as_of"].initial = plan_today()
