"""ECM eligibility and enrollments: read-only here; they change only through the ECM workflows."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin
from calaim.ecm.models import EligibilityDetermination, Enrollment


@admin.register(EligibilityDetermination)
class EligibilityDeterminationAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "determined_on", "outcome", "rule_version")
    list_filter = ("outcome",)
    raw_id_fields = ("member", "referral", "determined_by")


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "provider", "status", "assignment_method", "enrolled_on", "ended_on")
    list_filter = ("status", "assignment_method", "provider")
    raw_id_fields = ("member", "referral", "authorization", "provider", "lead_care_manager", "previous")
