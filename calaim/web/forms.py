"""Forms only parse and label input; every rule lives in the services they feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404

from calaim.authorizations.services import Outcome
from calaim.careplans.models import OutreachMethod
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.core.inputs import control_character_problem, date_range_problem
from calaim.plans.models import DiscontinuationReason
from calaim.plans.selectors import latest_by_code

T = TypeVar("T")

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _line(value: str) -> None:
    if problem := control_character_problem(value):
        raise forms.ValidationError(problem, code="control_character")


def _note(value: str) -> None:
    if problem := control_character_problem(value, multiline=True):
        raise forms.ValidationError(problem, code="control_character")


def _day(value: dt.date) -> None:
    if problem := date_range_problem(value.date() if isinstance(value, dt.datetime) else value):
        raise forms.ValidationError(problem, code="date_range")


def _input_validators(field: forms.Field) -> list[Callable[[Any], None]]:
    if isinstance(field, forms.CharField):
        return [_note if isinstance(field.widget, forms.Textarea) else _line]
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return [_day]
    return []


class CalaimForm(forms.Form):
    """Every field of every form refuses what the API refuses: text with control characters (tabs and line breaks
    only in a text area) and dates outside the range the program uses (calaim.core.inputs)."""

    def full_clean(self) -> None:
        # Here rather than in __init__, so fields a form adds in its own __init__ are covered too.
        for field in self.fields.values():
            if not getattr(field, "calaim_inputs_checked", False):
                field.validators = [*field.validators, *_input_validators(field)]
                field.calaim_inputs_checked = True  # type: ignore[attr-defined]
        super().full_clean()


class LoginForm(AuthenticationForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TotpCodeForm(CalaimForm):
    code = forms.RegexField(
        regex=r"^\d{6}$",
        label="6-digit code",
        error_messages={"invalid": "Enter the 6 digits shown in your authenticator app."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class OutreachForm(CalaimForm):
    attempted_on = forms.DateField(label="Date of the attempt", widget=DATE_INPUT)
    method = forms.ChoiceField(choices=OutreachMethod.choices)
    reached = forms.BooleanField(label="The member was reached", required=False)
    minutes_spent = forms.IntegerField(label="Minutes spent")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


def _reasons_in_force() -> list[tuple[str, str]]:
    reasons = latest_by_code(DiscontinuationReason, plan_today()).values()
    return sorted(((r.code, r.label) for r in reasons), key=lambda choice: choice[1])


class DisenrollForm(CalaimForm):
    reason = forms.ChoiceField(label="Reason", choices=())
    effective_on = forms.DateField(label="Effective date", required=False, widget=DATE_INPUT, help_text="Blank: today.")
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [("", "Choose a reason"), *_reasons_in_force()]


class LeadCareManagerForm(CalaimForm):
    care_manager = forms.ChoiceField(label="Lead Care Manager", choices=())

    def __init__(self, *args: object, staff_choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["care_manager"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a care manager"), *staff_choices]


OUTCOME_LABELS = {
    Outcome.APPROVE: "Approve",
    Outcome.APPROVE_MODIFIED: "Approve as modified",
    Outcome.DENY: "Deny",
    Outcome.PEND: "Pend for information",
}


class DecisionForm(CalaimForm):
    outcome = forms.ChoiceField(choices=[(o, OUTCOME_LABELS[o]) for o in Outcome.ALL], widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    criteria = forms.CharField(label="Criteria used", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    modification = forms.CharField(label="What was modified", required=False)
    information_requested = forms.CharField(label="Information needed", required=False)
    period_months = forms.IntegerField(label="Authorization period (months)", required=False)


def apply_service(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run a service call; a business-rule refusal becomes an error on the field it names."""
    try:
        return call()
    except DomainError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return None
