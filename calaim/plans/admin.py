"""Plans, counties and the dated reference tables: configuration, editable here with every change audited."""

from django.contrib import admin

from calaim.core.admin_audit import AuditedAdmin
from calaim.plans.models import (
    County,
    DiscontinuationReason,
    ExcludedProgram,
    Plan,
    PofGoLive,
    PopulationOfFocus,
    ProgramSettings,
    ReferralSourceType,
)

DATED = ("version", "effective_from", "effective_to")


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ("code", "name", "member_services_phone")


@admin.register(County)
class CountyAdmin(AuditedAdmin):
    list_display = ("name", "fips")
    filter_horizontal = ("plans",)


@admin.register(PopulationOfFocus)
class PopulationOfFocusAdmin(AuditedAdmin):
    list_display = ("code", "name", "age_group", "referral_only", "legacy", *DATED)
    list_filter = ("age_group", "referral_only", "legacy", "version")
    search_fields = ("code", "name")


@admin.register(PofGoLive)
class PofGoLiveAdmin(AuditedAdmin):
    list_display = ("plan", "county", "pof_code", *DATED)
    list_filter = ("plan", "county", "pof_code")


@admin.register(ExcludedProgram)
class ExcludedProgramAdmin(AuditedAdmin):
    list_display = ("code", "name", "priority", *DATED)


@admin.register(DiscontinuationReason)
class DiscontinuationReasonAdmin(AuditedAdmin):
    list_display = ("code", "label", "dhcs_code", "is_opt_out", *DATED)


@admin.register(ReferralSourceType)
class ReferralSourceTypeAdmin(AuditedAdmin):
    list_display = ("code", "label", *DATED)


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(AuditedAdmin):
    list_display = (
        "plan",
        "routine_decision_business_days",
        "expedited_decision_hours",
        "decision_ceiling_calendar_days",
        "authorization_months",
        "dsnp_excludes_ecm",
        "roster_mass_term_percent",
        *DATED,
    )
    list_filter = ("plan",)
