"""Provider file loads and what they recorded are read-only here: a load changes only through its services (checked,
all or nothing, audited per record). A load's first errors name members from the file; they are left out here and
shown on the load's page in the app, where showing them is recorded in the PHI read log."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin
from calaim.exchange.models import ContactUpdate, EncounterCount, ExchangeExport, ExchangeLoad, ProviderReport


@admin.register(ExchangeLoad)
class ExchangeLoadAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "plan",
        "provider",
        "file_name",
        "status",
        "actor_label",
        "source",
        "error_count",
    )
    list_filter = ("kind", "status", "source", "plan")
    search_fields = ("file_name", "file_sha256", "actor_label", "provider__name", "provider__npi")
    date_hierarchy = "created_at"
    exclude = ("errors",)
    raw_id_fields = ("created_by", "duplicate_of", "provider")


@admin.register(ExchangeExport)
class ExchangeExportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "plan", "provider", "period", "file_name", "rows", "actor_label")
    list_filter = ("kind", "plan", "source")
    search_fields = ("file_name", "file_sha256", "provider__name", "provider__npi")
    raw_id_fields = ("created_by", "provider")


@admin.register(ProviderReport)
class ProviderReportAdmin(ReadOnlyAdmin):
    list_display = ("reported_on", "member", "provider", "acuity_level", "lead_care_manager_name", "load")
    search_fields = ("member__cin",)
    raw_id_fields = ("enrollment", "member", "provider", "load")


@admin.register(ContactUpdate)
class ContactUpdateAdmin(ReadOnlyAdmin):
    list_display = ("reported_on", "member", "provider", "plan", "new_address", "new_phone", "status")
    list_filter = ("status", "plan")
    search_fields = ("member__cin",)
    raw_id_fields = ("member", "provider", "load", "reviewed_by")


@admin.register(EncounterCount)
class EncounterCountAdmin(ReadOnlyAdmin):
    list_display = ("period", "member", "provider", "plan", "in_person", "telephonic", "load")
    list_filter = ("plan", "period")
    search_fields = ("member__cin",)
    raw_id_fields = ("member", "enrollment", "provider", "load")
