"""Notices: member letters and referrer notifications, tracked until sent; a letter's PDF; returned mail and the
address flags it raises; the day's mail batch.

A notice and its letter are read by whoever may see the member (404 otherwise), and the read is on the PHI read log.
The mailroom (batches, returned mail, address flags) is member services' to run and plan compliance's to see
(calaim.notices.policies): a role that may see but not act is refused (403), any other finds nothing (404, or an
empty list). The web app's mailroom calls the same services.
"""

import uuid

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router, Status

from calaim.api.auth import actor
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.notices_schemas import (
    BATCH_ZIP,
    LETTER_PDF,
    AddressFlagOut,
    AddressFlagResolveIn,
    MailBatchIn,
    MailBatchMadeOut,
    MailBatchOut,
    NoticeFilter,
    NoticeOut,
    ReturnedIn,
)
from calaim.api.pagination import paginated
from calaim.core.clock import plan_today
from calaim.notices.batch import mail_batch_create
from calaim.notices.batch_files import batch_zip_open
from calaim.notices.models import AddressFlag, MailBatch, Notice
from calaim.notices.policies import can_run_mailroom
from calaim.notices.returned import address_flag_resolve, notice_return_record
from calaim.notices.selectors import (
    address_flag_get,
    mail_batch_get,
    mail_batch_members,
    mail_batch_scope,
    mailroom_flags,
    mailroom_plan,
    notice_get,
    notice_letter_get,
    notice_scope,
    notices_with_letters,
)

router = Router(tags=["notices"])


@router.get("/notices", response={200: list[NoticeOut], **LIST_ERRORS})
@paginated
def list_notices(request: HttpRequest, filters: Query[NoticeFilter]) -> QuerySet[Notice]:
    """Notices of the members you may see, by member, kind and status, with each letter's facts once produced."""
    notices = notice_scope(actor(request))
    if filters.member_id:
        notices = notices.filter(member_id=filters.member_id)
    if filters.kind:
        notices = notices.filter(kind=filters.kind)
    if filters.status:
        notices = notices.filter(status=filters.status)
    return notices_with_letters(notices)


@router.get("/notices/{notice_id}", response={200: NoticeOut, **READ_ERRORS})
def get_notice(request: HttpRequest, notice_id: uuid.UUID) -> Notice:
    return notice_get(actor(request), notice_id)


@router.get("/notices/{notice_id}/letter.pdf", response={200: None, **READ_ERRORS}, openapi_extra=LETTER_PDF)
def get_notice_letter(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    """The member letter's PDF exactly as produced (404 before it is produced, or out of your scope)."""
    notice, letter = notice_letter_get(actor(request), notice_id)
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{notice.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/notices/{notice_id}/returned", response={201: AddressFlagOut, **ERRORS})
def record_notice_returned(request: HttpRequest, notice_id: uuid.UUID, payload: ReturnedIn) -> Status[AddressFlag]:
    """Record that a mailed letter came back undelivered (member services); the answer is the address flag it
    opens for the member."""
    caller = actor(request)
    flag = notice_return_record(actor=caller, notice=notice_get(caller, notice_id), reason=payload.reason)
    return Status(201, address_flag_get(caller, flag.pk))


@router.get("/address-flags", response={200: list[AddressFlagOut], **LIST_ERRORS})
@paginated
def list_address_flags(request: HttpRequest) -> QuerySet[AddressFlag]:
    """Your plan's open address flags, the longest waiting first (member services and plan compliance)."""
    return mailroom_flags(actor(request))


@router.post("/address-flags/{flag_id}/resolve", response={200: AddressFlagOut, **ERRORS})
def resolve_address_flag(request: HttpRequest, flag_id: uuid.UUID, payload: AddressFlagResolveIn) -> AddressFlag:
    """Close an open address flag with a note (member services)."""
    caller = actor(request)
    flag = address_flag_resolve(actor=caller, flag=address_flag_get(caller, flag_id), note=payload.note)
    return address_flag_get(caller, flag.pk)


@router.get("/mail-batches", response={200: list[MailBatchOut], **LIST_ERRORS})
@paginated
def list_mail_batches(request: HttpRequest) -> QuerySet[MailBatch]:
    """Your plan's mail batches, the latest first (member services and plan compliance)."""
    return mail_batch_scope(actor(request)).select_related("plan", "created_by")


@router.post("/mail-batches", response={200: MailBatchMadeOut, 201: MailBatchMadeOut, **ERRORS})
def create_mail_batch(request: HttpRequest, payload: MailBatchIn) -> Status[dict[str, object]]:
    """Mail your plan's produced letters (member services): one PDF per letter plus manifest.csv, the letters
    marked sent. 201 with the batch; 200 with batch null when no letter was ready. Letters whose member has no
    mailing address are left out and listed."""
    caller = actor(request)
    can_run_mailroom(caller).enforce()
    result = mail_batch_create(actor=caller, plan=mailroom_plan(caller), mail_date=payload.mail_date or plan_today())
    batch = mail_batch_get(caller, result.batch.pk) if result.batch is not None else None
    exceptions = [{"notice_id": e.notice_id, "reason": e.reason} for e in result.exceptions]
    return Status(201 if batch is not None else 200, {"batch": batch, "exceptions": exceptions})


@router.get("/mail-batches/{batch_id}", response={200: MailBatchOut, **READ_ERRORS})
def get_mail_batch(request: HttpRequest, batch_id: uuid.UUID) -> MailBatch:
    return mail_batch_get(actor(request), batch_id)


@router.get("/mail-batches/{batch_id}/letters.zip", response={200: None, **READ_ERRORS}, openapi_extra=BATCH_ZIP)
def get_mail_batch_zip(request: HttpRequest, batch_id: uuid.UUID) -> FileResponse:
    """The batch's PDFs and manifest.csv as they were written; every member it names is on the PHI read log."""
    batch = mail_batch_get(actor(request), batch_id)
    archive, name = batch_zip_open(batch)
    mail_batch_members(batch)  # the members it names, on the PHI read log
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
