"""Roster loads and roster facts are read-only here: a load changes only through its services (validated, all or
nothing, audited per member), a fact only when someone acts on it in the app.

A load's sample rows and rejected rows name members from the file; they are left out here and shown on the load's
page in the app, where showing them is recorded in the PHI read log."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin
from calaim.roster.models import RosterFact, RosterLoad


@admin.register(RosterLoad)
class RosterLoadAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "plan", "as_of", "file_name", "status", "actor_label", "source", "error_count")
    list_filter = ("status", "source", "plan")
    search_fields = ("file_name", "file_sha256", "actor_label")
    date_hierarchy = "created_at"
    exclude = ("samples", "errors")
    raw_id_fields = ("created_by", "confirmed_by", "duplicate_of")


@admin.register(RosterFact)
class RosterFactAdmin(ReadOnlyAdmin):
    list_display = ("effective_date", "kind", "detail", "member", "plan", "provider", "resolved_at")
    list_filter = ("kind", "plan", "resolved_at")
    search_fields = ("member__cin",)
    raw_id_fields = ("member", "load", "enrollment", "referral", "cs_request", "provider", "resolved_by")
