"""Organizations and their contracts: configuration, editable here with every change audited."""

from django.contrib import admin

from calaim.core.admin_audit import AuditedAdmin
from calaim.network.models import Contract, Organization


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    filter_horizontal = ("counties",)


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "code", "county", "npi", "phone")
    list_filter = ("kind", "county")
    search_fields = ("name", "code", "npi")
    inlines = [ContractInline]


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    list_display = ("organization", "plan", "program", "capacity", "start_date", "end_date")
    list_filter = ("plan", "program")
    filter_horizontal = ("counties",)
