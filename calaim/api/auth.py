"""API authentication: a bearer token for machine clients, or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from calaim.accounts.models import ApiToken, User


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer clm_...` for machine clients; the token acts as its user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = ApiToken.find_active(token)
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


AUTH = [ApiTokenAuth(), django_auth]


def actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
