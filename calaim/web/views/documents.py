"""Documents on a record's page: attach one (the panel's form posts here; its errors come back on this page with
status 400), download one (as an attachment, in the type its content was recognized as) and remove one with the
reason. Each reads through calaim.documents.selectors (out of scope is 404) and writes through one service."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import Forbidden, NotFound
from calaim.core.policy import Verdict
from calaim.documents.policies import can_attach, can_remove
from calaim.documents.rules import document_rules_on
from calaim.documents.selectors import Record, document_get, document_record
from calaim.documents.services import document_attach, document_remove
from calaim.documents.storage import documents_storage
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_documents import (
    RECORDS,
    DocumentRemoveForm,
    DocumentUploadForm,
    record_noun,
    record_slug,
    record_url,
)
from calaim.web.views.actions import Action, act, posted

# A multipart body this much over the largest document is refused before it is read (the form's other fields).
BODY_SLACK_BYTES = 64 * 1024


def _next_url(request: HttpRequest, record: Record) -> str:
    """Back to the page the form was on (this site's only), else the record's page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return f"{wanted.split('#')[0]}#documents-{record_slug(record)}"
    return f"{record_url(record)}#documents-{record_slug(record)}"


def _refuse_unless(verdict: Verdict) -> None:
    """Out of scope is the 404 page and a role that may not act the 403 page; a state refusal shows on the form."""
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)
    if isinstance(verdict.error, Forbidden):
        raise PermissionDenied(verdict.reason)


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > document_rules_on(plan_today()).max_bytes + BODY_SLACK_BYTES


@csrf_exempt  # checked by csrf_protect in _attach, once the body's size is known to be acceptable
@verified_required
def document_upload(request: HttpRequest, kind: str, record_id: uuid.UUID) -> HttpResponse:
    """GET: the attach form for a record; POST: attach the file, then back to the record's page. A body over the
    limit is refused before a byte of it is read."""
    user = staff(request)
    if kind not in RECORDS:
        raise Http404("No such kind of record.")
    record = or_404(lambda: RECORDS[kind][1](user, record_id))
    _refuse_unless(can_attach(user, record))
    back = f"{record_url(record)}#documents-{kind}"  # the posted `next` is read after the size check
    context = {"record": record, "noun": record_noun(record), "back": back, "slug": kind}
    if request.method == "POST" and _too_large(request):
        limit = document_rules_on(plan_today()).max_size_mb
        refusal = f"File: the file is larger than {limit} MB, the most a document may be."
        form = DocumentUploadForm(auto_id="document_%s")
        return render(request, "web/documents/upload.html", {**context, "form": form, "refusal": refusal}, status=413)
    return cast(HttpResponse, csrf_protect(_attach)(request, user, record, context))


def _attach(request: HttpRequest, user: User, record: Record, context: dict[str, Any]) -> HttpResponse:
    back = _next_url(request, record)
    action = Action(
        form=DocumentUploadForm(posted(request), request.FILES or None, auto_id="document_%s"),
        call=lambda data: document_attach(
            actor=user, record=record, upload=data["file"], kind=data["kind"], title=data["title"]
        ),
        title=f"Attach a document to the {record_noun(record)}",
        submit="Attach",
        done=lambda document: f"{document.title} is attached.",
        next_url=back,
        context={**context, "back": back},
        template="web/documents/upload.html",
    )
    return act(request, action)


@require_GET
@verified_required
def document_download(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """The document's bytes as an attachment, in the type its content was recognized as; a removed one is gone."""
    document = or_404(lambda: document_get(staff(request), document_id))
    handle = documents_storage().open(document.storage_key, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)  # verified_required's views answer HttpResponse; Django takes a stream too


@verified_required
def document_remove_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """GET: the removal form; POST: remove the document with the reason, then back to its record's page."""
    user = staff(request)
    document = or_404(lambda: document_get(user, document_id, removed=True))
    _refuse_unless(can_remove(user, document))
    record = document_record(document)
    back = _next_url(request, record)
    action = Action(
        form=DocumentRemoveForm(posted(request), auto_id="remove_%s"),
        call=lambda data: document_remove(actor=user, document=document, reason=data["reason"]),
        title=f"Remove {document.title}",
        submit="Remove",
        done=lambda removed: f"{removed.title} is removed; it stays listed as removed.",
        next_url=back,
        context={"document": document, "record": record, "noun": record_noun(record), "back": back},
        template="web/documents/remove.html",
    )
    return act(request, action)
