"""Filters that show codes as words: languages, phones, audit actions, flags and people (see calaim.core.labels)."""

from __future__ import annotations

from typing import Any

from django import template

from calaim.core import labels

register = template.Library()


@register.filter
def language_name(code: str | None) -> str:
    return labels.language_name(code)


@register.filter
def language_names(codes: list[str] | tuple[str, ...] | None) -> str:
    return labels.language_names(codes)


@register.filter
def phone(value: str | None) -> str:
    return labels.phone_display(value)


@register.filter
def action_label(action: str) -> str:
    """An audit action as staff would write it ("enrollment.lead_care_manager" → "Lead Care Manager named")."""
    return labels.action_phrase(action)


@register.filter
def code_words(code: str | None) -> str:
    return labels.code_words(code)


@register.filter
def yes_no(value: bool | None) -> str:
    return labels.yes_no(value)


@register.filter
def person(user: Any) -> str:
    """A staff user as colleagues know them: full name and organization ("Ana Ruiz, Delta Health"), never a bare
    username; the username is added only when the user has no name."""
    if user is None:
        return "calaim (automatic)"
    name = user.get_full_name() or user.get_username()
    organization = getattr(user, "organization", None)
    return f"{name}, {organization.name}" if organization is not None else name
