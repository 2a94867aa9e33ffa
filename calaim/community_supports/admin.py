from django.contrib import admin

from calaim.community_supports.models import (
    CsDelivery,
    CsLimitSettings,
    CsOffering,
    CsRequest,
    CsService,
    DelegateReassignment,
)

DATED = ("version", "effective_from", "effective_to")


@admin.register(CsService)
class CsServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "room_and_board", "retro_authorized", "streamlined", *DATED)
    search_fields = ("code", "name")


@admin.register(CsOffering)
class CsOfferingAdmin(admin.ModelAdmin):
    list_display = ("plan", "county", "service_code", "delegate_provides", *DATED)
    list_filter = ("plan", "county", "service_code")


@admin.register(CsLimitSettings)
class CsLimitSettingsAdmin(admin.ModelAdmin):
    list_display = ("plan", "room_board_max_days", "mtm_weeks", "respite_hours_per_year", *DATED)


@admin.register(CsRequest)
class CsRequestAdmin(admin.ModelAdmin):
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
class CsDeliveryAdmin(admin.ModelAdmin):
    list_display = ("member", "service_code", "provider", "start_date", "end_date", "units", "cost")
    raw_id_fields = ("request", "member", "provider", "recorded_by")


@admin.register(DelegateReassignment)
class DelegateReassignmentAdmin(admin.ModelAdmin):
    list_display = ("member", "from_delegate", "reassigned_on")
    raw_id_fields = ("member", "from_delegate", "recorded_by")
