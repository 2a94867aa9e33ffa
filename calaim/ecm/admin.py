from django.contrib import admin

from calaim.ecm.models import EligibilityDetermination, Enrollment


@admin.register(EligibilityDetermination)
class EligibilityDeterminationAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "determined_on", "outcome", "rule_version")
    list_filter = ("outcome",)
    raw_id_fields = ("member", "referral", "determined_by")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "provider", "status", "assignment_method", "enrolled_on", "ended_on")
    list_filter = ("status", "assignment_method", "provider")
    raw_id_fields = ("member", "referral", "authorization", "provider", "lead_care_manager", "previous")
