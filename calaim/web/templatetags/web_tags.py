"""Template helpers for clocks and labels."""

from __future__ import annotations

import datetime as dt

from django import template
from django.forms import BoundField
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_overdue

register = template.Library()


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min"


@register.filter
def time_remaining(due_at: dt.datetime | None) -> str:
    """'2 d 4 h left' before the due time, 'overdue by 5 h 0 min' after it."""
    if due_at is None:
        return ""
    seconds = int((due_at - timezone.now()).total_seconds())
    return f"{_span(seconds)} left" if seconds >= 0 else f"overdue by {_span(-seconds)}"


@register.filter
def overdue(authorization: AuthorizationRequest) -> bool:
    """An undecided authorization past its due time (calaim.authorizations.selectors.authorization_overdue)."""
    return authorization_overdue(authorization)


@register.inclusion_tag("web/field.html")
def form_field(field: BoundField) -> dict[str, object]:
    """A labelled field whose error, when there is one, is tied to the input by aria-describedby."""
    attrs: dict[str, str | bool] = {}
    # The date format and a text area's limit (web/field.html) describe the input too.
    described = [f"{field.auto_id}_format"] if field.widget_type == "date" else []
    if field.widget_type == "textarea" and getattr(field.field, "max_length", None):
        described.append(f"{field.auto_id}_count")
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return {"field": field, "widget": field.as_widget(attrs=attrs)}
