"""The one shape of every form action in the staff app: show the form, or take it, call one workflow or service,
and answer with where to go next; a refusal comes back on the field it names, with the other fields' errors in
the same round (Action.check).

Posted with htmx from a member record section, the answer is that section refreshed (htmx swaps only 2xx
answers, so a refusal comes back as the section with the form showing its errors); without JavaScript, a
redirect with a message, or the form's own page again with its errors and status 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from calaim.web.forms import apply_service

Apply = Callable[[forms.Form, Callable[[], Any]], Any]
Section = Callable[..., HttpResponse]


def posted(request: HttpRequest) -> QueryDict | None:
    """A POST's data even when empty (a lone button), so the form is bound; None for a GET. The one way every
    action binds its form."""
    return request.POST if request.method == "POST" else None


@dataclass
class Action:
    """One form action: the form, the call it makes with the cleaned data, and what follows."""

    form: forms.Form
    call: Callable[[dict[str, Any]], object]
    title: str
    submit: str
    done: str | Callable[[Any], str]
    next_url: str | Callable[[Any], str]
    context: dict[str, Any] = field(default_factory=dict)
    template: str = "web/action_form.html"
    apply: Apply = apply_service
    # For htmx posts from a member record section: render(flash, bound) answers that section refreshed.
    section: Section | None = None
    section_key: str = ""
    # The service's own checks on the fields that did parse, run when others did not: every problem in one round.
    check: Callable[[], object] | None = None


def act(request: HttpRequest, action: Action) -> HttpResponse:
    """GET: the action's page. POST: validate, call, then the next page (or the section) or the errors."""
    form = action.form
    htmx = bool(request.headers.get("HX-Request")) and action.section is not None
    if request.method == "POST":
        result = None
        if form.is_valid():
            result = action.apply(form, lambda: action.call(form.cleaned_data))
        elif action.check is not None:
            action.apply(form, action.check)  # the service's errors beside the form's own
        if result is not None:
            done = action.done(result) if callable(action.done) else action.done
            if htmx:
                assert action.section is not None
                return action.section(flash=done)
            messages.success(request, done)
            return redirect(action.next_url(result) if callable(action.next_url) else action.next_url)
        if htmx:
            assert action.section is not None
            # A refusal of a fieldless action (complete, remove) has no field to sit on: show it on top.
            refusal = " ".join(str(e) for e in form.non_field_errors()) if not form.fields else ""
            return action.section(bound={action.section_key: form}, refusal=refusal)
    context = {"form": form, "title": action.title, "submit": action.submit, **action.context}
    return render(request, action.template, context, status=400 if form.is_bound else 200)
