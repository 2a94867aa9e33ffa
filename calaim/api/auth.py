"""API authentication: a bearer token for machine clients, or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from calaim.accounts.models import User
from calaim.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer clm_...` for machine clients; the token acts as its user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [ApiTokenAuth(), django_auth]


def actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
