"""The documents forms (attach, remove) and how the pages name the record a document is attached to: its kind in
URLs, its noun in sentences, its page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.urls import reverse

from calaim.accounts.models import User
from calaim.appeals.models import Appeal
from calaim.appeals.selectors import appeal_get
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_get
from calaim.community_supports.models import CsRequest
from calaim.community_supports.selectors import cs_request_get
from calaim.core.clock import plan_today
from calaim.documents.models import DocumentKind
from calaim.documents.rules import document_rules_on
from calaim.documents.selectors import Record
from calaim.documents.services import REASON_MAX
from calaim.referrals.models import Referral
from calaim.referrals.selectors import referral_get
from calaim.web.forms import CalaimForm

# The record kinds in the attach URL, how each is read (scoped) and where its page is.
RECORDS: dict[str, tuple[type[Any], Callable[[User, uuid.UUID], Record], str]] = {
    "referral": (Referral, referral_get, "web:referral"),
    "cs-request": (CsRequest, cs_request_get, "web:cs_request"),
    "authorization": (AuthorizationRequest, authorization_get, "web:decision"),
    "appeal": (Appeal, appeal_get, "web:appeal"),
}
NOUNS = {Referral: "referral", CsRequest: "Community Supports request", AuthorizationRequest: "authorization request"}


def record_slug(record: Record) -> str:
    return next(slug for slug, (model, _, _) in RECORDS.items() if isinstance(record, model))


def record_noun(record: Record) -> str:
    return NOUNS.get(type(record), "appeal")


def record_url(record: Record) -> str:
    return reverse(RECORDS[record_slug(record)][2], args=[record.pk])


class DocumentUploadForm(CalaimForm):
    file = forms.FileField(label="File", allow_empty_file=True)  # the service says what is wrong with an empty one
    kind = forms.ChoiceField(label="Kind of document", choices=[("", "Choose…"), *DocumentKind.choices])
    title = forms.CharField(label="Title", required=False, help_text="The file's name when left blank.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = document_rules_on(plan_today())
        names = ", ".join(code.upper() for code in rules.types)
        self.fields["file"].help_text = f"{names}; at most {rules.max_size_mb} MB."
        title = self.fields["title"]
        assert isinstance(title, forms.CharField)
        title.max_length = rules.title_max_length
        title.validators.append(MaxLengthValidator(rules.title_max_length))
        title.widget.attrs["maxlength"] = str(rules.title_max_length)


class DocumentRemoveForm(CalaimForm):
    reason = forms.CharField(label="Why remove it", widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON_MAX)
