"""Translation reviews: a qualified translator's sign-off on one template version in one language, recorded by
plan compliance; until then the translation is "awaiting review by a qualified translator" (letters.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, snapshot
from calaim.core.errors import Conflict, ValidationFailed
from calaim.notices.letters.policies import can_review_translation
from calaim.notices.models import TranslationReview
from calaim.notices.reference import letters_config

REVIEW_FIELDS = ["template_key", "template_version", "language", "reviewer_name", "reviewed_at", "note"]


@dataclass(frozen=True)
class TemplateTranslation:
    """One template version in one language, with its review status."""

    key: str
    title: str
    version: str
    effective_from: str
    language: str
    source: bool  # English: the source text, needing no review
    review: TranslationReview | None

    @property
    def status(self) -> str:
        if self.source:
            return "source text"
        if self.review is None:
            return letters_config().awaiting_review
        return f"reviewed by {self.review.reviewer_name} on {self.review.reviewed_at:%Y-%m-%d}"


def translation_reviewed(key: str, version: str, language: str) -> bool:
    """True for the source language, else whether a review of this key, version and language is recorded."""
    if language == letters_config().source_language:
        return True
    return TranslationReview.objects.filter(template_key=key, template_version=version, language=language).exists()


def template_translations() -> list[TemplateTranslation]:
    """Every template version in every language it is translated into, with its review."""
    config = letters_config()
    reviews = {(r.template_key, r.template_version, r.language): r for r in TranslationReview.objects.all()}
    return [
        TemplateTranslation(
            key=template.key,
            title=template.title,
            version=version.version,
            effective_from=version.effective_from.isoformat(),
            language=language,
            source=language == config.source_language,
            review=reviews.get((template.key, version.version, language)),
        )
        for template in config.templates.values()
        for version in template.versions
        for language in version.languages
    ]


def _check(template_key: str, template_version: str, language: str, reviewer_name: str) -> None:
    config = letters_config()
    template = config.templates.get(template_key)
    version = template.version_named(template_version) if template is not None else None
    if version is None:
        raise ValidationFailed(f"No letter template {template_key!r} version {template_version!r}.", field="template")
    if language == config.source_language or language not in version.languages:
        raise ValidationFailed(f"{template_key} v{template_version} has no {language!r} translation.", field="language")
    if not reviewer_name.strip():
        raise ValidationFailed("Give the translator's name as they sign.", field="reviewer_name")


def translation_review_record(
    *, actor: User, template_key: str, template_version: str, language: str, reviewer_name: str, note: str = ""
) -> TranslationReview:
    """Record that a qualified translator reviewed one template version's translation; once per translation."""
    can_review_translation(actor).enforce()
    _check(template_key, template_version, language, reviewer_name)
    try:
        with transaction.atomic():
            review = TranslationReview.objects.create(
                template_key=template_key,
                template_version=template_version,
                language=language,
                reviewed_by=actor,
                reviewer_name=reviewer_name.strip(),
                reviewed_at=timezone.now(),
                note=note.strip(),
            )
            audit_record(actor=actor, action="translation.review", obj=review, after=snapshot(review, REVIEW_FIELDS))
    except IntegrityError as exc:
        raise Conflict(f"{template_key} v{template_version} ({language}) is already reviewed.") from exc
    return review
