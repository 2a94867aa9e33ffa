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
        help_text="CSV or Parquet, as identification-spec §1 describes (member_id, names, birth date, county, "
        "plan_code, enrollment...).",
    )  # fmt: skip
    members_server_file = forms.ChoiceField(label="…or a members file on the server", required=False)
    claims = forms.FileField(
        label="Claims file", required=False, widget=forms.ClearableFileInput(attrs=ACCEPT),
        help_text="CSV or Parquet: one row per claim or encounter.",
    )  # fmt: skip
    claims_server_file = forms.ChoiceField(label="…or a claims file on the server", required=False)
    as_of = forms.DateField(label="As of", widget=DATE_INPUT, help_text="The job looks back 6 and 12 months from it.")

    def __init__(self, *args: Any, server_files: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "None: upload the file above"), *((name, name) for name in server_files)]
        for name in ("members_server_file", "claims_server_file"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        self.fields["as_of"].initial = plan_today()
