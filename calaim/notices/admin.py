"""Notices owed and sent: read-only here; the closed loop queues them and the mailroom sends them."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin
from calaim.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "recipient", "status", "due_date", "sent_at")
    list_filter = ("kind", "recipient", "status")
    raw_id_fields = ("member", "referral")
