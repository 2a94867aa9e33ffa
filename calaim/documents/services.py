"""Attaching a document to a record and removing it, each audited.

The bytes are written to storage, then the row and its audit event, in one transaction; if anything in it fails the
stored file is deleted again, so a failure leaves neither a row without bytes nor bytes without a row. The
transaction is durable (never nested in a caller's) because a caller's later rollback could not delete the file."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.core.inputs import control_character_problem
from calaim.documents.content import HEAD_BYTES, FileType, upload_check
from calaim.documents.models import Document, DocumentKind
from calaim.documents.policies import can_attach, can_remove
from calaim.documents.rules import document_rules_on
from calaim.documents.selectors import PARENT_SCOPES, Record
from calaim.documents.storage import documents_storage, storage_key_new

AUDITED = ["kind", "title", "original_filename", "content_type", "size", "sha256", "storage_key", "removed_at"]
REASON_MAX = 1000


@dataclass(frozen=True)
class Checked:
    kind: str
    title: str
    filename: str
    file_type: FileType
    size: int
    sha256: str


def _text(value: str, field: str, max_length: int, *, multiline: bool = False) -> str:
    text = value.strip()
    if problem := control_character_problem(text, multiline=multiline):
        raise ValidationFailed(problem, field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"At most {max_length} characters (this has {len(text)}).", field=field)
    return text


def _fingerprint(upload: File) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def document_check(*, upload: File, kind: str, title: str) -> Checked:
    """The upload's kind, title, name, type (by content), size and SHA-256, or ValidationFailed naming the field."""
    rules = document_rules_on(plan_today())
    if kind not in DocumentKind.values:
        raise ValidationFailed("Choose what kind of document this is.", field="kind")
    filename = _text(os.path.basename(upload.name or ""), "file", 255)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    found = upload_check(
        filename=filename, head=head, size=upload.size or 0, accepted=rules.types, max_bytes=rules.max_bytes
    )
    sha256, size = _fingerprint(upload)  # after the size check: a file too large is not read through
    named = _text(title, "title", rules.title_max_length) or filename[: rules.title_max_length]
    return Checked(kind, named, filename, found, size, sha256)


def document_attach(*, actor: User, record: Record, upload: File, kind: str, title: str) -> Document:
    """Keep the upload's bytes and attach them to `record` as a document of `kind` titled `title` (the file's name
    when blank), checked by content and size first."""
    can_attach(actor, record).enforce()
    checked = document_check(upload=upload, kind=kind, title=title)
    storage, now = documents_storage(), timezone.now()
    saved: str | None = None
    try:
        with transaction.atomic(durable=True):
            upload.seek(0)
            saved = storage.save(storage_key_new(now, checked.file_type), upload)
            document = _document_create(actor, record, checked, saved)
    except BaseException:
        if saved is not None:
            storage.delete(saved)
        raise
    return document


def _document_create(actor: User, record: Record, checked: Checked, key: str) -> Document:
    field, _ = PARENT_SCOPES[type(record)]
    document = Document.objects.create(
        member_id=record.member_id,
        **{field: record},
        kind=checked.kind,
        title=checked.title,
        original_filename=checked.filename,
        content_type=checked.file_type.content_type,
        size=checked.size,
        sha256=checked.sha256,
        storage_key=key,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action="document.attach",
        obj=document,
        member=document.member,
        after={**snapshot(document, AUDITED), "attached_to": f"{field}:{record.pk}"},
    )
    return document


def document_remove(*, actor: User, document: Document, reason: str) -> Document:
    """Hide a document with the reason why; its bytes are kept and it stays listed as removed."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().select_related("member").get(pk=document.pk)
        for parent in ("referral", "cs_request", "authorization", "appeal"):
            setattr(locked, parent, getattr(document, parent))  # the record as its scoped read loaded it
        can_remove(actor, locked).enforce()
        why = _text(reason, "reason", REASON_MAX, multiline=True)
        if not why:
            raise ValidationFailed("Say why the document is removed.", field="reason")
        before = snapshot(locked, AUDITED)
        locked.removed_at, locked.removed_by, locked.removal_reason = timezone.now(), actor, why
        locked.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="document.remove",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, AUDITED),
            reason=why,
        )
    return locked
