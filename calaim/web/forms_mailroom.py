"""The mailroom's forms: which letters to list, the day's mail batch, returned mail, resolving an address flag. They
only parse and label; the rules live in calaim.notices' services and policies."""

from __future__ import annotations

from django import forms

from calaim.core.clock import plan_today
from calaim.notices.mailroom_worklist import LetterList
from calaim.notices.models import NoticeKind
from calaim.notices.returned import NOTE_MAX, REASON_MAX
from calaim.web.forms import DATE_INPUT, CalaimForm

# The kinds of letters a member receives (the referrer's outcome is a notification, never a letter).
LETTER_KINDS = [(kind.value, kind.label) for kind in NoticeKind if kind != NoticeKind.REFERRER_OUTCOME]


class MailroomFilterForm(CalaimForm):
    show = forms.ChoiceField(label="Letters", choices=LetterList.choices, required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Any kind"), *LETTER_KINDS], required=False)


class MailBatchForm(CalaimForm):
    mail_date = forms.DateField(
        label="Mail date",
        widget=DATE_INPUT,
        initial=plan_today,
        help_text="Every produced letter not yet mailed, produced on or before this date, goes in the batch.",
    )


class ReturnedMailForm(CalaimForm):
    reason = forms.CharField(
        label="Why did it come back?",
        max_length=REASON_MAX,
        help_text="As the post office marked it, e.g. moved, left no address; unknown at this address.",
    )


class AddressFlagResolveForm(CalaimForm):
    note = forms.CharField(
        label="What did you find or do?",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the member called with a new address, now on file; the address was confirmed.",
    )
