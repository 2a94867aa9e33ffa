"""Forms only parse and label input; every rule lives in the services they feed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name
from django.http import Http404

from calaim.careplans.models import OutreachMethod
from calaim.core.errors import DomainError
from calaim.core.inputs import EARLIEST_DAY, LATEST_DAY, NOTE_MAX_LENGTH, cin_normalized, control_character_problem
from calaim.core.phones import normalize_phone
from calaim.members.models import CIN_PATTERN

T = TypeVar("T")

# A plain text box, not <input type="date">: Chromium's date widget takes a day typed first (24/02/1985) as
# month 2, day 4 and runs the rest into a six-digit year (21985-02-04), so the server never sees what was typed
# and cannot say what is wrong with it. Typed text reaches the server, which reads it as people in the US write
# it (DATE_FORMATS) and names the field when it cannot.
DATE_DISPLAY = "%m/%d/%Y"
DATE_FORMATS = ("%Y-%m-%d", DATE_DISPLAY)  # strptime's %m and %d take one digit too: M/D/YYYY
DATE_HINT = "MM/DD/YYYY"
DATE_INPUT = forms.DateInput(
    format=DATE_DISPLAY, attrs={"placeholder": DATE_HINT, "autocomplete": "off", "size": 10, "class": "date"}
)
PHONE_EXAMPLE = "(209) 555-0100"


def _line(value: str) -> None:
    if problem := control_character_problem(value):
        raise forms.ValidationError(problem, code="control_character")


def _note(value: str) -> None:
    if problem := control_character_problem(value, multiline=True):
        raise forms.ValidationError(problem, code="control_character")


def _day(value: dt.date) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise forms.ValidationError(
            f"Give a date from {EARLIEST_DAY:{DATE_DISPLAY}} to {LATEST_DAY:{DATE_DISPLAY}}.", code="date_range"
        )


def _input_validators(field: forms.Field) -> list[Callable[[Any], None]]:
    if isinstance(field, forms.CharField):
        return [_note if isinstance(field.widget, forms.Textarea) else _line]
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return [_day]
    return []


def date_format_message(label: str) -> str:
    return f"{label}: use MM/DD/YYYY, e.g. 02/24/1985 (or YYYY-MM-DD)."


class DayField(forms.DateField):
    """A date typed in a text box as MM/DD/YYYY, M/D/YYYY or YYYY-MM-DD; anything else, 24/02/1985 included, is
    refused naming the field rather than guessed at."""

    widget = DATE_INPUT
    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": date_format_message("Date")}


def _adopt_date(field: forms.DateField, label: str) -> None:
    """A plain DateField on a CalaimForm reads dates as DayField does (forms written before DayField)."""
    field.input_formats = DATE_FORMATS
    field.error_messages["invalid"] = date_format_message(label)
    if isinstance(field.widget, forms.DateInput):
        field.widget.format = DATE_DISPLAY
        field.widget.input_type = "text"
        field.widget.attrs = {**DATE_INPUT.attrs, **field.widget.attrs}


def _adopt_text(field: forms.CharField) -> None:
    """A text area holds at most NOTE_MAX_LENGTH characters unless it says otherwise, and says so: the browser stops
    typing at the limit (maxlength), the page counts (web/forms.js), the server refuses more, never cuts."""
    if field.max_length is None:
        field.max_length = NOTE_MAX_LENGTH
        field.validators.append(MaxLengthValidator(NOTE_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(field.max_length)
    for validator in field.validators:
        if isinstance(validator, MaxLengthValidator):
            validator.message = "Shorten this to %(limit_value)d characters or fewer (it has %(show_value)d)."


def _prepare(name: str, field: forms.Field) -> None:
    field.validators = [*field.validators, *_input_validators(field)]
    if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
        _adopt_date(field, str(field.label or pretty_name(name)))
    elif isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
        _adopt_text(field)


class CalaimForm(forms.Form):
    """Every field of every form refuses what the API refuses: text with control characters (tabs and line breaks
    only in a text area), dates outside the range the program uses (calaim.core.inputs) and notes over their
    limit; dates are typed as MM/DD/YYYY (DayField)."""

    def _prepare_fields(self) -> None:
        # On first render and on cleaning rather than in __init__, so fields a form adds in its own __init__ are
        # covered too.
        for name, field in self.fields.items():
            if not getattr(field, "calaim_inputs_checked", False):
                _prepare(name, field)
                field.calaim_inputs_checked = True  # type: ignore[attr-defined]

    def __getitem__(self, name: str) -> forms.BoundField:
        self._prepare_fields()
        return super().__getitem__(name)

    def full_clean(self) -> None:
        self._prepare_fields()
        super().full_clean()

    def problems(self) -> list[tuple[str, str]]:
        """Every error of the form for the summary at its top, in the page's order: (the field's id or "", the
        message, led by the field's label unless the message names it already)."""
        found = [("", str(message)) for message in self.non_field_errors()]
        for bound in self:
            label = str(bound.label)
            for message in map(str, bound.errors):
                found.append((bound.auto_id or "", message if message.startswith(label) else f"{label}: {message}"))
        return found


class CinField(forms.CharField):
    """A member's CIN as people type it: lower case, spaces and dashes are fine ("9123 4567-a"); kept as stored
    ("91234567A")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "8 digits then a letter, e.g. 91234567A.")
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        raw = super().clean(value)
        if not raw:
            return str(raw)
        cin = cin_normalized(raw)
        if not re.fullmatch(CIN_PATTERN, cin):
            raise forms.ValidationError("A CIN is 8 digits then one letter, e.g. 91234567A.", code="cin")
        return cin


class PhoneField(forms.CharField):
    """A phone number as people write it, kept in E.164 (calaim.core.phones); "555-12" is not one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        raw = super().clean(value)
        if not raw:
            return str(raw)
        try:
            return normalize_phone(raw)
        except ValueError:
            raise forms.ValidationError(f"Enter a valid phone number, e.g. {PHONE_EXAMPLE}.", code="phone") from None


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
    """Run a service call; a business-rule refusal becomes an error on the field it names, every one of them when
    the service found several (ProblemsFound)."""
    try:
        return call()
    except DomainError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        for problem in getattr(error, "problems", [error]):
            field = problem.field if problem.field in form.fields else None
            if field is None or field not in form.errors:  # a field already refused keeps its own error
                form.add_error(field, problem.message)
        return None
