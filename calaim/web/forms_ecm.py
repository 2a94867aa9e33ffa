"""Forms for the ECM actions. They only parse and label; the services decide (see calaim/web/forms.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms

from calaim.core.errors import DomainError
from calaim.plans.models import AgeGroup, PopulationOfFocus, ReferralSourceType
from calaim.referrals.models import ReferralForm, Urgency
from calaim.referrals.services import PofAttestationInput, ReferralInput
from calaim.web.forms import CalaimForm, CinField, DayField, PhoneField

T = TypeVar("T")
TEXTAREA = forms.Textarea(attrs={"rows": 2})
AUTOMATIC = "automatic"
# The forms a person fills in; plan identifications come from the batch job, not from this page.
WEB_REFERRAL_FORMS = (ReferralForm.ECM_ADULT, ReferralForm.ECM_CHILD)
# What a field that did not parse stands in as while the service checks the others (it skips the unknown ones).
_STANDINS: dict[str, Any] = {"member_birth_date": dt.date.min, "attested_on": dt.date.min, "member_aware": False}


@dataclass
class PofFields:
    """One Population of Focus on the referral form: its criteria checkboxes and its facts box."""

    pof: PopulationOfFocus
    criteria: forms.BoundField
    facts: forms.BoundField


class ReferralCreateForm(CalaimForm):
    """The standardized ECM referral form, field for field as POST /api/referrals takes it."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    member_cin = CinField(label="Member's CIN")
    member_birth_date = DayField(label="Member's birth date")
    source_type = forms.ChoiceField(label="Referral source", choices=())
    form = forms.ChoiceField(label="Referral form", choices=())
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    referrer_name = forms.CharField(
        label="Referrer's name",
        max_length=200,
        help_text="For a phone referral: the member, family member or caregiver who called.",
    )
    referrer_role = forms.CharField(
        label="Referrer's role or relationship to the member", max_length=100, required=False
    )
    referrer_npi = forms.RegexField(
        regex=r"^[0-9]{10}$",
        label="Referrer's NPI",
        required=False,
        error_messages={"invalid": "An NPI is 10 digits."},
    )
    referrer_phone = PhoneField(label="Referrer's phone", required=False)
    referrer_email = forms.EmailField(label="Referrer's email", max_length=254, required=False)
    member_phone = PhoneField(label="Member's phone", required=False)
    member_address = forms.CharField(label="Member's address", max_length=300, required=False)
    member_experiencing_homelessness = forms.NullBooleanField(
        label="Is the member experiencing homelessness?",
        widget=forms.NullBooleanSelect,
    )
    member_aware = forms.BooleanField(label="The member knows of this referral", required=False)
    attested_by = forms.CharField(label="Attested by", max_length=200)
    attested_on = DayField(label="Attestation date")
    notes = forms.CharField(label="Notes", widget=TEXTAREA, required=False, max_length=4000)

    def __init__(
        self,
        *args: Any,
        sources: Iterable[ReferralSourceType],
        pofs: Iterable[PopulationOfFocus],
        verification_form: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "source_type", [(s.code, s.label) for s in sources], "Choose the source")
        kinds = [*WEB_REFERRAL_FORMS, *([ReferralForm.ELIGIBILITY_VERIFICATION] if verification_form else [])]
        _choices(self, "form", [(k.value, k.label) for k in kinds])
        self.pofs = sorted(pofs, key=lambda p: (p.age_group != AgeGroup.ADULT, p.code))
        for pof in self.pofs:
            self.fields[f"pof_{pof.code}"] = forms.MultipleChoiceField(
                label=f"{pof.code} criteria met",
                choices=[(c["key"], c["label"]) for c in pof.criteria],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[f"pof_{pof.code}_facts"] = forms.CharField(
                label=f"Supporting facts for {pof.code}", widget=TEXTAREA, required=False, max_length=4000
            )
        self.attested_codes: list[str] = []

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("pof_") and name != "idempotency_key"]

    def pof_groups(self) -> list[tuple[str, list[PofFields]]]:
        groups: dict[str, list[PofFields]] = {}
        for pof in self.pofs:
            label = AgeGroup(pof.age_group).label
            groups.setdefault(label, []).append(PofFields(pof, self[f"pof_{pof.code}"], self[f"pof_{pof.code}_facts"]))
        return list(groups.items())

    def referral_input(self, values: dict[str, Any] | None = None) -> ReferralInput:
        """The service's input; a POF counts as attested when any of its criteria or its facts were given."""
        data = dict(self.cleaned_data if values is None else values)
        attestations = []
        self.attested_codes = []
        for pof in self.pofs:
            criteria, facts = data.pop(f"pof_{pof.code}", []), data.pop(f"pof_{pof.code}_facts", "")
            if criteria or facts.strip():
                attestations.append(PofAttestationInput(pof=pof.code, criteria=list(criteria), facts=facts))
                self.attested_codes.append(pof.code)
        data.pop("idempotency_key", None)
        return ReferralInput(**data, pof_attestations=attestations)

    def draft(self) -> dict[str, Any]:
        """For a form with errors: the service's input from the fields that parsed, stand-ins for the others, and
        their names as `unknown`, so the service checks the rest in the same round (referral_check)."""
        unknown = frozenset(name for name in self.fields if name not in self.cleaned_data)
        standins = {field.name: _STANDINS.get(field.name, "") for field in dataclasses.fields(ReferralInput)}
        main = {name: self.cleaned_data.get(name, standins[name]) for name in standins if name in self.fields}
        pofs = {name: value for name, value in self.cleaned_data.items() if name.startswith("pof_")}
        return {"data": self.referral_input({**main, **pofs}), "unknown": unknown}

    def field_for(self, service_field: str | None) -> str | None:
        """The form field for a service error's field, e.g. pof_attestations[0].facts -> pof_A1_facts."""
        found = re.fullmatch(r"pof_attestations\[(\d+)\]\.(\w+)", service_field or "")
        if found is None:
            return service_field
        code = self.attested_codes[int(found[1])]
        return f"pof_{code}_facts" if found[2] == "facts" else f"pof_{code}"


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]], blank: str | None = None) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", blank), *choices] if blank else choices


def remap_errors(call: Callable[..., T], field_for: Callable[[str | None], str | None]) -> Callable[..., T]:
    """Wrap a service call so a refusal names the form's field instead of the API's."""

    def run(*args: Any, **kwargs: Any) -> T:
        try:
            return call(*args, **kwargs)
        except DomainError as error:
            for problem in {error, *getattr(error, "problems", [])}:
                problem.field = field_for(problem.field)
            raise

    return run


class DuplicateReviewForm(CalaimForm):
    """Two buttons name the decision; the reason is needed when it is not a duplicate."""

    CONFIRM, REJECT = "confirm", "not_duplicate"
    decision = forms.ChoiceField(choices=[(CONFIRM, "Confirm duplicate"), (REJECT, "Not a duplicate")])
    reason = forms.CharField(
        label="Note",
        widget=TEXTAREA,
        required=False,
        max_length=2000,
        help_text="Required for 'Not a duplicate': say why it should be handled on its own.",
    )
