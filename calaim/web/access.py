"""The gate in front of every staff page: signed in with a password and verified with a TOTP code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from calaim.accounts.models import User
from calaim.core.errors import NotFound

View = Callable[..., HttpResponse]
T = TypeVar("T")


def verified_required(view: View) -> View:
    """Anonymous callers go to the login page; signed-in but unverified staff to TOTP setup or verification."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('web:login')}?{urlencode({'next': request.get_full_path()})}")
        if not getattr(user, "is_verified", lambda: False)():  # OTPMiddleware adds is_verified
            return redirect("web:otp_verify" if user_has_device(user) else "web:otp_setup")
        return view(request, *args, **kwargs)

    return wrapper


def staff(request: HttpRequest) -> User:
    """The signed-in user of a view behind `verified_required`."""
    user = request.user
    assert isinstance(user, User)
    return user


def or_404(load: Callable[[], T]) -> T:
    """Run a scoped read; what is outside the caller's scope (NotFound) is the 404 page, as in the API."""
    try:
        return load()
    except NotFound as error:
        raise Http404(error.message) from error
