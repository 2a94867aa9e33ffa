"""The audit trail in the admin: read-only, because nobody edits history."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin
from calaim.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "member")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "member__cin")
