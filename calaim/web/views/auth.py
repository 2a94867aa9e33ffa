"""Signing in: password (with lockout), TOTP setup on first login, TOTP verification, logout."""

from __future__ import annotations

import base64
import io

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from calaim.accounts.services import totp_device_confirm, totp_device_confirmed, totp_device_pending
from calaim.web.access import staff
from calaim.web.forms import LoginForm, TotpCodeForm
from calaim.web.views.actions import posted


class StaffLoginView(LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _verified_next(request: HttpRequest) -> HttpResponse:
    """After the second factor: back to the page on this site that asked for it (the admin, say), else home."""
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("web:home")


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    if totp_device_confirmed(staff(request)) is not None:
        return redirect("web:otp_verify")
    device = totp_device_pending(staff(request))
    form = TotpCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            totp_device_confirm(user=staff(request), device=device)
            django_otp.login(request, device)
            return _verified_next(request)
        form.add_error("code", "That code does not match. Check the time on your phone and try the newest code.")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "web/otp_setup.html", {"form": form, "secret": secret})


@login_required
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The provisioning QR code of the pending authenticator, as SVG served by the app itself."""
    if totp_device_confirmed(staff(request)) is not None:
        raise Http404("The authenticator is already set up.")  # a confirmed secret is never shown again
    device = totp_device_pending(staff(request))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    device = totp_device_confirmed(staff(request))
    if device is None:
        setup = reverse("web:otp_setup")  # keeping `next`, so set-up too returns to the page that asked
        return redirect(f"{setup}?{request.GET.urlencode(safe='/')}" if request.GET else setup)
    form = TotpCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            django_otp.login(request, device)
            return _verified_next(request)
        form.add_error(
            "code",
            "That code is not valid. Enter the current 6-digit code from your authenticator app."
            if allowed
            else "Too many wrong codes in a row. Wait a few seconds, then enter the newest code.",
        )
    return render(request, "web/otp_verify.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("web:login")
