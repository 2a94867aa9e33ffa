"""Notices owed and sent, mail batches and address flags: read-only here; the closed loop queues notices, the
mailroom sends them, member services make the batches and resolve the flags (calaim.notices.batch, .returned). A
letter's PDF and the data it was made from are not shown here: they are read through the member's record, which
puts the member on the PHI read log."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin
from calaim.notices.models import AddressFlag, MailBatch, Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "recipient", "status", "due_date", "sent_at", "returned_at")
    list_filter = ("kind", "recipient", "status")
    raw_id_fields = ("member", "referral", "mail_batch")


@admin.register(MailBatch)
class MailBatchAdmin(ReadOnlyAdmin):
    list_display = ("mail_date", "plan", "letter_count", "created_by", "created_at")
    list_filter = ("plan",)


@admin.register(AddressFlag)
class AddressFlagAdmin(ReadOnlyAdmin):
    list_display = ("member", "reason", "created_at", "resolved_at")
    raw_id_fields = ("member", "notice", "reported_by", "resolved_by")
