"""Care plans, goals, interventions, the care team, tasks and outreach: read-only here; their services change them."""

from django.contrib import admin

from calaim.careplans.models import CarePlan, CareTeamMember, Goal, Intervention, OutreachAttempt, Task
from calaim.core.admin_audit import ReadOnlyAdmin, ReadOnlyInline


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(ReadOnlyAdmin):
    list_display = ("member", "role", "name", "organization_name", "active")
    raw_id_fields = ("member", "added_by")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "organization", "status", "due_date", "owner")
    list_filter = ("kind", "status")
    raw_id_fields = ("member", "enrollment", "organization", "owner")


@admin.register(OutreachAttempt)
class OutreachAttemptAdmin(ReadOnlyAdmin):
    list_display = ("member", "attempted_on", "method", "reached", "minutes_spent", "performed_by")
    raw_id_fields = ("member", "enrollment", "organization", "performed_by")


class InterventionInline(ReadOnlyInline):
    model = Intervention
    raw_id_fields = ("responsible_care_team_member", "responsible_user", "created_by")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ("description", "care_plan", "domain", "target_date", "status", "met_on")
    list_filter = ("domain", "status")
    raw_id_fields = ("care_plan", "created_by")
    inlines = [InterventionInline]


class GoalInline(ReadOnlyInline):
    model = Goal
    raw_id_fields = ("created_by",)
    show_change_link = True


@admin.register(CarePlan)
class CarePlanAdmin(ReadOnlyAdmin):
    list_display = ("member", "organization", "version", "last_reviewed_on", "next_review_on")
    raw_id_fields = ("member", "enrollment", "organization", "created_by")
    inlines = [GoalInline]
