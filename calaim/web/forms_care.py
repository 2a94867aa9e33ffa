"""Forms for the care plan, tasks and care team: they parse and label; the careplans services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from calaim.careplans.models import CareTeamRole, GoalDomain, GoalStatus, InterventionStatus, TaskKind
from calaim.web.forms import CalaimForm, DayField, PhoneField

SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class CarePlanForm(CalaimForm):
    next_review_on = DayField(label="Next review due")
    summary = forms.CharField(
        label="Summary: the member's priorities and strengths", widget=SHORT_TEXT, required=False, max_length=4000
    )


class CarePlanReviewForm(CalaimForm):
    reviewed_on = DayField(label="Reviewed with the member on")
    next_review_on = DayField(label="Next review due")
    note = forms.CharField(label="Review note", widget=SHORT_TEXT, required=False, max_length=4000)


class GoalForm(CalaimForm):
    description = forms.CharField(label="Goal, in the member's own words", widget=SHORT_TEXT, max_length=2000)
    domain = forms.ChoiceField(label="Domain", choices=[("", "Choose a domain"), *GoalDomain.choices])
    target_date = DayField(label="Target date")


class GoalStatusForm(CalaimForm):
    status = forms.ChoiceField(
        label="New goal status",
        choices=[("", "Choose a status"), *[(v, lbl) for v, lbl in GoalStatus.choices if v != GoalStatus.ACTIVE]],
    )
    met_on = DayField(label="Date met", required=False, help_text="Met goals only. Blank: today.")
    note = forms.CharField(label="Note", widget=SHORT_TEXT, required=False, max_length=4000)


class InterventionForm(CalaimForm):
    """Responsible is one choice among the care team and the provider's staff, or a name typed in."""

    description = forms.CharField(label="What will be done", widget=SHORT_TEXT, max_length=2000)
    responsible = forms.ChoiceField(label="Responsible", choices=(), required=False)
    responsible_name = forms.CharField(
        label="Or someone else (name)", required=False, max_length=200, help_text="Leave Responsible blank to use this."
    )
    due_date = DayField(label="Due date", required=False)
    frequency = forms.CharField(
        label="Frequency", required=False, max_length=100, help_text="For example: weekly. A due date or a frequency."
    )

    def __init__(self, *args: Any, responsible_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Someone else (type the name below)"), *responsible_choices]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _, value = data["responsible"].partition(":")
        return {
            "description": data["description"],
            "responsible_care_team_member_id": value if kind == "team" else None,
            "responsible_username": value if kind == "staff" else None,
            "responsible_name": data["responsible_name"],
            "due_date": data["due_date"],
            "frequency": data["frequency"],
        }


class InterventionStatusForm(CalaimForm):
    status = forms.ChoiceField(
        label="New status",
        choices=[
            ("", "Choose a status"),
            *[(v, lbl) for v, lbl in InterventionStatus.choices if v != InterventionStatus.NOT_STARTED],
        ],
    )


class TaskForm(CalaimForm):
    kind = forms.ChoiceField(label="Kind of task", choices=[("", "Choose a kind"), *TaskKind.choices])
    due_date = DayField(label="Due date")
    owner = forms.ChoiceField(label="Owner", choices=(), required=False)
    description = forms.CharField(label="Description", widget=SHORT_TEXT, required=False, max_length=2000)

    def __init__(self, *args: Any, owner_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Unassigned"), *owner_choices]


class TaskCancelForm(CalaimForm):
    reason = forms.CharField(label="Reason for cancelling", max_length=2000, required=False)


class ConfirmForm(CalaimForm):
    """No fields: a button that confirms an action (remove, start, complete)."""


class CareTeamForm(CalaimForm):
    role = forms.ChoiceField(label="Role", choices=[("", "Choose a role"), *CareTeamRole.choices])
    name = forms.CharField(label="Name", max_length=200)
    organization_name = forms.CharField(label="Organization", max_length=200, required=False)
    phone = PhoneField(label="Phone", required=False)
    email = forms.EmailField(label="Email", required=False)
