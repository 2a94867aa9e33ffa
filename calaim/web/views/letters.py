"""The letter templates page: each template version and language with its translation's review status, a preview
rendered with made-up data (no member's, so no PHI read), and, for plan compliance, the form that records a
qualified translator's review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from calaim.core.errors import DomainError, NotFound
from calaim.core.policy import Verdict
from calaim.notices.letters import letter_preview
from calaim.notices.letters.policies import can_review_translation, can_view_letter_templates
from calaim.notices.letters.reviews import template_translations, translation_review_record
from calaim.notices.reference import letters_config
from calaim.web.access import staff, verified_required


class TranslationReviewForm(forms.Form):
    reviewer_name = forms.CharField(
        label="Translator's name", max_length=200, help_text="The qualified translator who reviewed it, as they sign."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _refuse_unless(verdict: Verdict) -> None:
    """404 outside the caller's scope, 403 for a role that may not."""
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)
    if verdict.error is not None:
        raise PermissionDenied(verdict.reason)


@verified_required
@require_GET
def letter_templates(request: HttpRequest) -> HttpResponse:
    """Every letter template version and language, with its review status and a preview."""
    user = staff(request)
    _refuse_unless(can_view_letter_templates(user))
    context: dict[str, Any] = {
        "translations": template_translations(),
        "awaiting": letters_config().awaiting_review,
        "may_review": bool(can_review_translation(user)),
    }
    return render(request, "web/letters/templates.html", context)


@verified_required
@require_GET
def letter_template_preview(request: HttpRequest, key: str, version: str, language: str) -> HttpResponse:
    """One template version in one language as a PDF, with sample data, for the caller's plan."""
    user = staff(request)
    _refuse_unless(can_view_letter_templates(user))
    assert user.organization is not None and user.organization.plan is not None  # plan staff
    try:
        letter = letter_preview(key=key, version=version, language=language, plan=user.organization.plan)
    except DomainError as error:
        raise Http404(error.message) from error
    response = HttpResponse(letter.rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{key}-{version}-{language}-sample.pdf"'
    return response


@verified_required
@require_POST
def letter_template_review(request: HttpRequest, key: str, version: str, language: str) -> HttpResponse:
    """Record a translator's review of one template version's translation (plan compliance)."""
    user = staff(request)
    _refuse_unless(can_review_translation(user))
    form = TranslationReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the translator's name to record a review.")
        return redirect("web:letter_templates")
    try:
        translation_review_record(
            actor=user,
            template_key=key,
            template_version=version,
            language=language,
            reviewer_name=form.cleaned_data["reviewer_name"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        messages.error(request, error.message)
        return redirect("web:letter_templates")
    messages.success(request, f"Recorded the review of {key} v{version} ({language}).")
    return redirect("web:letter_templates")
