"""People and their credentials in the admin: users and groups, API tokens, authenticators, sign-in lockouts.

All are configuration, so every change is audited (`calaim/core/admin_audit.py`); a token is issued and revoked
through `accounts.services`, which write their own events, and no secret (password hash, token hash, TOTP key) is
ever shown or recorded.
"""

from __future__ import annotations

from typing import Any

# The third-party admin modules register their models when imported; import them here first, so the
# registrations below replace theirs whatever order the apps load in.
import axes.admin as axes_admin
import django_otp.plugins.otp_totp.admin  # noqa: F401  (registers TOTPDevice, replaced below)
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import ApiToken, User
from calaim.accounts.services import api_token_revoke, api_token_save_new
from calaim.core.admin_audit import AuditedAdmin, ReadOnlyAdmin

_RAW_KEY = "_calaim_api_token_raw_key"


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organization", "is_active")
    list_filter = ("role", "organization__kind", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("calaim", {"fields": ("role", "organization", "phone")}))  # type: ignore[misc]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Django saves the new password outside a transaction; the change and its audit event are one.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    pass


class ApiTokenIssueForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "expires_at")

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError("A token for a deactivated user could never be used.")
        return user

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise forms.ValidationError("The token would have expired already; choose a later date.")
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are issued here (the key shown once) and revoked, never edited: the hash and dates are read-only."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "expires_at")
    search_fields = ("name", "prefix", "user__username")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "name", "expires_at")
        return ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else ("user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: who could call the API, and until when, stays on record

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        setattr(request, _RAW_KEY, api_token_save_new(actor=request.user, token=obj))  # type: ignore[arg-type]

    def audit_addition(self, request: HttpRequest, obj: Any, message: Any) -> None:
        """`api_token_save_new` recorded the issue."""

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> HttpResponse:
        """The raw key, on this one page only: it is stored nowhere and cannot be shown again."""
        context = {
            **self.admin_site.each_context(request),
            "title": "API token issued",
            "opts": self.opts,
            "token": obj,
            "raw_key": getattr(request, _RAW_KEY),
        }
        return TemplateResponse(request, "admin/accounts/apitoken/issued.html", context)  # the admin adds no-store

    @admin.action(description="Revoke the selected API tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = sum(api_token_revoke(actor=request.user, token=token) for token in queryset)  # type: ignore[arg-type]
        messages.success(request, f"Revoked {revoked} API token(s); a revoked token never works again.")


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TotpDeviceAdmin(AuditedAdmin):
    """Authenticators: seen, and deleted when a phone is lost (the user sets up a new one at the next sign-in);
    never added or edited here, and the secret key is never shown."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedAdmin, axes_admin.AccessAttemptAdmin):
    """Failed sign-ins: deleting one lifts its lockout, on the record; nothing else changes them here."""

    actions: Any = []  # axes' clean-up action deletes rows unrecorded; axes expires them itself

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, axes_admin.AccessLogAdmin):
    """The sign-in log is history: read-only."""


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin, axes_admin.AccessFailureLogAdmin):
    """The failed sign-in log is history: read-only."""
