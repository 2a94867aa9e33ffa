"""API authentication: a bearer token for machine clients, or the browser session of a user who passed both factors
(the password and the TOTP code), exactly as the pages require."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from calaim.accounts.models import User
from calaim.accounts.services import api_token_authenticate
from calaim.api.errors import ApiError

SECOND_FACTOR_MISSING = (
    "This session has passed the password step only: enter your authenticator code at /otp/verify/ before using "
    "the API from the browser, or authenticate with `Authorization: Bearer <token>`."
)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer clm_...` for machine clients; the token acts as its user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(APIKeyCookie):
    """The browser session, once the second factor is verified; writes also need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None  # no session: nothing to check CSRF for; the caller gets the plain 401
        if not getattr(user, "is_verified", lambda: False)():  # OTPMiddleware adds is_verified
            raise ApiError(401, SECOND_FACTOR_MISSING, "second_factor_required")
        return super().__call__(request)  # the CSRF check on writes, then `authenticate`

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if isinstance(user, User) else None


AUTH = [ApiTokenAuth(), VerifiedSessionAuth()]


def actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
