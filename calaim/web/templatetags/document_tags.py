"""`{% documents_panel record %}`: the documents of a referral, CS request, authorization or appeal (and of the
records read with it) that the caller may see, with download and remove links, and the attach form when the caller
may attach (calaim.documents.policies)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from calaim.documents.policies import can_attach, removal_refusal
from calaim.documents.selectors import Record, document_record, documents_for
from calaim.documents.services import REASON_MAX
from calaim.web.forms_documents import DocumentUploadForm, record_noun, record_slug

register = template.Library()


@register.simple_tag(takes_context=True)
def documents_panel(context: template.Context, record: Record) -> SafeString:
    """The documents panel of a referral, CS request, authorization or appeal."""
    request = context["request"]
    user = request.user
    rows = []
    for document in documents_for(user, record):
        parent = document_record(document)
        on = f"This {record_noun(record)}" if parent == record else f"The {record_noun(parent)}"
        rows.append({"document": document, "on": on, "removable": bool(removal_refusal(user, document))})
    allowed = can_attach(user, record)
    panel: dict[str, Any] = {
        "record": record,
        "rows": rows,
        "can_attach": allowed,
        "form": DocumentUploadForm(auto_id=f"document_{record_slug(record)}_%s") if allowed else None,
        "slug": record_slug(record),
        "here": request.get_full_path(),
        "reason_max": REASON_MAX,
    }
    return render_to_string("web/documents/panel.html", panel, request=request)
