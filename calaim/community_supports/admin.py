"""Community Supports services, offerings and limits are configuration, editable with every change audited;
requests, deliveries and delegate reassignments are read-only here (their workflows change them)."""

from django.contrib import admin

from calaim.community_supports.models import (
    CsDelivery,
    CsLimitSettings,
    CsOffering,
    CsRequest,
    CsService,
    DelegateReassignment,
)
from calaim.core.admin_audit import AuditedAdmin, ReadOnlyAdmin

DATED = ("version", "effective_from", "effective_to")


@admin.register(CsService)
class CsServiceAdmin(AuditedAdmin):
    list_display = ("code", "name", "unit", "retro_authorized", "streamlined", *DATED)
    search_fields = ("code", "name")


@admin.register(CsOffering)
class CsOfferingAdmin(AuditedAdmin):
    list_display = ("plan", "county", "service_code", "delegate_provides", *DATED)
    list_filter = ("plan", "county", "service_code")


@admin.register(CsLimitSettings)
class CsLimitSettingsAdmin(AuditedAdmin):
    """Every limit the engine reads, grouped as the domain reference groups them; an empty cap is not enforced."""

    list_display = (
        "plan",
        "room_board_services",
        "room_board_max_days",
        "room_board_window_days",
        "recuperative_care_max_days",
        "stphh_max_days",
        "transitional_rent_max_days",
        "sobering_max_hours",
        "mtm_max_meals_per_day",
        "mtm_weeks",
        "mtm_extended_weeks",
        "respite_hours_per_year",
        "deposit_approvals",
        "deposit_approvals_with_change",
        "dollar_caps",
        *DATED,
    )
    list_filter = ("plan",)
    fieldsets = (
        (None, {"fields": ("plan", *DATED)}),
        ("Room and board", {"fields": ("room_board_services", "room_board_max_days", "room_board_window_days")}),
        (
            "Stays",
            {"fields": ("recuperative_care_max_days", "stphh_max_days", "transitional_rent_max_days")},
        ),
        ("Sobering Centers", {"fields": ("sobering_max_hours",)}),
        ("Medically Tailored Meals", {"fields": ("mtm_max_meals_per_day", "mtm_weeks", "mtm_extended_weeks")}),
        ("Respite", {"fields": ("respite_hours_per_year",)}),
        ("Money", {"fields": ("deposit_approvals", "deposit_approvals_with_change", "dollar_caps")}),
    )


@admin.register(CsRequest)
class CsRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "service_code", "status", "received_at", "provider")
    list_filter = ("status", "service_code")
    raw_id_fields = (
        "member",
        "submitted_by",
        "referrer_organization",
        "ecm_enrollment",
        "linked_to",
        "authorization",
        "provider",
    )


@admin.register(CsDelivery)
class CsDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("member", "service_code", "provider", "start_date", "end_date", "units", "cost")
    raw_id_fields = ("request", "member", "provider", "recorded_by")


@admin.register(DelegateReassignment)
class DelegateReassignmentAdmin(ReadOnlyAdmin):
    list_display = ("member", "from_delegate", "reassigned_on")
    raw_id_fields = ("member", "from_delegate", "recorded_by")
