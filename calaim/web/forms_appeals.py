"""Forms for appeals and grievances. They only parse and label; calaim.appeals decides (windows, clocks, who)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from calaim.appeals.grievances import GrievanceInput
from calaim.appeals.models import AppealOutcome, Channel, OnBehalf
from calaim.appeals.selectors import ListFilters, Show
from calaim.appeals.services import AppealInput
from calaim.web.forms import CalaimForm

TEXTAREA = forms.Textarea(attrs={"rows": 3})
MOMENT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RECEIVED_HELP = "Plan time. Blank: now. For mail, the day the plan received it."
SHOW_LABELS = {
    Show.OPEN: "Open",
    Show.OVERDUE: "Overdue",
    Show.RESOLVED: "Resolved",
    Show.WITHDRAWN: "Withdrawn",
    Show.ALL: "All",
}


class AppealCreateForm(CalaimForm):
    channel = forms.ChoiceField(label="How the appeal came in", choices=Channel.choices)
    received_at = forms.DateTimeField(label="Received", required=False, widget=MOMENT_INPUT, help_text=RECEIVED_HELP)
    on_behalf = forms.ChoiceField(
        label="Filed by", choices=OnBehalf.choices, initial=OnBehalf.MEMBER, widget=forms.RadioSelect
    )
    expedited = forms.BooleanField(
        label="Expedited: waiting could seriously jeopardize the member's life, health or function", required=False
    )
    aid_paid_pending = forms.BooleanField(
        label="The member asks for services to continue (aid paid pending)", required=False
    )
    description = forms.CharField(label="Why the member disagrees", widget=TEXTAREA, required=False)

    def __init__(self, *args: Any, provider: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if provider:
            # Provider staff always file on the member's behalf, for their own organization.
            del self.fields["on_behalf"]

    def appeal_input(self) -> AppealInput:
        data = self.cleaned_data
        return AppealInput(
            channel=data["channel"],
            received_at=data["received_at"],
            expedited=data["expedited"],
            aid_paid_pending=data["aid_paid_pending"],
            on_behalf=data.get("on_behalf") or OnBehalf.PROVIDER,
            description=data["description"],
        )


class AppealExtendForm(CalaimForm):
    extension_days = forms.IntegerField(label="Days to extend", help_text="Calendar days, at most 14; once only.")
    reason = forms.CharField(label="Reason (sent to the member)", widget=TEXTAREA)


class AppealResolveForm(CalaimForm):
    outcome = forms.ChoiceField(label="Outcome", choices=AppealOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason (sent to the member)", widget=TEXTAREA)


class AppealWithdrawForm(CalaimForm):
    reason = forms.CharField(label="How the member asked to withdraw", widget=TEXTAREA)


class GrievanceCreateForm(CalaimForm):
    category = forms.ChoiceField(label="Category", choices=())
    description = forms.CharField(label="The grievance, in the member's words", widget=TEXTAREA)
    channel = forms.ChoiceField(label="How it came in", choices=Channel.choices)
    received_at = forms.DateTimeField(label="Received", required=False, widget=MOMENT_INPUT, help_text=RECEIVED_HELP)
    expedited = forms.BooleanField(label="Expedited: a serious threat to the member's health", required=False)
    related = forms.ChoiceField(label="About", required=False, choices=())

    def __init__(
        self,
        *args: Any,
        categories: tuple[tuple[str, str], ...],
        related: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", "Choose a category"), *categories]
        about = self.fields["related"]
        assert isinstance(about, forms.ChoiceField)
        about.choices = [("", "Nothing in particular"), *related]

    def grievance_input(self) -> GrievanceInput:
        data = self.cleaned_data
        kind, _, pk = str(data["related"]).partition(":")
        ids: dict[str, uuid.UUID | None] = {"authorization": None, "referral": None, "cs_request": None}
        if kind in ids:
            ids[kind] = uuid.UUID(pk)
        return GrievanceInput(
            category=data["category"],
            description=data["description"],
            channel=data["channel"],
            received_at=data["received_at"],
            expedited=data["expedited"],
            authorization_id=ids["authorization"],
            referral_id=ids["referral"],
            cs_request_id=ids["cs_request"],
        )


class GrievanceResolveForm(CalaimForm):
    resolution = forms.CharField(label="How it was resolved (sent to the member)", widget=TEXTAREA)


class WorklistFilterForm(CalaimForm):
    show = forms.ChoiceField(label="Show", choices=[(s, SHOW_LABELS[s]) for s in Show.CHOICES], required=False)
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "Appeals and grievances"), ("appeals", "Appeals"), ("grievances", "Grievances")],
        required=False,
    )
    expedited = forms.BooleanField(label="Expedited only", required=False)

    def filters(self) -> ListFilters:
        """The filters asked for; an invalid form shows the open ones."""
        if not self.is_valid():
            return ListFilters()
        data = self.cleaned_data
        return ListFilters(show=data["show"] or Show.OPEN, expedited=True if data["expedited"] else None)
