"""Community Supports forms: they parse and label the CSS referral, deliveries, closing and Kaiser reassignment;
every rule lives in calaim.community_supports.services, whose refusals land on the field they name."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django import forms
from django.http import Http404
from django.urls import reverse

from calaim.community_supports.delivery_units import delivery_units_parse
from calaim.community_supports.eligibility import services_in_force
from calaim.community_supports.models import MAX_DOLLARS, MAX_HOURS, MAX_MEALS_PER_DAY, MAX_UNITS, CsService
from calaim.community_supports.referral_review import ReferralDraft
from calaim.community_supports.services import ServiceRequestInput
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.members.models import CIN_PATTERN
from calaim.plans.models import ReferralSourceType
from calaim.web.forms import DATE_INPUT, CalaimForm

T = TypeVar("T")

CHECKBOXES = forms.CheckboxSelectMultiple
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# A service error names its input as "services[<index>].<field>" (see community_supports.services).
SERVICE_FIELD = re.compile(r"^services\[(\d+)\]\.(\w+)$")
MAX_SERVICES = 20


def catalog() -> dict[str, CsService]:
    return services_in_force(plan_today())


class CsReferralForm(CalaimForm):
    """The CSS referral form's member, source and attestation; the services come in a formset."""

    member_cin = forms.CharField(label="Member CIN", max_length=20, help_text="8 digits and a letter.")
    member_birth_date = forms.DateField(label="Member birth date", widget=DATE_INPUT)
    source_type = forms.ChoiceField(label="Source of the request", choices=())
    referrer_name = forms.CharField(label="Referrer name", max_length=200)
    member_aware = forms.BooleanField(label="The member knows about and agrees to this request", required=False)
    attested_by = forms.CharField(label="Attested by", max_length=200)
    attested_on = forms.DateField(label="Attested on", widget=DATE_INPUT)
    ecm_enrollment_id = forms.TypedChoiceField(
        label="From the member's ECM care plan",
        choices=(),
        required=False,
        coerce=uuid.UUID,
        empty_value=None,
        help_text="Choose the ECM enrollment when this request comes from the member's care plan.",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        sources: Iterable[ReferralSourceType],
        enrollments: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source_type"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "Choose how the request came in"), *((s.code, s.label) for s in sources)]
        enrollment = self.fields["ecm_enrollment_id"]
        assert isinstance(enrollment, forms.ChoiceField)
        enrollment.choices = [("", "Not from an ECM care plan"), *enrollments]
        if len(enrollment.choices) == 1:
            del self.fields["ecm_enrollment_id"]

    def clean_member_cin(self) -> str:
        # People type a CIN in lower case and with spaces or dashes, as it is read out over the phone.
        cin = re.sub(r"[\s-]", "", str(self.cleaned_data["member_cin"])).upper()
        if not re.fullmatch(CIN_PATTERN, cin):
            raise forms.ValidationError("Enter the member's 9-character CIN: 8 digits and a letter.")
        return cin

    def clean_member_birth_date(self) -> Any:
        born = self.cleaned_data["member_birth_date"]
        if born > plan_today():
            raise forms.ValidationError("The birth date cannot be in the future.")
        return born


class CsServiceForm(CalaimForm):
    """One service on the referral; its criteria checklist is the chosen service's, from the catalog."""

    service_code = forms.ChoiceField(label="Community Support", choices=())
    justification = forms.CharField(label="Justification", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    criteria = forms.MultipleChoiceField(
        label="Criteria the member meets (attested)", choices=(), required=False, widget=CHECKBOXES
    )
    requested_start = forms.DateField(label="Requested start", widget=DATE_INPUT)
    requested_end = forms.DateField(label="Requested end", widget=DATE_INPUT)
    quantity = forms.DecimalField(
        label="Hours or meals a day",
        min_value=0,
        max_value=MAX_UNITS,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Hours for respite and personal care; meals a day for medically tailored meals.",
    )
    amount = forms.DecimalField(
        label="Amount in dollars",
        min_value=0,
        max_value=MAX_DOLLARS,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="For deposits, community transition, home adaptations and asthma remediation.",
    )
    change_in_circumstances = forms.BooleanField(label="Documented change in circumstances", required=False)
    extended = forms.BooleanField(label="Ask for an extension past the standard course", required=False)
    at_discharge = forms.BooleanField(label="Requested at hospital discharge", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = catalog()
        code = self.chosen_service_code()
        self.service = services.get(code)
        choice = self.fields["service_code"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", "Choose a Community Support"), *((s.code, s.name) for s in services.values())]
        # With htmx, choosing a service swaps in its checklist; without, the "Show the checklist" button does.
        choice.widget.attrs.update(
            {
                "hx-get": reverse("web:cs_service_checklist"),
                "hx-trigger": "change",
                "hx-target": f"#{self.prefix}-checklist",
                "hx-vals": json.dumps({"prefix": self.prefix}),
            }
        )
        criteria = self.fields["criteria"]
        assert isinstance(criteria, forms.MultipleChoiceField)
        criteria.choices = [(c["key"], c["label"]) for c in self.service.criteria] if self.service else []
        if self.service is not None:
            rule = "every one" if self.service.criteria_all else "at least one"
            criteria.help_text = f"{self.service.name} needs {rule} of these."

    def chosen_service_code(self) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix("service_code"), ""))
        return str(self.initial.get("service_code") or self.fields["service_code"].initial or "")

    def service_input(self) -> dict[str, Any]:
        """The cleaned service as the service layer's ServiceRequestInput takes it."""
        data = dict(self.cleaned_data)
        data["quantity"] = data["quantity"] or 0
        data["amount"] = data["amount"] or 0
        return data


CsServiceFormSet = forms.formset_factory(
    CsServiceForm, extra=0, min_num=1, validate_min=True, max_num=MAX_SERVICES, absolute_max=MAX_SERVICES
)


def formset_with_one_more(data: Any, prefix: str = "services") -> Any:
    """A copy of posted form data with one more service form in the formset."""
    copy = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    count = str(copy.get(key) or "1")
    copy[key] = str(min(int(count) + 1 if count.isdigit() else 2, MAX_SERVICES))
    return copy


def posted_values(form: forms.Form) -> dict[str, Any]:
    """A bound form's raw posted values, as initial data for an unbound copy that shows them without errors
    (the person asked to refresh the form, not to submit it)."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }


def place_referral_error(form: forms.Form, formset: Any, error: DomainError) -> None:
    """A refusal naming "services[i].field" lands on that service's field; any other on the form's field."""
    if error.status_code == 404:
        raise Http404(error.message) from error
    match = SERVICE_FIELD.match(error.field or "")
    if match and int(match[1]) < len(formset.forms):
        target, name = formset.forms[int(match[1])], match[2]
    else:
        target, name = form, error.field or ""
    if name == "services":
        formset._non_form_errors = formset.error_class([*formset.non_form_errors(), error.message])
        return
    target.add_error(name if name in target.fields else None, error.message)


def apply_referral(form: forms.Form, formset: Any, call: Callable[[], T]) -> T | None:
    """Run the referral service; a refusal lands on the field it names."""
    try:
        return call()
    except DomainError as error:
        place_referral_error(form, formset, error)
        return None


def submitted_service_forms(formset: Any) -> list[CsServiceForm]:
    """The service forms the requester filled in (an added form left blank is ignored)."""
    return [f for f in formset.forms if f.has_changed() or not f.empty_permitted]


def _draft_service(sform: CsServiceForm) -> ServiceRequestInput | None:
    """What a service form parsed: enough to check its limits once its service and dates read."""
    cleaned = getattr(sform, "cleaned_data", {})
    if not {"service_code", "requested_start", "requested_end"} <= set(cleaned):
        return None
    values = {k: v for k, v in cleaned.items() if k in ServiceRequestInput.__dataclass_fields__}
    values.setdefault("justification", "")
    values["quantity"] = values.get("quantity") or 0
    values["amount"] = values.get("amount") or 0
    return ServiceRequestInput(**values)


def referral_draft(form: CsReferralForm, formset: Any) -> ReferralDraft:
    """What the validated form and its services could read, for the service's checks to run on at once."""
    cleaned = getattr(form, "cleaned_data", {})
    return ReferralDraft(
        source_type=cleaned.get("source_type"),
        member_cin=cleaned.get("member_cin"),
        member_birth_date=cleaned.get("member_birth_date"),
        attested_on=cleaned.get("attested_on"),
        services=[_draft_service(f) for f in submitted_service_forms(formset)],
        incomplete={i for i, f in enumerate(submitted_service_forms(formset)) if f.errors},
    )


class CsDeliveryForm(CalaimForm):
    """A delivered service; only the measures the service counts are asked for."""

    start_date = forms.DateField(label="First day delivered", widget=DATE_INPUT)
    end_date = forms.DateField(label="Last day delivered", widget=DATE_INPUT)
    units = forms.DecimalField(label="Units", min_value=0, max_value=MAX_UNITS, max_digits=10, decimal_places=2)
    cost = forms.DecimalField(
        label="Cost in dollars", min_value=0, max_value=MAX_DOLLARS, max_digits=10, decimal_places=2
    )
    hours = forms.DecimalField(
        label="Hours", min_value=0, max_value=MAX_HOURS, max_digits=8, decimal_places=2, required=False
    )
    meals_per_day = forms.IntegerField(label="Meals a day", min_value=0, max_value=MAX_MEALS_PER_DAY, required=False)
    started_at = forms.DateTimeField(label="Stay started at", widget=DATETIME_INPUT, required=False)
    ended_at = forms.DateTimeField(label="Stay ended at", widget=DATETIME_INPUT, required=False)
    confirmed_repeat = forms.BooleanField(
        label="This is a separate delivery",
        required=False,
        help_text="Tick only when asked: another delivery of this service is already recorded on one of these days.",
    )

    # The limits engine names the dollars of a use "amount"; on a delivery they are its cost.
    FIELD_ALIASES = {"amount": "cost"}

    def __init__(self, *args: Any, service: CsService | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = service.unit if service else ""
        if unit != "hour":
            del self.fields["hours"]
        if unit != "meal":
            del self.fields["meals_per_day"]
        if service is None or not service.retro_authorized:
            del self.fields["started_at"], self.fields["ended_at"]
        units = self.fields["units"]
        units.help_text = f"Counted in {unit}s." if unit and unit != "dollars" else "How many were delivered."
        if service is not None and service.delivery_units:
            counted = delivery_units_parse(service.delivery_units)
            units.label = f"Units ({counted.plural})"
            units.help_text = f"Count {counted.plural}: {counted.rule()}."

    def asks_repeat(self) -> bool:
        """The separate-delivery checkbox shows once the service asked for it (or it was ticked)."""
        return bool(self.is_bound and (self.has_error("confirmed_repeat") or self.data.get("confirmed_repeat")))

    def delivery_input(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["hours"] = data.get("hours") or 0
        return data


def apply_delivery(form: CsDeliveryForm, call: Callable[[], T]) -> T | None:
    """Run the delivery service; a limit refusal lands on the delivery field it names."""
    try:
        return call()
    except DomainError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        name = form.FIELD_ALIASES.get(error.field or "", error.field or "")
        form.add_error(name if name in form.fields else None, error.message)
        return None


class CsCloseForm(CalaimForm):
    reason = forms.CharField(
        label="Why is the request closed?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: services completed, member declined, member moved away.",
    )


class DelegateReassignForm(CalaimForm):
    services_wanted = forms.MultipleChoiceField(
        label="Community Supports the member wants from the plan", choices=(), widget=CHECKBOXES
    )
    note = forms.CharField(label="Note", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label="The member chose reassignment from the delegate to the plan", required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = self.fields["services_wanted"]
        assert isinstance(wanted, forms.MultipleChoiceField)
        wanted.choices = [(s.code, s.name) for s in catalog().values()]
