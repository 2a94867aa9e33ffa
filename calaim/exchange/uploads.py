"""Uploaded provider files (RTF, OTF), kept where the load reads them: `CALAIM_DATA_DIR/exchange/<uuid>/<name>`.

The roster's streaming upload (calaim.roster.uploads) does the work: chunks straight to a private folder, hashed on
the way, refused past `CALAIM_UPLOAD_MAX_MB`, renamed into place once complete. Here only the endings differ (a
provider file is never Parquet), the folder, and the words of a refusal.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import HttpRequest

from calaim.accounts.models import User
from calaim.core.errors import DomainError, Forbidden, ValidationFailed
from calaim.exchange.models import ExchangeLoad
from calaim.exchange.policies import may_upload
from calaim.exchange.services import exchange_load_create
from calaim.exchange.tasks import exchange_load_enqueue
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.roster.uploads import (
    CHUNK_BYTES,
    FIELD,
    RosterUploadHandler,
    StoredUpload,
    StoredUploadedFile,
    UploadWriter,
    upload_discard,
    upload_safe_name,
)

__all__ = ["ENDINGS_IN_WORDS", "EXCHANGE_ENDINGS", "StoredUpload", "exchange_upload_receive", "upload_discard"]

EXCHANGE_ENDINGS = (".csv", ".tsv", ".txt", ".psv", ".xlsx")
ENDINGS_IN_WORDS = ".csv, .tsv, .txt or .psv (pipe-separated) or .xlsx"
UPLOAD_KIND = "exchange"


def exchange_check_name(file_name: str) -> str:
    """The name as sent, or a refusal naming the file and the endings a provider file may have."""
    shown = re.split(r"[\\/]", file_name)[-1].strip()
    if not shown:
        raise ValidationFailed("Choose the file to upload.", field=FIELD)
    if not upload_safe_name(shown).endswith(EXCHANGE_ENDINGS):
        raise ValidationFailed(
            f"{shown}: calaim cannot read this kind of file. Send the file as {ENDINGS_IN_WORDS}.", field=FIELD
        )
    return shown


def _writer(file_name: str) -> UploadWriter:
    exchange_check_name(file_name)
    return UploadWriter(file_name, kind=UPLOAD_KIND)


class ExchangeUploadHandler(RosterUploadHandler):
    """The roster's streaming handler, writing under the exchange folder and checking a provider file's ending."""

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, field_name, file_name, *args, **kwargs)
        if field_name != FIELD or self.received or self.refusal is not None:
            raise SkipFile()
        try:
            self.writer = _writer(file_name)
        except DomainError as error:
            self.refusal = error
            raise SkipFile() from error


def exchange_upload_handler_install(request: HttpRequest) -> ExchangeUploadHandler | None:
    """Put the streaming handler in front, if the request's body has not been read yet (else None)."""
    handler = ExchangeUploadHandler(request)
    try:
        request.upload_handlers = [handler]
    except AttributeError:  # the body was already parsed: the file is copied from Django's own upload instead
        return None
    return handler


def exchange_upload_receive(request: HttpRequest, handler: ExchangeUploadHandler | None) -> StoredUpload:
    """The provider file of a multipart request, kept in its folder; a refusal names the file and what is wrong.
    Call `exchange_upload_handler_install` before anything reads the request's body, then this."""
    files = request.FILES  # parses the body through the handler, when it was installed in time
    if handler is not None and handler.refusal is not None:
        raise handler.refusal
    uploaded = files.get(FIELD)
    if uploaded is None:
        raise ValidationFailed("Choose the file to upload.", field=FIELD)
    if isinstance(uploaded, StoredUploadedFile):
        return uploaded.stored
    writer = _writer(uploaded.name or "")
    try:
        for chunk in uploaded.chunks(CHUNK_BYTES):
            writer.write(chunk)
        return writer.finish()
    finally:
        if writer.open:  # a chunk failed: nothing half-written is left behind
            writer.abort()


def exchange_upload_allowed(user: User) -> None:
    """Refuse (403), before a byte of the file is kept, a caller whose role offers no provider file."""
    if not may_upload(user):
        raise Forbidden(f"Your role ({user.get_role_display() or 'none'}) may not send providers' files.")


def exchange_load_submit(
    *,
    actor: User,
    upload: StoredUpload,
    plan: Plan,
    provider: Organization | None,
    kind: str,
    accept_valid_rows: bool,
    source: str,
) -> ExchangeLoad:
    """Record an uploaded RTF or OTF (the import's own checks and policy; `provider` None: the caller's own
    organization, or the one the file's NPI column names) and read and apply it in the background once that
    commits; the kept file is removed when the load is refused before it is recorded. A file already applied is
    recorded as a duplicate at once, and nothing runs."""
    try:
        with transaction.atomic():
            load = exchange_load_create(
                actor=actor,
                plan=plan,
                provider=provider,
                kind=kind,
                path=upload.path,
                file_name=upload.file_name,
                source=source,
                accept_valid_rows=accept_valid_rows,
            )
            exchange_load_enqueue(load)
    except BaseException:
        upload_discard(upload.path)
        raise
    return load
