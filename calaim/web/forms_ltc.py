"""Forms of the long-term care pages: a facility stay, its discharge, a PASRR screening, a Physician Certification
Statement and a ride's mode. They parse and label; the calaim.ltc services decide (choices come from the dated
reference data in force today)."""

from __future__ import annotations

from typing import Any

from django import forms

from calaim.core.clock import plan_today
from calaim.ltc.models import Level1By, Level1Type, Level2Evaluator, Level2Type, LevelOfCare
from calaim.ltc.reference import facility_types_on, nemt_rules_on
from calaim.web.forms import DATE_INPUT, CalaimForm

YES_NO_UNKNOWN = [("", "Not yet known"), ("yes", "Yes"), ("no", "No")]


def _blank(prompt: str, choices: Any) -> list[tuple[str, str]]:
    return [("", prompt), *choices]


class _ChoicesForm(CalaimForm):
    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class StayForm(_ChoicesForm):
    facility_name = forms.CharField(label="Facility name", max_length=200)
    facility_type = forms.ChoiceField(label="Facility type")
    facility_npi = forms.CharField(label="Facility NPI", max_length=10, required=False, help_text="10 digits.")
    level_of_care = forms.ChoiceField(
        label="Level of care", required=False, help_text="Blank: the facility type's usual level."
    )
    admitted_on = forms.DateField(label="Admitted on", widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = facility_types_on(plan_today()).types
        self._choices("facility_type", _blank("Choose a facility type", [(t.code, t.label) for t in types]))
        self._choices("level_of_care", _blank("The type's usual level", LevelOfCare.choices))


class DischargeForm(CalaimForm):
    discharged_on = forms.DateField(label="Discharged on", widget=DATE_INPUT)


class PasrrForm(_ChoicesForm):
    stay = forms.ChoiceField(label="Nursing-facility admission")
    level1_type = forms.ChoiceField(label="Level I type", choices=_blank("Choose", Level1Type.choices))
    level1_on = forms.DateField(label="Level I date", widget=DATE_INPUT)
    level1_by = forms.ChoiceField(label="Level I submitted by", choices=_blank("Choose", Level1By.choices))
    level1_positive = forms.TypedChoiceField(
        label="Level I result",
        choices=[("", "Choose"), ("positive", "Positive (Level II needed)"), ("negative", "Negative")],
        coerce=lambda v: v == "positive",
    )
    level2_type = forms.ChoiceField(
        label="Level II type", choices=_blank("No Level II", Level2Type.choices), required=False
    )
    level2_evaluator = forms.ChoiceField(
        label="Level II evaluator", choices=_blank("Not yet known", Level2Evaluator.choices), required=False
    )
    level2_on = forms.DateField(label="Level II date", widget=DATE_INPUT, required=False)
    determination_on = forms.DateField(label="Determination date", widget=DATE_INPUT, required=False)
    placement_recommendation = forms.CharField(
        label="Placement recommendation", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    specialized_services = forms.ChoiceField(
        label="Specialized services recommended", choices=YES_NO_UNKNOWN, required=False
    )
    authorization = forms.ChoiceField(label="SNF authorization request", required=False)

    def __init__(
        self, *args: Any, stays: list[tuple[str, str]], authorizations: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("stay", _blank("Choose the admission", stays))
        self._choices("authorization", _blank("None", authorizations))

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the service takes it (Level II needed follows a positive Level I)."""
        data = dict(self.cleaned_data)
        data["level2_needed"] = bool(data["level1_positive"])
        data["specialized_services"] = {"yes": True, "no": False}.get(data["specialized_services"])
        return data


class PcsForm(_ChoicesForm):
    signer_type = forms.ChoiceField(label="Signed by (type)")
    signer_name = forms.CharField(label="Signer's name", max_length=200)
    signer_npi = forms.CharField(label="Signer's NPI", max_length=10, help_text="10 digits.")
    mode = forms.ChoiceField(label="NEMT mode")
    valid_from = forms.DateField(label="Valid from", widget=DATE_INPUT)
    valid_through = forms.DateField(label="Valid through", widget=DATE_INPUT)
    form_version = forms.ChoiceField(label="Plan's PCS form")

    def __init__(self, *args: Any, plan_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = plan_today()
        rules = nemt_rules_on(today)
        months = rules.pcs_max_months
        self.fields["valid_through"].help_text = f"At most {months} months after the first day."
        self._choices("signer_type", _blank("Choose", rules.signer_types))
        self._choices("mode", _blank("Choose", rules.nemt_modes()))
        forms_all = sorted({f.version for f in rules.form_versions if f.plan == plan_code})
        self._choices("form_version", _blank("Choose", [(v, v) for v in forms_all]))


class PcsRevokeForm(CalaimForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RideForm(_ChoicesForm):
    mode = forms.ChoiceField(label="How the ride travels")
    transfer_to_snf = forms.BooleanField(
        label="Transfer from an emergency room or acute hospital to a SNF (no PCS needed)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = nemt_rules_on(plan_today())
        modes = [(code, f"{label} (NEMT)" if nemt else label) for code, label, nemt in rules.modes]
        self._choices("mode", _blank("Choose", modes))
