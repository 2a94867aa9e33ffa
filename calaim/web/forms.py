"""Forms only parse and label input; every rule lives in the services they feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404

from calaim.careplans.models import OutreachMethod
from calaim.core.errors import DomainError
from calaim.core.inputs import control_character_problem, date_range_problem

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
