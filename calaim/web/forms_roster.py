"""The roster load's forms: parsed and labelled here; the file itself is streamed by calaim.roster.uploads and
every rule of the load lives in calaim.roster's services."""

from __future__ import annotations

from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.roster.uploads import ENDINGS_IN_WORDS, ROSTER_ENDINGS
from calaim.web.forms import DATE_INPUT, CalaimForm


class RosterUploadForm(CalaimForm):
    # Not bound as a form field: the file is received by the streaming upload handler, and its refusals (too large,
    # an ending calaim does not read) are added to this field by the view.
    file = forms.FileField(
        label="Roster file",
        required=False,
        help_text=f"The plan's complete eligibility extract, as {ENDINGS_IN_WORDS}.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ROSTER_ENDINGS)}),
    )
    as_of = forms.DateField(
        label="Roster as of",
        widget=DATE_INPUT,
        help_text="The day the file describes. Members of the plan absent from it are termed the day before.",
    )
    accept_valid_rows = forms.BooleanField(
        label="Accept the valid rows when some rows have errors",
        required=False,
        help_text="Unchecked, a file with any error changes nothing. Checked, rows with errors are set aside "
        "(their members are left as they are) and listed for download.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = plan_today()


class MassTermConfirmForm(CalaimForm):
    confirm = forms.BooleanField(
        label="I have checked the numbers above: these members are absent from the plan's roster and should be termed.",
        error_messages={"required": "Tick the box to confirm that so many members should be termed."},
    )
