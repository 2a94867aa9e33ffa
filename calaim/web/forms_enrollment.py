"""Forms of ECM provider assignment, enrollment, provider change, the Lead Care Manager and ending ECM. They only
parse and label; the services decide."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.network.models import Contract
from calaim.plans.models import DiscontinuationReason
from calaim.plans.selectors import latest_by_code
from calaim.web.forms import DATE_INPUT, CalaimForm
from calaim.web.forms_ecm import AUTOMATIC, TEXTAREA, _choices


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


def provider_choices(options: Iterable[tuple[Contract, int]], automatic: str) -> list[tuple[str, str]]:
    """Radio choices: automatic first, then each contracted provider with what the member would want to know."""
    choices = [(AUTOMATIC, automatic)]
    for contract, free in options:
        org = contract.organization
        details = [
            f"languages {', '.join(contract.languages) or 'not listed'}",
            f"Populations of Focus {', '.join(contract.pof_codes) or 'not listed'}",
            f"{free} place{'s' if free != 1 else ''} free" if free > 0 else "no places free",
        ]
        choices.append((str(org.pk), f"{org.name} ({'; '.join(details)})"))
    return choices


def chosen_provider(value: str) -> uuid.UUID | None:
    return None if value == AUTOMATIC else uuid.UUID(value)


class AssignmentForm(CalaimForm):
    provider_id = forms.ChoiceField(label="ECM provider", choices=(), initial=AUTOMATIC, widget=forms.RadioSelect)

    def __init__(self, *args: Any, options: Iterable[tuple[Contract, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        automatic = "Assign automatically (the best fit with free places; the reasons are recorded)"
        _choices(self, "provider_id", provider_choices(options, automatic))


class ProviderChangeForm(CalaimForm):
    provider_id = forms.ChoiceField(label="New ECM provider", choices=(), initial=AUTOMATIC, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason for the change", widget=TEXTAREA, required=False, max_length=2000)

    def __init__(self, *args: Any, options: Iterable[tuple[Contract, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "provider_id", provider_choices(options, "Choose automatically (the best fit with free places)"))


class EnrollForm(CalaimForm):
    enrolled_on = forms.DateField(label="Enrollment date", widget=DATE_INPUT, help_text="The day the member agreed.")
