"""Documents attached to referrals, CS requests, authorizations and appeals: list a record's documents (with those
of the records read with it), attach one (multipart: `file`, `kind`, `title`), read one, download its bytes and
remove it with the reason. A caller sees a document exactly when they may see its record (out of scope is 404);
the file is checked by its content and size; each write goes through one calaim.documents service."""

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from calaim.api.auth import actor
from calaim.api.errors import ERRORS, READ_ERRORS, error_body
from calaim.api.pagination import paginated
from calaim.api.types import Line, Note
from calaim.appeals.selectors import appeal_get
from calaim.authorizations.selectors import authorization_get
from calaim.community_supports.selectors import cs_request_get
from calaim.core.clock import plan_today
from calaim.documents.models import PARENTS, Document, DocumentKind
from calaim.documents.rules import document_rules_on
from calaim.documents.selectors import Record, document_get, documents_for
from calaim.documents.services import REASON_MAX, document_attach, document_remove
from calaim.documents.storage import documents_storage
from calaim.referrals.selectors import referral_get

router = Router(tags=["documents"])
# A multipart body this much over the largest document is refused before it is parsed (the form's other fields).
BODY_SLACK_BYTES = 64 * 1024

KINDS = ", ".join(DocumentKind.values)
FILE_BODY: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The document's bytes, in the type its content was recognized as (`content_type`).",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("application/pdf", "image/png", "image/jpeg", "image/tiff", "image/heic")
            },
        }
    }
}


class AttachedTo(Schema):
    type: str = Field(description=f"One of {', '.join(PARENTS)}.")
    id: uuid.UUID


class DocumentOut(Schema):
    id: uuid.UUID
    kind: str = Field(description=f"One of {KINDS}.")
    kind_label: str
    title: str
    original_filename: str
    content_type: str
    size: int = Field(description="Bytes.")
    sha256: str
    attached_to: AttachedTo
    uploaded_by: str = Field(description="Who attached it, by name and organization.")
    created_at: dt.datetime
    removed: bool
    removed_at: dt.datetime | None
    removal_reason: str

    @staticmethod
    def resolve_kind_label(document: Document) -> str:
        return document.get_kind_display()

    @staticmethod
    def resolve_attached_to(document: Document) -> dict[str, object]:
        field = document.parent_field
        return {"type": field, "id": getattr(document, f"{field}_id")}

    @staticmethod
    def resolve_uploaded_by(document: Document) -> str:
        user = document.uploaded_by
        name = user.get_full_name() or user.get_username()
        return f"{name}, {user.organization.name}" if user.organization is not None else name


class RemovalIn(Schema):
    reason: Note = Field(..., max_length=REASON_MAX, description="Why the document is removed (kept on record).")


class AttachIn(Schema):
    kind: str = Field(..., description=f"One of {KINDS}.")
    title: Line = Field("", description="The file's name when blank.")


def _size_checked(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a body over the largest document (413) before a byte of it is parsed."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = document_rules_on(plan_today())
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > limit.max_bytes + BODY_SLACK_BYTES:
            message = f"The file is larger than {limit.max_size_mb} MB, the most a document may be."
            return JsonResponse(error_body(message, "file", "request_too_large"), status=413)
        return view(request, *args, **kwargs)

    return wrapper


def _routes(path: str, name: str, noun: str, load: Callable[[Any, uuid.UUID], Record]) -> None:
    """The list and attach endpoints of one kind of record."""

    @router.get(
        f"/{path}/{{record_id}}/documents",
        response={200: list[DocumentOut], **READ_ERRORS},
        operation_id=f"list_{name}_documents",
    )
    @paginated
    def list_documents(request: HttpRequest, record_id: uuid.UUID) -> QuerySet[Document]:
        return documents_for(actor(request), load(actor(request), record_id))

    @router.post(
        f"/{path}/{{record_id}}/documents",
        response={201: DocumentOut, **ERRORS},
        operation_id=f"attach_{name}_document",
    )
    @decorate_view(_size_checked)
    def attach_document(
        request: HttpRequest, record_id: uuid.UUID, form: Form[AttachIn], file: File[UploadedFile]
    ) -> Status[Document]:
        user = actor(request)
        record = load(user, record_id)
        return Status(201, document_attach(actor=user, record=record, upload=file, kind=form.kind, title=form.title))

    list_documents.__doc__ = f"The documents of the {noun} and of the records read with it, oldest first; removed "
    list_documents.__doc__ += "ones are listed with `removed` true and cannot be downloaded."
    attach_document.__doc__ = f"Attach a document to the {noun} (multipart/form-data: `file`, `kind`, `title`): a "
    attach_document.__doc__ += "PDF, PNG, JPEG, TIFF or HEIC recognized by its content and named with its ending, "
    attach_document.__doc__ += "at most the configured size (reference/documents.yaml)."


_routes("referrals", "referral", "referral", referral_get)
_routes("community-supports/requests", "cs_request", "Community Supports request", cs_request_get)
_routes("authorizations", "authorization", "authorization request", authorization_get)
_routes("appeals", "appeal", "appeal", appeal_get)


@router.get("/documents/{document_id}", response={200: DocumentOut, **READ_ERRORS})
def get_document(request: HttpRequest, document_id: uuid.UUID) -> Document:
    """One document's description (a removed one too)."""
    return document_get(actor(request), document_id, removed=True)


@router.get("/documents/{document_id}/file", response={200: None, **READ_ERRORS}, openapi_extra=FILE_BODY)
def get_document_file(request: HttpRequest, document_id: uuid.UUID) -> FileResponse:
    """The document's bytes as an attachment; a removed document's are not served (404)."""
    document = document_get(actor(request), document_id)
    handle = documents_storage().open(document.storage_key, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/documents/{document_id}/removal", response={200: DocumentOut, **ERRORS})
def remove_document(request: HttpRequest, document_id: uuid.UUID, payload: RemovalIn) -> Document:
    """Remove a document, saying why: it is hidden and listed as removed; its bytes are kept on record. The person
    who attached it or the plan's staff who may attach to its record may remove it, once."""
    user = actor(request)
    document = document_get(user, document_id, removed=True)
    return document_remove(actor=user, document=document, reason=payload.reason)
