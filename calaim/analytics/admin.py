"""Identification runs and their loads are records the tasks write (with the member data of their candidates): shown
here, never changed (calaim/core/admin_audit.py says why)."""

from django.contrib import admin

from calaim.analytics.models import IdentificationLoad, IdentificationRun
from calaim.core.admin_audit import ReadOnlyAdmin, ReadOnlyInline


class IdentificationLoadInline(ReadOnlyInline):
    model = IdentificationLoad
    fields = ("created_at", "created_by", "status", "referrals_created", "skipped", "message")
    readonly_fields = fields


@admin.register(IdentificationRun)
class IdentificationRunAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "plan", "created_by", "as_of", "engine", "rule_version", "status",
                    "candidates_count", "exclusions_count")  # fmt: skip
    list_filter = ("plan", "status", "engine")
    raw_id_fields = ("plan", "created_by")
    inlines = [IdentificationLoadInline]


@admin.register(IdentificationLoad)
class IdentificationLoadAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "run", "created_by", "status", "referrals_created")
    list_filter = ("status",)
    raw_id_fields = ("run", "created_by")
