from django.contrib import admin

from calaim.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only: nobody edits history."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "member")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "member__cin")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
