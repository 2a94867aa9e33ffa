"""Admin fixtures: browser clients for each kind of caller, POST bodies built the way the admin's form reads them,
and a snapshot of every table the admin can write."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.forms import MultiWidget, modelform_factory
from django.test import Client, RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import Role, User
from tests.factories import UserFactory


def signed_in(user: User, *, verified: bool) -> Client:
    """A browser signed in as `user`; `verified` also passes the TOTP second factor the way django_otp records it."""
    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def superuser(network: Any) -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True, role=Role.PLAN_COMPLIANCE,
                       organization=network.hpsj)  # fmt: skip


@pytest.fixture
def compliance(network: Any) -> User:
    return UserFactory(username="compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj)


@pytest.fixture
def root(superuser: User) -> Client:
    """The plan's administrator, signed in with both factors."""
    return signed_in(superuser, verified=True)


def everything() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the admin shows or writes (and the admin's own log), to show a refusal changed
    nothing."""
    watched = {*admin.site._registry, LogEntry, apps.get_model("core", "AuditEvent")}
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in watched}  # type: ignore[attr-defined]


def form_data(model: type[models.Model], obj: models.Model, user: User, **changes: Any) -> dict[str, Any]:
    """The POST body the admin's change form would send for `obj` with `changes`, widgets and all (a split date
    and time, a raw id, a multiple choice)."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    form_class = modelform_factory(
        model, fields="__all__", formfield_callback=partial(model_admin.formfield_for_dbfield, request=request)
    )
    form = form_class(instance=obj, initial=changes)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = getattr(field.widget, "widget", field.widget)  # unwrap the related-object wrapper
        if isinstance(widget, MultiWidget):
            for i, (part, sub) in enumerate(zip(widget.decompress(value), widget.widgets, strict=True)):
                data[f"{name}_{i}"] = sub.format_value(part) or ""
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            shown = widget.format_value(value)
            if isinstance(shown, list):  # a select formats its one choice as a list
                data[name] = shown if getattr(widget, "allow_multiple_selected", False) else shown[0]
            else:
                data[name] = str(shown if shown is not None else value)
    return data
