"""Forms of ECM provider assignment, enrollment, provider change, the Lead Care Manager and ending ECM. They only
parse and label; the services decide."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.core.labels import language_name, language_names
from calaim.ecm.assignment import ProviderFit
from calaim.ecm.selectors import CareManagerLoad
from calaim.members.models import Member
from calaim.plans.models import DiscontinuationReason
from calaim.plans.selectors import latest_by_code
from calaim.web.forms import DATE_INPUT, CalaimForm
from calaim.web.forms_ecm import AUTOMATIC, TEXTAREA, _choices
from calaim.web.templatetags.label_tags import person


def _reasons_in_force() -> list[tuple[str, str]]:
    reasons = latest_by_code(DiscontinuationReason, plan_today()).values()
    return sorted(((r.code, r.label) for r in reasons), key=lambda choice: choice[1])


class DisenrollForm(CalaimForm):
    reason = forms.ChoiceField(label="Reason", choices=())
    effective_on = forms.DateField(label="Effective date", required=False, widget=DATE_INPUT, help_text="Blank: today.")
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed when the reason is Other. Kept for the plan and the provider; the referrer is told the "
        "reason only.",
    )

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


def _fit_label(fit: ProviderFit, member: Member) -> str:
    """A fitting provider as the member would weigh it: their language, the Populations of Focus, free places."""
    contract = fit.contract
    language = language_name(member.language)
    details = [
        f"speaks {language}" if fit.speaks else f"does not list {language}",
        f"languages {language_names(contract.languages)}",
        f"Populations of Focus {', '.join(contract.pof_codes) or 'not listed'}",
        f"{fit.free} place{'s' if fit.free != 1 else ''} free",
    ]
    return f"{fit.organization.name} ({'; '.join(details)})"


def provider_choices(fits: Iterable[ProviderFit], member: Member, automatic: str) -> list[tuple[str, str]]:
    """Radio choices: automatic first, then each provider that fits the member."""
    return [(AUTOMATIC, automatic), *((str(f.organization.pk), _fit_label(f, member)) for f in fits if f.fits)]


def chosen_provider(value: str) -> uuid.UUID | None:
    return None if value == AUTOMATIC else uuid.UUID(value)


class _ProviderChoiceForm(CalaimForm):
    """A choice among the providers that fit; one that does not is refused with its reasons, not "invalid"."""

    automatic_label = ""

    def __init__(self, *args: Any, fits: list[ProviderFit], member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.not_offered = {str(f.organization.pk): f for f in fits if not f.fits}
        _choices(self, "provider_id", provider_choices(fits, member, self.automatic_label))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unfit = self.not_offered.get(str(self.data.get(self.add_prefix("provider_id"), "")))
        if unfit is not None and "provider_id" in self.errors:
            reasons = "; ".join(unfit.why_not)
            self.errors["provider_id"] = self.error_class([f"{unfit.organization.name} is not offered: {reasons}."])
        return cleaned


class AssignmentForm(_ProviderChoiceForm):
    provider_id = forms.ChoiceField(label="ECM provider", choices=(), initial=AUTOMATIC, widget=forms.RadioSelect)
    automatic_label = "Assign automatically (the best fit with free places; the reasons are recorded)"


class ProviderChangeForm(_ProviderChoiceForm):
    provider_id = forms.ChoiceField(label="New ECM provider", choices=(), initial=AUTOMATIC, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason for the change", widget=TEXTAREA, required=False, max_length=2000)
    automatic_label = "Choose automatically (the best fit with free places)"


class CareManagerLanguagesForm(CalaimForm):
    languages = forms.MultipleChoiceField(
        label="Languages spoken", required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, codes: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["languages"]
        assert isinstance(field, forms.MultipleChoiceField)
        named = sorted((language_name(code), code) for code in set(codes))
        field.choices = [(code, name) for name, code in named]


def care_manager_label(row: CareManagerLoad) -> str:
    """A care manager as a supervisor weighs them: name, current caseload, languages by name."""
    members = f"{row.members} member{'s' if row.members != 1 else ''} now"
    spoken = language_names(row.languages) if row.languages else "languages not recorded"
    return f"{person(row.user)} ({members}; {spoken})"


class EnrollForm(CalaimForm):
    enrolled_on = forms.DateField(label="Enrollment date", widget=DATE_INPUT, help_text="The day the member agreed.")
