"""The admin behind the same two factors as the staff pages: the app's own sign-in, then its TOTP code, then back.

The admin has no password form of its own. A caller who is not signed in goes to the app's login page, one signed
in with a password alone goes to the app's second-factor page (set-up first if they never set up an authenticator),
and both come back to the admin page they asked for. Only an active staff user verified with a TOTP device gets in;
what they may do there is `calaim/core/admin_audit.py`'s business.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def is_verified(request: HttpRequest) -> bool:
    """The user passed the second factor in this session (OTPMiddleware adds `is_verified`)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


class CalaimAdminSite(AdminSite):
    site_header = "calaim administration"
    site_title = "calaim admin"
    index_title = "Configuration, and domain records to view"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Send the caller through the app's sign-in and second factor, then back to `next`."""
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = index
        query = QueryDict(mutable=True)
        query[REDIRECT_FIELD_NAME] = target
        back = query.urlencode(safe="/")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:login')}?{back}")
        if not is_verified(request):
            return redirect(f"{reverse('web:otp_verify')}?{back}")
        if self.has_permission(request):
            return redirect(target)
        raise PermissionDenied("The admin is for the plan's administrators.")


class CalaimAdminConfig(AdminConfig):
    """`django.contrib.admin` with `CalaimAdminSite` as `admin.site`, so every `@admin.register` lands behind it."""

    default_site = "calaim.web.admin_site.CalaimAdminSite"
