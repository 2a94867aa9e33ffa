"""The notices API's shapes: a notice with its letter's facts, a mail batch, an address flag, and the PDF and ZIP
answers as the OpenAPI document describes them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema

from calaim.api.types import Day, Line, Note
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeLetter
from calaim.notices.returned import NOTE_MAX, REASON_MAX


def _letter(notice: Notice) -> NoticeLetter | None:
    try:
        return notice.letter
    except ObjectDoesNotExist:
        return None


class NoticeOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    referral_id: uuid.UUID | None
    kind: str
    recipient: str
    recipient_name: str
    language: str = Field(..., description="The member's preferred language when the notice was owed.")
    status: str = Field(..., description="planned, produced (a letter made, to be mailed), sent or cancelled.")
    due_date: dt.date
    sent_at: dt.datetime | None = Field(..., description="When a letter was mailed, or a notification sent.")
    content: dict[str, object]
    letter_language: str | None = Field(None, description="The language the letter is written in.")
    letter_in_preferred_language: bool | None = Field(
        None, description="False when the member's language is not a threshold language (English with taglines)."
    )
    letter_sha256: str | None = None
    letter_page_count: int | None = None
    produced_at: dt.datetime | None = Field(None, description="When the letter's PDF was made.")
    letter_url: str | None = Field(None, description="The letter's PDF, once produced.")
    mail_batch_id: uuid.UUID | None
    returned_at: dt.datetime | None = Field(..., description="When the mailed letter came back undelivered.")
    return_reason: str

    @staticmethod
    def resolve_letter_language(obj: Notice) -> str | None:
        letter = _letter(obj)
        return letter.language if letter else None

    @staticmethod
    def resolve_letter_in_preferred_language(obj: Notice) -> bool | None:
        letter = _letter(obj)
        return letter.in_preferred_language if letter else None

    @staticmethod
    def resolve_letter_sha256(obj: Notice) -> str | None:
        letter = _letter(obj)
        return letter.sha256 if letter else None

    @staticmethod
    def resolve_letter_page_count(obj: Notice) -> int | None:
        letter = _letter(obj)
        return letter.page_count if letter else None

    @staticmethod
    def resolve_produced_at(obj: Notice) -> dt.datetime | None:
        letter = _letter(obj)
        return letter.produced_at if letter else None

    @staticmethod
    def resolve_letter_url(obj: Notice) -> str | None:
        return f"/api/notices/{obj.pk}/letter.pdf" if _letter(obj) else None


class NoticeFilter(Schema):
    member_id: uuid.UUID | None = None
    kind: Line | None = Field(None, max_length=40)
    status: Line | None = Field(None, max_length=20, description="planned, produced, sent or cancelled.")


class ReturnedIn(Schema):
    reason: Line = Field(..., min_length=1, max_length=REASON_MAX, description="As the post office marked it.")


class AddressFlagOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    notice_id: uuid.UUID | None
    reason: str
    created_at: dt.datetime
    reported_by: str = Field(..., description="Who reported it; \"system\" for the mail batch run without a user.")
    resolved_at: dt.datetime | None
    resolution_note: str


    @staticmethod
    def resolve_reported_by(flag: AddressFlag) -> str:
        return flag.reported_by.username if flag.reported_by else "system"


class AddressFlagResolveIn(Schema):
    note: Note = Field(..., min_length=1, max_length=NOTE_MAX, description="What member services found or did.")


class MailBatchOut(Schema):
    id: uuid.UUID
    plan: str = Field(..., alias="plan.code")
    mail_date: dt.date
    letter_count: int
    manifest_sha256: str
    created_at: dt.datetime
    made_by: str | None = Field(None, description="The user who made it; null for manage.py notices_print.")
    file_url: str = Field(..., description="The batch's PDFs and manifest.csv as one ZIP.")

    @staticmethod
    def resolve_made_by(obj: MailBatch) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_file_url(obj: MailBatch) -> str:
        return f"/api/mail-batches/{obj.pk}/letters.zip"


class MailBatchIn(Schema):
    mail_date: Day | None = Field(None, description="The mail date (default today, the plan's date); not later.")


class BatchExceptionOut(Schema):
    notice_id: uuid.UUID
    reason: str


class MailBatchMadeOut(Schema):
    batch: MailBatchOut | None = Field(..., description="Null when no letter was ready to mail.")
    exceptions: list[BatchExceptionOut] = Field(..., description="Letters left out: the member has no address.")


def binary_answer(content_type: str, description: str) -> dict[str, Any]:
    """The OpenAPI description of an answer that is a file."""
    content = {content_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": description, "content": content}}}


LETTER_PDF = binary_answer("application/pdf", "The letter's PDF exactly as produced (its SHA-256 is letter_sha256).")
BATCH_ZIP = binary_answer("application/zip", "The batch's PDFs (letter-<notice id>.pdf) and manifest.csv.")
