"""The provider files' forms: upload an RTF or OTF, filter the loads, make a file, review a contact update. They only
parse and label; which plans and providers a caller may name comes from calaim.exchange.selectors, and every rule of
a load or an export lives in calaim.exchange's services."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.exchange.contact_updates import NOTE_MAX
from calaim.exchange.models import FileFormat, FileKind, LoadStatus
from calaim.exchange.uploads import ENDINGS_IN_WORDS, EXCHANGE_ENDINGS
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.web.forms import CalaimForm

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PERIOD_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})
IMPORT_CHOICES = [
    (FileKind.RTF.value, "RTF: Return Transmission File"),
    (FileKind.OTF.value, "OTF: Outreach Tracker File"),
]
EXPORT_CHOICES = [
    (FileKind.MIF.value, "MIF: Member Information File"),
    (FileKind.RTF.value, "RTF: Return Transmission File"),
    (FileKind.OTF.value, "OTF: Outreach Tracker File"),
    (FileKind.SERVICE_LINES.value, "Service lines: encounter lines for the encounter submission"),
]
ERRORS_CHOICES = [("", "Any"), ("yes", "With errors"), ("no", "Without errors")]


def period_now() -> str:
    return f"{plan_today():%Y-%m}"


def _choose(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def plan_choices(plans: list[Plan]) -> list[tuple[str, str]]:
    return [(plan.code, f"{plan.name} ({plan.code})") for plan in plans]


def provider_choices(providers: list[Organization]) -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p.name} (NPI {p.npi})" if p.npi else p.name) for p in providers]


class PeriodField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Reporting period")
        kwargs.setdefault("widget", PERIOD_INPUT)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if text and not PERIOD.match(text):
            raise forms.ValidationError(f"{text[:20]!r} is not a month: give it as YYYY-MM, e.g. 2026-01.")
        return text


class ExchangeUploadForm(CalaimForm):
    """The plan's staff choose the provider; provider staff choose the plan (their own organization is the
    provider). Only the fields the caller chooses are shown."""

    kind = forms.ChoiceField(label="Kind of file", choices=IMPORT_CHOICES)
    plan = forms.ChoiceField(label="Plan", choices=())
    provider = forms.ChoiceField(label="Provider", choices=())
    # Not bound as a form field: the file is streamed by calaim.exchange.uploads, whose refusals the view adds here.
    file = forms.FileField(
        label="File",
        required=False,
        help_text=f"The provider's file as {ENDINGS_IN_WORDS}, with the DHCS template's header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXCHANGE_ENDINGS)}),
    )
    accept_valid_rows = forms.BooleanField(
        label="Accept the valid rows when some rows have errors",
        required=False,
        help_text="Unchecked, a file with any error changes nothing. Checked, the valid rows apply and the others "
        "are listed for download, to correct and send again.",
    )

    def __init__(
        self, *args: Any, plans: list[Plan] | None = None, providers: list[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if plans is None:
            del self.fields["plan"]
        else:
            _choose(self, "plan", plan_choices(plans))
        if providers is None:
            del self.fields["provider"]
        else:
            _choose(self, "provider", [("", "Choose the provider"), *provider_choices(providers)])


class LoadFilterForm(CalaimForm):
    """The list's filters, from the query string; an invalid value filters nothing and says so."""

    plan = forms.ChoiceField(label="Plan", required=False, choices=())
    provider = forms.ChoiceField(label="Provider", required=False, choices=())
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any"), *IMPORT_CHOICES])
    period = PeriodField(required=False, help_text="The month the file reports.")
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *LoadStatus.choices])
    with_errors = forms.ChoiceField(label="Errors", required=False, choices=ERRORS_CHOICES)

    def __init__(
        self, *args: Any, plans: list[Plan] | None = None, providers: list[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if plans is None:
            del self.fields["plan"]
        else:
            _choose(self, "plan", [("", "Any"), *plan_choices(plans)])
        if providers is None:
            del self.fields["provider"]
        else:
            _choose(self, "provider", [("", "Any"), *provider_choices(providers)])


class ExportForm(CalaimForm):
    """Make a provider file for one period: the plan's staff choose the provider, provider staff the plan."""

    kind = forms.ChoiceField(label="Kind of file", choices=EXPORT_CHOICES)
    plan = forms.ChoiceField(label="Plan", choices=())
    provider = forms.ChoiceField(label="Provider", choices=())
    period = PeriodField()
    file_format = forms.ChoiceField(label="Format", choices=FileFormat.choices, initial=FileFormat.CSV)

    def __init__(
        self,
        *args: Any,
        kinds: list[str],
        plans: list[Plan] | None = None,
        providers: list[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "kind", [choice for choice in EXPORT_CHOICES if choice[0] in kinds])
        if plans is None:
            del self.fields["plan"]
        else:
            _choose(self, "plan", plan_choices(plans))
        if providers is None:
            del self.fields["provider"]
        else:
            _choose(self, "provider", [("", "Choose the provider"), *provider_choices(providers)])
        self.fields["period"].initial = period_now()


class ContactUpdateReviewForm(CalaimForm):
    note = forms.CharField(
        label="Note",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to dismiss: say why the update calls for nothing (already on file, not this member).",
    )
