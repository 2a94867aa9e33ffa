from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from calaim.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organization", "is_active")
    list_filter = ("role", "organization__kind", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("calaim", {"fields": ("role", "organization", "phone")}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
