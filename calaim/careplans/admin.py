from django.contrib import admin

from calaim.careplans.models import CareTeamMember, OutreachAttempt, Task


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(admin.ModelAdmin):
    list_display = ("member", "role", "name", "organization_name", "active")
    raw_id_fields = ("member", "added_by")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("member", "kind", "organization", "status", "due_date", "owner")
    list_filter = ("kind", "status")
    raw_id_fields = ("member", "enrollment", "organization", "owner")


@admin.register(OutreachAttempt)
class OutreachAttemptAdmin(admin.ModelAdmin):
    list_display = ("member", "attempted_on", "method", "reached", "minutes_spent", "performed_by")
    raw_id_fields = ("member", "enrollment", "organization", "performed_by")
