"""Forms of the UM reviewer's pages: decide, extend, re-authorize. They only parse and label; the services decide."""

from __future__ import annotations

from django import forms

from calaim.authorizations.services import Outcome
from calaim.referrals.models import Urgency
from calaim.web.forms import CalaimForm

TEXTAREA = forms.Textarea(attrs={"rows": 2})


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


class ExtensionForm(CalaimForm):
    reason = forms.CharField(label="Reason for the extension", widget=TEXTAREA, required=False, max_length=2000)


class ReauthorizationForm(CalaimForm):
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
